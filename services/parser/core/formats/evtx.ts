import { HangwatchError } from '../../../../shared/errors.js';
import type { EventDraft, FormatParser, ParseContext } from '../event-draft.js';
import { ParseFailure } from '../parse-failure.js';
import { decodeChunk, type DecodedChunk, type DecodedRecord } from '../evtx/chunk.js';
import { chunksMissingAtEnd, FILE_SIGNATURE, locateInChunk, readFileHeader, startsWithAscii } from '../evtx/file-header.js';
import { filetimeToMs } from '../evtx/windows-time.js';
import { restoreForbiddenInTree } from '../evtx/xml-text.js';
import { buildWindowsDraft } from '../windows/build-windows-draft.js';
import { readEventXml } from '../windows/event-xml-reader.js';
import { readXmlEventRecord } from '../windows/event-xml-record.js';
import { parseUtcInstant } from '../windows/system-time.js';

// EVTX records. The reader (adapters/read-evtx-records.ts) ships a sound record as its event XML, which goes
// through the same Windows normalization as the event XML path (buildWindowsDraft), so events 41, 1001, 6008,
// 6005 and 6006 come out the same either way, with the same event.id (computer + channel + record id). Characters
// XML forbids arrive escaped as `\uXXXX` (evtx/xml-text.ts) and are restored in the values. Damaged parts arrive
// as the chunk's bytes with the file offset of the damaged record or chunk; decoding the chunk again here finds
// the damage and makes it a dead letter (HW_EVTX_DAMAGED) naming what is wrong. Records of a chunk that could not
// be verified are decoded and flagged rather than lost (`evtx-crc-mismatch` when a CRC disagrees, `evtx-chunk-cut`
// when the file ends inside the chunk): a guest that crashed while writing leaves exactly such a last chunk. The
// file header arrives alone when it is damaged (offset 0), or again at the file's end offset when the file ends
// before chunks it counts, for a dead letter naming them.

export const EVTX_GRAMMAR = 'evtx';

/** HW_EVTX_DAMAGED's template takes two parts (where, what); ParseFailure fills one, so the message is set here. */
class EvtxDamage extends ParseFailure {
  constructor(where: string, detail: string) {
    super('HW_EVTX_DAMAGED', EVTX_GRAMMAR, where);
    this.message = new HangwatchError('HW_EVTX_DAMAGED', [where, detail]).message;
  }
}

function damaged(where: string, detail: string): ParseFailure {
  return new EvtxDamage(where, detail);
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function draftFromXml(xml: string, ctx: ParseContext, writtenMs: number | undefined): EventDraft {
  const { events } = readEventXml(xml);
  const [element] = events;
  if (!element || events.length !== 1) throw new ParseFailure('HW_RECORD_INVALID', EVTX_GRAMMAR, `an EVTX record rendered ${events.length} <Event> elements`, ['<Event>']);
  const { record, systemTime } = readXmlEventRecord(restoreForbiddenInTree(element));
  let timestampMs: number;
  let basis: 'explicit' | 'inherited' | 'ingest';
  if (systemTime !== undefined) [timestampMs, basis] = [parseUtcInstant(systemTime), 'explicit'];
  // No TimeCreated: the record header's written time is the record's own UTC time, better than any inheritance.
  else if (writtenMs !== undefined) [timestampMs, basis] = [writtenMs, 'explicit'];
  else if (ctx.state.lastTimestampMs !== undefined) [timestampMs, basis] = [ctx.state.lastTimestampMs, 'inherited'];
  else [timestampMs, basis] = [ctx.createdMs, 'ingest'];
  if (basis === 'explicit') ctx.state.lastTimestampMs = timestampMs;
  return buildWindowsDraft(record, { dataset: 'windows.system', timestampMs, basis, grammar: EVTX_GRAMMAR });
}

function draftFromChunkRecord(item: DecodedRecord, ctx: ParseContext, flags: readonly string[]): EventDraft {
  const draft = draftFromXml(item.xml, ctx, filetimeToMs(item.written));
  draft.event.original = item.xml;
  if (flags.length > 0) {
    const parse = draft.hangwatch.parse ?? (draft.hangwatch.parse = {});
    parse.flags = [...(parse.flags ?? []), ...flags];
  }
  return draft;
}

/** The chunk the source's last chunk-bytes record held, decoded: the next damaged record of it comes with the same bytes. */
interface DecodedChunkMemo {
  readonly chunkOffset: number;
  readonly bytes: Uint8Array;
  readonly chunk: DecodedChunk;
}

/**
 * Each damaged record arrives as its whole chunk, and decoding a chunk runs every record's rendering up to the
 * chunk's budget: decoded again per record, a chunk of 1,333 records that each instantiate one template bomb took
 * 16 s for 68 KB. The source's last decoded chunk is kept and used again while the same bytes keep coming.
 */
function decodeChunkOnce(ctx: ParseContext, chunkOffset: number): DecodedChunk {
  const bytes = ctx.record.bytes;
  const memo = ctx.state.memo.evtxChunk as DecodedChunkMemo | undefined;
  if (memo !== undefined && memo.chunkOffset === chunkOffset && Buffer.from(memo.bytes.buffer, memo.bytes.byteOffset, memo.bytes.byteLength).equals(bytes)) return memo.chunk;
  const chunk = decodeChunk(bytes);
  ctx.state.memo.evtxChunk = { chunkOffset, bytes, chunk } satisfies DecodedChunkMemo;
  return chunk;
}

/** A chunk shipped as bytes: decode it again and return the record at the shipped offset, or its damage. */
function parseChunkBytes(ctx: ParseContext): EventDraft[] {
  const { chunkOffset, inChunk } = locateInChunk(ctx.record.offset);
  const where = `chunk at file offset ${hex(chunkOffset)}`;
  const chunk = decodeChunkOnce(ctx, chunkOffset);
  if (chunk.empty) return [];
  if (chunk.fatal !== undefined) throw damaged(where, chunk.fatal);
  const items = inChunk < 512 ? chunk.items : chunk.items.filter((i) => i.offset === inChunk);
  if (items.length === 0) throw damaged(where, `no record starts at chunk offset ${inChunk}`);
  const broken = items.find((i) => i.kind === 'damaged');
  if (broken !== undefined) throw damaged(`record at file offset ${hex(chunkOffset + broken.offset)}`, broken.kind === 'damaged' ? broken.detail : '');
  return items.map((i) => draftFromChunkRecord(i as DecodedRecord, ctx, chunk.flags));
}

export const evtxParser: FormatParser = {
  format: 'evtx',
  parse(ctx: ParseContext): EventDraft[] {
    const bytes = ctx.record.bytes;
    if (bytes[0] === 0x3c) return [draftFromXml(ctx.text, ctx, undefined)]; // '<': a record as event XML
    if (startsWithAscii(bytes, FILE_SIGNATURE)) {
      const { header, problem } = readFileHeader(bytes);
      if (problem !== undefined) throw damaged('file header', problem);
      const missing = header !== undefined && ctx.record.offset > 0 ? chunksMissingAtEnd(header, ctx.record.offset) : undefined;
      if (missing !== undefined) throw damaged(`file cut at offset ${hex(ctx.record.offset)}`, missing);
      return [];
    }
    return parseChunkBytes(ctx);
  },
};
