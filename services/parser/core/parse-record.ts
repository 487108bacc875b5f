import type { DeadLetter } from '../../../shared/schema/deadletter.js';
import type { EcsEvent } from '../../../shared/schema/event.js';
import type { RawRecord } from '../../../shared/raw-record.js';
import type { Format } from '../../../shared/vocabulary.js';
import { buildDeadLetter } from '../../../shared/deadletter.js';
import { HangwatchError } from '../../../shared/errors.js';
import { fileEventId, sourceEventId } from '../../../shared/identity.js';
import { listEventProblems } from '../../../shared/schema/event.js';
import { isoUtc } from '../../../shared/time.js';
import { LruMap } from '../../../shared/lru-map.js';
import type { EventDraft, FormatParser, ParseOptions, SourceState, YearReference } from './event-draft.js';
import { ParseFailure } from './parse-failure.js';
import { detectFormat, detectFormatByMagic } from './detect-format.js';
import { isSuspectGuestTime } from './suspect-time.js';

// The parser core: one raw record in, normalized events or dead letters out. Pure: no I/O, no clock
// (event.created comes from the record), per-source state passed in by the caller.

export interface ParseOutcome {
  readonly events: EcsEvent[];
  readonly deadletters: DeadLetter[];
}

export type FormatRegistry = Readonly<Partial<Record<Format, FormatParser>>>;

/**
 * How many sources (and hypervisors) keep their state. The names are partly the sender's (a Winlogbeat document's
 * channel and host name, a peer's path), so distinct names have no bound: 50k documents with distinct channels kept
 * 50,001 states, never freed. Past the bound the least recently used source is forgotten; its next record starts
 * afresh, like a source never seen (a record without a time of its own then takes the read time, and says so).
 */
export const MAX_SOURCE_STATES = 10_000;

