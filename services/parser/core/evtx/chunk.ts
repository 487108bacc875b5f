import { BinXmlError, ChunkDecoder } from './binxml.js';
import { crc32 } from './crc32.js';
import { startsWithAscii } from './file-header.js';

// One EVTX chunk (libevtx documentation, "Chunk"): a 512-byte header (CRC over bytes 0-120 and 128-512), then
// event records up to the free space offset (CRC over them), each `**\0\0`, size, record id, FILETIME, BinXML,
// copy of size. Tolerance follows libevtx's evtxexport, the reference reader: a chunk is unusable only when its
// signature is not `ElfChnk` or its free space offset lies outside it; a CRC that disagrees does not stop the
// reading (the records are decoded and marked, since a guest that crashed mid-write leaves exactly such a last
// chunk and its records are the ones that matter), and a chunk flagged "no CRC32" (flag 0x4, newer Windows
// writes its CRC fields as 0) is not checked at all. A record whose framing is broken ends the chunk (nothing
// after it can be found reliably); a record whose BinXML cannot be decoded, or that renders to nothing, is damaged
// alone. A chunk cut short (the file ends inside it) is read up to the cut, and the cut is itself a damaged item,
// so the records it took away are accounted for, never silently missing.

export const CHUNK_SIGNATURE = 'ElfChnk\u0000';
export const CHUNK_HEADER_BYTES = 512;
const RECORD_HEADER_BYTES = 24;
const RECORD_SIGNATURE = '**\u0000\u0000';
/** Chunk header flag: the CRC fields hold no checksum. */
export const CHUNK_FLAG_NO_CRC32 = 0x4;

/** Parse flags put on the records of a chunk that could not be verified, by reason. */
export const FLAG_CRC_MISMATCH = 'evtx-crc-mismatch';
export const FLAG_CHUNK_CUT = 'evtx-chunk-cut';

export interface ChunkHeader {
  readonly firstRecordNumber: bigint;
  readonly lastRecordNumber: bigint;
  readonly firstRecordId: bigint;
  readonly lastRecordId: bigint;
  readonly lastRecordOffset: number;
  readonly freeSpaceOffset: number;
  readonly flags: number;
}

export interface DecodedRecord {
  readonly kind: 'record';
  /** Offset inside the chunk. */
  readonly offset: number;
  readonly recordId: bigint;
  /** FILETIME the record was written. */
  readonly written: bigint;
  readonly xml: string;
}

export interface DamagedRecord {
  readonly kind: 'damaged';
  readonly offset: number;
  readonly detail: string;
  readonly recordId?: bigint;
}

export type ChunkItem = DecodedRecord | DamagedRecord;

export interface DecodedChunk {
  /** An unused chunk (all zero bytes): nothing to read, nothing damaged. */
  readonly empty: boolean;
  readonly header?: ChunkHeader;
  /** Why the whole chunk is unusable. */
  readonly fatal?: string;
  /** A problem that does not stop decoding (a CRC mismatch, a cut): its records are marked. */
  readonly suspect?: string;
  /** The parse flags its records carry for `suspect` (FLAG_CRC_MISMATCH, FLAG_CHUNK_CUT); empty when sound. */
  readonly flags: readonly string[];
  readonly items: readonly ChunkItem[];
}

function isAllZero(bytes: Uint8Array, from = 0, to = bytes.length): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/**
 * What a chunk that cannot be read still holds: record signatures whose size and trailing copy agree, with their
 * ids, so the dead letter for an unusable chunk says which records it takes with it.
 */
