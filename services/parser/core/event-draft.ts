import type { EcsEvent } from '../../../shared/schema/event.js';
import type { Format, YearBasis } from '../../../shared/vocabulary.js';
import type { RawRecord } from '../../../shared/raw-record.js';
import type { Zone } from '../../../shared/time.js';

// What a format parser returns: an event without the bookkeeping the parser core adds to every event
// (event.id unless the format has its own identity, event.created, event.original, log.file.path, log.offset,
// libvirt.hypervisor, hangwatch.parse.grammar).

type EventPart = EcsEvent['event'];
export type EventDraft = Omit<EcsEvent, 'event' | 'hangwatch'> & {
  event: Omit<EventPart, 'id'> & { id?: string };
  hangwatch: Omit<EcsEvent['hangwatch'], 'parse'> & { parse?: Partial<EcsEvent['hangwatch']['parse']> };
};

/** Mutable per-source state (one per host + path): previous line's time for `inherited`, boot times, etc. */
export interface SourceState {
  lastTimestampMs?: number;
  /** Learned facts a format may keep between records of one source (e.g. kernel boot time, iostat header). */
  memo: Record<string, unknown>;
}

export interface ParseOptions {
  /** Zone for host records without an offset (kernel syslog). Configuration wins over learning. */
  readonly hostZone?: Zone;
  /** Zone for guest records with local times (6008 local time, WinDbg without offset). */
  readonly guestZone?: Zone;
  /** Maximum record size in bytes; larger records are dead letters (HW_RECORD_TOO_LARGE). */
  readonly maxRecordBytes: number;
  /**
   * Overrides the file modification time as the reference for year-less syslog stamps (DESIGN.md section 6):
   * for copies whose mtime was lost (git checkouts, `cp` without -p). Epoch ms.
   */
  readonly yearReferenceMs?: number;
  /**
   * Sampling interval of iostat output collected without -t (`iostat -x 5`: 5000), which the output does not
   * print: report k is dated the banner's date + k intervals. Wins over a pasted command line or the file name.
   */
  readonly iostatIntervalMs?: number;
  /** Validate every event against the runtime schema (tests, dev); costs ~us per event. */
  readonly validate: boolean;
}

export interface ParseContext {
  readonly record: RawRecord;
  /** The record as text; invalid UTF-8 replaced by U+FFFD (and `invalid-utf8` in flags). */
  readonly text: string;
  readonly flags: readonly string[];
  readonly state: SourceState;
  readonly options: ParseOptions;
  /** Fallback time: the shipper's read time (basis `ingest`), as epoch ms. */
  readonly createdMs: number;
  /** File modification time as epoch ms when known. */
  readonly mtimeMs?: number;
  /** Where a year-less syslog stamp takes its year from (DESIGN.md section 6); see syslog-time.ts syslogYear(). */
  readonly year: YearReference;
}

export interface YearReference {
  readonly ms: number;
  readonly basis: YearBasis;
}

export interface FormatParser {
  readonly format: Format;
  /** Parses one record into zero or more drafts (zero: a record that carries nothing, e.g. a blank line). */
  parse(ctx: ParseContext): EventDraft[];
}
