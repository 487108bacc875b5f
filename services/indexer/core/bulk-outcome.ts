// Per-item decisions on a bulk response (Vector's retry.rs habit, unit-tested on canned bodies):
// 2xx done; 404 on a delete done; 429 and 5xx retried; any other 4xx (a mapping rejection) is final and goes
// to the dead letter index with the reason and the original document.

export type ItemDecision = 'done' | 'retry' | 'reject';

export interface BulkItemResult {
  readonly status: number;
  readonly error?: { readonly type?: string; readonly reason?: string; readonly caused_by?: { readonly reason?: string } };
}

export function decideItem(op: 'index' | 'delete', item: BulkItemResult): ItemDecision {
  if (item.status >= 200 && item.status < 300) return 'done';
  if (op === 'delete' && item.status === 404) return 'done';
  if (item.status === 429 || item.status >= 500) return 'retry';
  return 'reject';
}

export function describeRejection(item: BulkItemResult): string {
  const e = item.error;
  if (!e) return `status ${item.status}`;
  return [e.type, e.reason, e.caused_by?.reason].filter(Boolean).join(': ').slice(0, 1000);
}

/** Exponential backoff with full jitter (kafkajs src/retry habit), capped. `random` in [0,1) is passed in. */
export function backoffMs(attempt: number, random: number, baseMs = 200, capMs = 30_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.floor(ceiling / 2 + (random * ceiling) / 2);
}

export type RequestDecision = 'retry' | 'split';

/**
 * A whole bulk request failed. No answer (node down, timeout), 408, 429 and 5xx: retry it all later. Another 4xx
 * (413 too large, 400 unreadable body) would fail forever as sent: split the chunk until the one bad document is
 * alone, which then goes to the dead letter index.
 */
export function decideRequestFailure(statusCode: number | undefined): RequestDecision {
  if (statusCode === undefined || statusCode === 408 || statusCode === 429 || statusCode >= 500) return 'retry';
  return statusCode >= 400 ? 'split' : 'retry';
}

/** What happened to one batch; summed per interval for the info line and /metrics. */
export interface BatchCounts {
  received: number;
  indexed: number;
  deleted: number;
  retried: number;
  deadlettered: number;
  superseded: number;
  skipped: number;
  /** Dead letters the dead-letter index itself rejected (logged one by one: nothing else can hold them). */
  lost: number;
}

export function emptyCounts(): BatchCounts {
  return { received: 0, indexed: 0, deleted: 0, retried: 0, deadlettered: 0, superseded: 0, skipped: 0, lost: 0 };
}

export function addCounts(into: BatchCounts, add: Readonly<BatchCounts>): BatchCounts {
  for (const key of Object.keys(into) as Array<keyof BatchCounts>) into[key] += add[key];
  return into;
}