export function recordCensus(bytes: Uint8Array): string {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let count = 0;
  let low: bigint | undefined;
  let high: bigint | undefined;
  for (let pos = bytes.indexOf(0x2a); pos !== -1 && pos + RECORD_HEADER_BYTES <= bytes.length; pos = bytes.indexOf(0x2a, pos + 1)) {
    if (!startsWithAscii(bytes, RECORD_SIGNATURE, pos)) continue;
    const size = v.getUint32(pos + 4, true);
    if (size < RECORD_HEADER_BYTES + 4 || pos + size > bytes.length || v.getUint32(pos + size - 4, true) !== size) continue;
    const id = v.getBigUint64(pos + 8, true);
    count++;
    if (low === undefined || id < low) low = id;
    if (high === undefined || id > high) high = id;
  }
  if (count === 0) return 'no record signature inside';
  return `${count} record${count === 1 ? '' : 's'} inside by their signatures (ids ${low}${high === low ? '' : `-${high}`}), unreadable without the chunk header`;
}

interface HeaderReading {
  readonly header?: ChunkHeader;
  readonly fatal?: string;
  readonly problems: string[];
  readonly flags: string[];
}

function readChunkHeader(bytes: Uint8Array): HeaderReading {
  if (bytes.length < CHUNK_HEADER_BYTES) return { fatal: `chunk cut at ${bytes.length} of its ${CHUNK_HEADER_BYTES} header bytes (the file ends inside it)`, problems: [], flags: [] };
  if (!startsWithAscii(bytes, CHUNK_SIGNATURE)) return { fatal: `chunk signature is not ElfChnk: ${recordCensus(bytes)}`, problems: [], flags: [] };
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header: ChunkHeader = {
    firstRecordNumber: v.getBigUint64(8, true),
    lastRecordNumber: v.getBigUint64(16, true),
    firstRecordId: v.getBigUint64(24, true),
    lastRecordId: v.getBigUint64(32, true),
    lastRecordOffset: v.getUint32(44, true),
    freeSpaceOffset: v.getUint32(48, true),
    flags: v.getUint32(120, true),
  };
  if (header.freeSpaceOffset < CHUNK_HEADER_BYTES || header.freeSpaceOffset > 65536) {
    return { header, fatal: `free space offset ${header.freeSpaceOffset} outside the chunk: ${recordCensus(bytes)}`, problems: [], flags: [] };
  }
  const checked = (header.flags & CHUNK_FLAG_NO_CRC32) === 0;
  const problems: string[] = [];
  const flags: string[] = [];
  if (checked) {
    const stored = v.getUint32(124, true);
    const computed = crc32(bytes, 128, CHUNK_HEADER_BYTES, crc32(bytes, 0, 120));
    if (stored !== computed) problems.push(`chunk header CRC mismatch (stored ${hex(stored)}, computed ${hex(computed)})`);
  }
  if (header.freeSpaceOffset > bytes.length) {
    problems.push(`chunk cut at ${bytes.length} bytes (its records run to ${header.freeSpaceOffset})`);
    flags.push(FLAG_CHUNK_CUT);
  } else if (checked) {
    const stored = v.getUint32(52, true);
    const computed = crc32(bytes, CHUNK_HEADER_BYTES, header.freeSpaceOffset);
    if (stored !== computed) problems.push(`event records CRC mismatch (stored ${hex(stored)}, computed ${hex(computed)})`);
  }
  if (problems.some((p) => p.includes('CRC'))) flags.unshift(FLAG_CRC_MISMATCH);
  return { header, problems, flags };
}

/**
 * What a stop at chunk offset `pos` leaves unread, by the chunk header (its last record's offset and id): the
 * records after the damaged record at `pos` (`atPos` false), or from `pos` on when nothing readable starts there.
 * `seenId` is the id of the record at `pos`, or of the last one read before it.
 */
function unreadAfter(header: ChunkHeader, pos: number, atPos: boolean, seenId: bigint | undefined): string {
  const last = header.lastRecordId;
  if (atPos ? pos > header.lastRecordOffset : pos >= header.lastRecordOffset) return '';
  const range = seenId === undefined || seenId >= last ? `records up to id ${last}` : seenId + 1n === last ? `record ${last}` : `records ${seenId + 1n}-${last}`;
  return `; the chunk header lists ${range} ${atPos ? 'from here on' : 'after it'}: not read`;
}

