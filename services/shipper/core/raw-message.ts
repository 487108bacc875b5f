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
  const headers: Record<string, string> = {
    [RAW_HEADERS.host]: source.host,
    [RAW_HEADERS.path]: source.path,
    [RAW_HEADERS.format]: source.format,
    [RAW_HEADERS.fingerprint]: source.fingerprint,
    [RAW_HEADERS.offset]: String(frame.offset),
    [RAW_HEADERS.created]: created,
    [RAW_HEADERS.mtime]: source.mtime,
    [RAW_HEADERS.schemaVersion]: SCHEMA_VERSION,
  };
  let value = frame.bytes;
  if (frame.oversize) {
    // The parser dead-letters it and keeps at most 64 KiB (DESIGN.md section 9): ship no more than that.
    headers[RAW_HEADERS.oversizeLength] = String(frame.oversize.length);
    headers[RAW_HEADERS.oversizeSha256] = frame.oversize.sha256;
    if (value.length > oversizeHeadBytes) value = value.subarray(0, oversizeHeadBytes);
  }
  let cost = value.length + source.host.length + RECORD_OVERHEAD_BYTES;
  for (const key in headers) cost += key.length + (headers[key] as string).length + 2;
  return { key: source.host, value, headers, cost, ...(resume ? { fileId: resume.fileId, resumeAt: resume.resumeAt } : {}) };
}
