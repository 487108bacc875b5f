import { RAW_HEADERS } from '../../../shared/topics.js';
import { SCHEMA_VERSION } from '../../../shared/schema/event.js';
import type { Format } from '../../../shared/vocabulary.js';
import type { Frame } from './framing.js';
import type { OutRecord } from './send-queue.js';

// One framed record as a hangwatch.raw.v1 message: the value is the record's bytes, the headers say where they came
// from (services/parser/core/raw-from-kafka.ts reads exactly these; event.id = host + fingerprint + offset).

export interface SourceMeta {
  readonly host: string;
  readonly path: string;
  readonly format: Format | 'auto';
  readonly fingerprint: string;
  /** File modification time (ISO) when the chunk was read. */
  readonly mtime: string;
}

/** Fixed per-record cost of the record batch framing beyond value and headers (varints, attributes, deltas). */
const RECORD_OVERHEAD_BYTES = 24;

export function buildRawRecord(
  source: SourceMeta,
  frame: Frame,
  created: string,
  oversizeHeadBytes: number,
  resume?: { readonly fileId: number; readonly resumeAt: number },
): OutRecord {
  const record = createRawRecordBuilder(source, created, oversizeHeadBytes)(frame, resume?.fileId, resume?.resumeAt);
  if (!(record instanceof TemplatedRecord)) return record;
  // A plain object: callers spread it and add headers (journal-entry.ts).
  const { key, value, headers, cost } = record;
  return resume ? { key, value, headers, cost, fileId: resume.fileId, resumeAt: resume.resumeAt } : { key, value, headers, cost };
}

/** The header values shared by the records of one read of one file: all but the offset. */
export class HeaderTemplate {
  constructor(
    readonly host: string,
    readonly path: string,
    readonly format: string,
    readonly fingerprint: string,
    readonly created: string,
    readonly mtime: string,
  ) {}

  /** The headers of the record at `offset`, in the order buildRawRecord gives them. */
  headersAt(offset: number): Record<string, string> {
    return {
      [RAW_HEADERS.host]: this.host,
      [RAW_HEADERS.path]: this.path,
      [RAW_HEADERS.format]: this.format,
      [RAW_HEADERS.fingerprint]: this.fingerprint,
      [RAW_HEADERS.offset]: String(offset),
      [RAW_HEADERS.created]: this.created,
      [RAW_HEADERS.mtime]: this.mtime,
      [RAW_HEADERS.schemaVersion]: SCHEMA_VERSION,
    };
  }
}

/**
 * A record of a tailed file: its headers are its template's plus its offset, built only when asked for (the batch
 * encoder writes them from the template without building them). Building an eight-header object per line was
 * ~6% of the shipper's CPU on the 1M-line bench, and its garbage a good part of the collector's time.
 */
export class TemplatedRecord implements OutRecord {
  constructor(
    readonly template: HeaderTemplate,
    readonly value: Buffer,
    /** The record's byte offset in its file (the hw-offset header). */
    readonly offset: number,
    readonly cost: number,
    readonly fileId: number | undefined,
    readonly resumeAt: number | undefined,
  ) {}

  get key(): string {
    return this.template.host;
  }

  get headers(): Readonly<Record<string, string>> {
    return this.template.headersAt(this.offset);
  }
}

/** Decimal digits of a non-negative integer (the length of String(n)). */
export function decimalDigits(n: number): number {
  let digits = 1;
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  return digits;
}

/**
 * buildRawRecord for many frames of one source and read: the headers that do not change per record are shared
 * (a HeaderTemplate) and costed once. Oversize frames, with their extra headers, get plain records.
 */
export function createRawRecordBuilder(
  source: SourceMeta,
  created: string,
  oversizeHeadBytes: number,
): (frame: Frame, fileId?: number, resumeAt?: number) => OutRecord {
  const { host, path, format, fingerprint, mtime } = source;
  const template = new HeaderTemplate(host, path, format, fingerprint, created, mtime);
  const fixed = template.headersAt(0);
  let fixedCost = host.length + RECORD_OVERHEAD_BYTES;
  for (const key in fixed) fixedCost += key.length + (key === RAW_HEADERS.offset ? 0 : (fixed[key] as string).length) + 2;
  return (frame, fileId, resumeAt) => {
    if (!frame.oversize) return new TemplatedRecord(template, frame.bytes, frame.offset, fixedCost + decimalDigits(frame.offset) + frame.bytes.length, fileId, resumeAt);
    const headers = template.headersAt(frame.offset);
    // The parser dead-letters it and keeps at most 64 KiB (DESIGN.md section 9): ship no more than that.
    headers[RAW_HEADERS.oversizeLength] = String(frame.oversize.length);
    headers[RAW_HEADERS.oversizeSha256] = frame.oversize.sha256;
    const value = frame.bytes.length > oversizeHeadBytes ? frame.bytes.subarray(0, oversizeHeadBytes) : frame.bytes;
    let cost = value.length + host.length + RECORD_OVERHEAD_BYTES;
    for (const key in headers) cost += key.length + (headers[key] as string).length + 2;
    return fileId !== undefined && resumeAt !== undefined ? { key: host, value, headers, cost, fileId, resumeAt } : { key: host, value, headers, cost };
  };
}