/** Decodes every record of a chunk. Pure; `bytes` is the chunk (65536 bytes, fewer when the file was cut). */
export function decodeChunk(bytes: Uint8Array): DecodedChunk {
  if (isAllZero(bytes)) return { empty: true, flags: [], items: [] };
  const { header, fatal, problems, flags } = readChunkHeader(bytes);
  if (fatal !== undefined || header === undefined) return { empty: false, ...(header ? { header } : {}), fatal: fatal ?? 'unreadable chunk header', flags: [], items: [] };
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const cut = header.freeSpaceOffset > bytes.length;
  const end = Math.min(header.freeSpaceOffset, bytes.length);
  const cutNote = cut ? `: the chunk is cut at ${bytes.length} bytes, the file ends inside it` : '';
  const decoder = new ChunkDecoder(bytes);
  const items: ChunkItem[] = [];
  let pos = CHUNK_HEADER_BYTES;
  let stopped = false;
  let lastId: bigint | undefined;
  while (pos + RECORD_HEADER_BYTES <= end) {
    if (!startsWithAscii(bytes, RECORD_SIGNATURE, pos)) {
      if (isAllZero(bytes, pos, end)) break;
      items.push({ kind: 'damaged', offset: pos, detail: `record signature missing at chunk offset ${pos}${unreadAfter(header, pos, true, lastId)}` });
      stopped = true;
      break;
    }
    const size = v.getUint32(pos + 4, true);
    const recordId = v.getBigUint64(pos + 8, true);
    if (size < RECORD_HEADER_BYTES + 4 || pos + size > end) {
      const detail = `record ${recordId}: size ${size} at chunk offset ${pos} runs outside the records (end ${end})${cutNote}${unreadAfter(header, pos, false, recordId)}`;
      items.push({ kind: 'damaged', offset: pos, recordId, detail });
      stopped = true;
      break;
    }
    const copy = v.getUint32(pos + size - 4, true);
    if (copy !== size) {
      items.push({ kind: 'damaged', offset: pos, recordId, detail: `record ${recordId}: size ${size} and its trailing copy ${copy} differ${unreadAfter(header, pos, false, recordId)}` });
      stopped = true;
      break;
    }
    const written = v.getBigUint64(pos + 16, true);
    try {
      const xml = decoder.decodeEvent(pos + RECORD_HEADER_BYTES, pos + size - 4);
      if (xml.trim() === '') items.push({ kind: 'damaged', offset: pos, recordId, detail: `record ${recordId} renders to nothing: its Binary XML holds no element` });
      else items.push({ kind: 'record', offset: pos, recordId, written, xml });
    } catch (error) {
      if (!(error instanceof BinXmlError)) throw error;
      items.push({ kind: 'damaged', offset: pos, recordId, detail: `record ${recordId}: ${error.message}` });
    }
    lastId = recordId;
    pos += size;
  }
  if (!stopped && pos < end && !isAllZero(bytes, pos, end)) {
    // Fewer bytes than a record header left before the end of the records: a record cut, or debris.
    items.push({ kind: 'damaged', offset: pos, detail: `${end - pos} bytes at chunk offset ${pos} are too few for a record${cutNote}${unreadAfter(header, pos, true, lastId)}` });
    stopped = true;
  }
  if (!stopped && cut) {
    // Cut right at a record boundary: the records between the cut and the free space offset are gone.
    items.push({ kind: 'damaged', offset: pos, detail: `chunk cut at ${bytes.length} bytes, before its free space offset ${header.freeSpaceOffset} (the file ends inside it)${unreadAfter(header, pos, true, lastId)}` });
  }
  return { empty: false, header, ...(problems.length > 0 ? { suspect: problems.join('; ') } : {}), flags, items };
}