/** Keeps per-source state (host + path) for the formats that need context between records. */
export class SourceStates {
  private readonly states: LruMap<string, SourceState>;
  /** Per hypervisor: the time of its latest dated host record (libvirtd, qemu, iostat, journal), epoch ms. */
  private readonly hostDated: LruMap<string, number>;
  constructor(maxSources = MAX_SOURCE_STATES) {
    this.states = new LruMap(maxSources);
    this.hostDated = new LruMap(maxSources);
  }
  /** The reference year-less syslog stamps of `host` take their year from (DESIGN.md section 6), if any. */
  datedReferenceOf(host: string): number | undefined {
    return this.hostDated.get(host);
  }
  noteDated(host: string, ms: number): void {
    // The latest, not the last parsed: the reference must not depend on the order files are read in.
    const known = this.hostDated.get(host);
    if (known === undefined || ms > known) this.hostDated.set(host, ms);
  }
  get(record: RawRecord): SourceState {
    const key = `${record.host}\u0000${record.path}`;
    let state = this.states.get(key);
    if (!state) {
      state = { memo: {} };
      this.states.set(key, state);
    }
    return state;
  }
  get size(): number {
    return this.states.size;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

export function decodeRecord(bytes: Uint8Array): { text: string; flags: string[] } {
  try {
    return { text: utf8Strict.decode(bytes), flags: [] };
  } catch {
    return { text: utf8.decode(bytes), flags: ['invalid-utf8'] };
  }
}

export function parseRecord(
  record: RawRecord,
  registry: FormatRegistry,
  states: SourceStates,
  options: ParseOptions,
): ParseOutcome {
  const at = record.created;
  const source = { hostName: record.host, path: record.path, offset: record.offset };
  if (record.oversize || record.bytes.length > options.maxRecordBytes) {
    const length = record.oversize?.length ?? record.bytes.length;
    const error = new HangwatchError('HW_RECORD_TOO_LARGE', [length, options.maxRecordBytes]);
    const letter = buildDeadLetter({ stage: 'parse', error, original: record.bytes, source, at, ...(record.oversize ? { originalWhole: record.oversize } : {}) });
    return { events: [], deadletters: [letter] };
  }
  // Binary artefacts (EVTX chunks, dump headers) are not text: no UTF-8 decoding, no invalid-utf8/nul-bytes flags.
  // Only 'E'(lfFile/ElfChnk), 'P'(AGEDUMP) and 'M'(DMP) can start a binary artefact: one byte check keeps the
  // magic test off the text hot path (it was 2.4% of the libvirtd parse profile).
  const first = record.bytes[0];
  const magic = first === 0x45 || first === 0x50 || first === 0x4d ? detectFormatByMagic(record.bytes) : undefined;
  const { text, flags } = magic ? { text: '', flags: [] as string[] } : decodeRecord(record.bytes);
  if (text.includes('\u0000')) flags.push('nul-bytes');
  const format = record.format === 'auto' ? (magic ?? detectFormat(record.path, text)) : record.format;
  if (!format) {
    const error = new HangwatchError('HW_PARSE_UNKNOWN_FORMAT', [`cannot detect the format of ${record.path}`]);
    return { events: [], deadletters: [buildDeadLetter({ stage: 'parse', error, original: record.bytes, source, at })] };
  }
  const parser = registry[format];
  if (!parser) {
    const error = new HangwatchError('HW_PARSE_UNKNOWN_FORMAT', [`no parser for format ${format}`]);
    return { events: [], deadletters: [buildDeadLetter({ stage: 'parse', error, original: record.bytes, source, at })] };
  }
  const createdMs = Date.parse(record.created);
  const fileMtimeMs = record.mtime ? Date.parse(record.mtime) : undefined;
  const year = yearReferenceFor(options.yearReferenceMs, states.datedReferenceOf(record.host), fileMtimeMs, createdMs);
  let drafts: EventDraft[];
  // A record that fails to parse is answered by a throw (moo's lexer error, ParseFailure): without a stack
  // trace, which a dead letter never keeps. Capturing it was half the cost of a dead letter (measured with
  // --cpu-prof on 1M invalid lines: ~60 -> ~30 us per record in the core).
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    drafts = parser.parse({ record, text, flags, state: states.get(record), options, createdMs, year, ...(fileMtimeMs === undefined ? {} : { mtimeMs: fileMtimeMs }) });
  } catch (error) {
    const failure = error instanceof ParseFailure ? error : undefined;
    return {
      events: [],
      deadletters: [
        buildDeadLetter({
          stage: 'parse',
          error,
          original: record.bytes,
          source,
          at,
          ...(failure ? { expected: failure.expected, grammar: failure.grammar } : { grammar: format }),
        }),
      ],
    };
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  const events: EcsEvent[] = [];
  const deadletters: DeadLetter[] = [];
  drafts.forEach((draft, index) => {
    const event = finishEvent(draft, record, text, flags, format, index, states);
    if (options.validate) {
      const problems = listEventProblems(event);
      if (problems.length > 0) {
        const error = new HangwatchError('HW_SCHEMA_INVALID', [problems.slice(0, 5).join('; ')]);
        deadletters.push(buildDeadLetter({ stage: 'parse', error, original: record.bytes, source, at, grammar: format }));
        return;
      }
    }
    events.push(event);
    noteHostDated(states, record.host, event);
  });
  return { events, deadletters };
}

/**
 * DESIGN.md section 6: an explicit --year-reference wins; else the same host's dated records (the year that puts
 * the line closest to them); else the file's modification time (the year that puts the line closest before it,
 * weak: copies get fresh ones); else the read time.
 */
export function yearReferenceFor(referenceMs: number | undefined, hostDatedMs: number | undefined, mtimeMs: number | undefined, createdMs: number): YearReference {
  if (referenceMs !== undefined) return { ms: referenceMs, basis: 'reference' };
  if (hostDatedMs !== undefined) return { ms: hostDatedMs, basis: 'host-records' };
  if (mtimeMs !== undefined && Number.isFinite(mtimeMs)) return { ms: mtimeMs, basis: 'file-mtime' };
  return { ms: createdMs, basis: 'ingest' };
}

const HOST_DATED_BASES: ReadonlySet<string> = new Set(['explicit', 'zone', 'header-interval']);

/**
 * A host record dated by its own full stamp (not a guest's clock, not a year we guessed) dates its host: an
 * explicit offset, or a full local date read in the host's zone (iostat -t, dmesg -T, a header date plus the
 * sampling interval). A time whose year was inferred carries `hangwatch.time.year` and never counts; neither do
 * derived ones (uptime, inherited, ingest) nor a clock flagged suspect.
 */
function noteHostDated(states: SourceStates, host: string, event: EcsEvent): void {
  const time = event.hangwatch.time;
  if (time.year !== undefined || !HOST_DATED_BASES.has(time.basis)) return;
  if (time.suspect === true) return;
  const dataset = event.event.dataset;
  if (!dataset.startsWith('libvirt.') && !dataset.startsWith('linux.')) return;
  const ms = Date.parse(event['@timestamp']);
  if (Number.isFinite(ms)) states.noteDated(host, ms);
}

/** Times a guest record took from the guest's own clock (not from its file, its context or the read). */
const GUEST_CLOCK_BASES: ReadonlySet<string> = new Set(['explicit', 'zone']);

function finishEvent(draft: EventDraft, record: RawRecord, text: string, flags: readonly string[], format: Format, index: number, states: SourceStates): EcsEvent {
  // Mutates the draft in place: it is fresh from the format parser and owned here. Measured: object spreads
  // of the nested event cost ~7 us per record (145k/s), more than the grammar itself.
  const event = draft as EcsEvent & EventDraft;
  const ev = event.event;
  if (ev.id === undefined) {
    ev.id = record.sourceId !== undefined ? sourceEventId(record.fingerprint, `${record.sourceId}#${index}`) : fileEventId(record.host, record.fingerprint, record.offset, index);
  }
  // A record's own read time wins (Winlogbeat's event.created); else when the shipper read it.
  if (ev.created === undefined) ev.created = record.created;
  if (ev.original === undefined) ev.original = text;
  const log = event.log ?? (event.log = {});
  log.file = { path: record.path };
  // A record identified by a source id has no byte offset (Vector without offset_key, journald).
  if (record.sourceId === undefined) log.offset = record.offset;
  const libvirt = event.libvirt ?? (event.libvirt = {});
  if (libvirt.hypervisor === undefined) libvirt.hypervisor = record.host;
  const hw = (draft as EventDraft).hangwatch;
  const parse = hw.parse ?? (hw.parse = {});
  if (parse.grammar === undefined) parse.grammar = format;
  if (flags.length > 0) parse.flags = parse.flags ? [...new Set([...parse.flags, ...flags])] : [...flags];
  hw.source = { fingerprint: record.fingerprint, format };
  // A guest's own clock is a claim (suspect-time.ts): the time is kept, flagged when it cannot be right. Against the
  // earlier read time: a Winlogbeat document's own event.created is on the guest's clock too.
  if (ev.dataset.startsWith('windows.') && GUEST_CLOCK_BASES.has(hw.time.basis) && hw.time.suspect !== true) {
    const readMs = Math.min(...[Date.parse(ev.created), Date.parse(record.created)].filter(Number.isFinite));
    if (isSuspectGuestTime(Date.parse(event['@timestamp']), readMs, states.datedReferenceOf(record.host))) hw.time.suspect = true;
  }
  return event;
}

/** The `ingest` fallback time for a record with no time at all and nothing to inherit. */
export function ingestTimestamp(createdMs: number): string {
  return isoUtc(createdMs);
}
