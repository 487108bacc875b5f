import type { HostMetricsKind } from './host-metrics-records.js';
import { buildRawRecord } from './raw-message.js';
import type { OutRecord } from './send-queue.js';

// A host metrics sample (issue 15) as a hangwatch.raw.v1 message. A sample has no file and no byte offset, yet its
// event ids must be deterministic and unique (event.id = host + fingerprint + offset), so the offset header is
// built from the sampling instant: sampled ms * 1000 + the record's index in its round (one record per domain).
// Two rounds never share a millisecond (interval >= 1 s), a replay of the same record keeps its id, and nothing
// needs persisting (a counter in the state folder would have to be fsynced before each send, or a crash would
// hand out an id twice). Rounds with more than 1000 domains continue under a second fingerprint.
// The path is fixed per kind: the parser keeps the previous sample per host + path to compute rates.

export const SAMPLES_PER_MS = 1000;

export function samplePath(kind: HostMetricsKind): string {
  return `host-metrics/${kind}`;
}

export interface SampleRecordInput {
  readonly host: string;
  readonly kind: HostMetricsKind;
  readonly sampledMs: number;
  /** Position of the record among the records of its kind in its round. */
  readonly index: number;
  readonly text: string;
  readonly created: string;
}

export function buildSampleRecord(input: SampleRecordInput): OutRecord {
  const overflow = Math.floor(input.index / SAMPLES_PER_MS);
  const fingerprint = `host-metrics:${input.kind}${overflow > 0 ? `:${overflow}` : ''}`;
  const sampled = new Date(input.sampledMs).toISOString();
  return buildRawRecord(
    { host: input.host, path: samplePath(input.kind), format: 'domstats', fingerprint, mtime: sampled },
    { offset: input.sampledMs * SAMPLES_PER_MS + (input.index % SAMPLES_PER_MS), bytes: Buffer.from(input.text, 'utf8') },
    input.created,
    Number.MAX_SAFE_INTEGER,
  );
}
