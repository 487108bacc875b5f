// Per-item decisions on a bulk response (Vector's retry.rs habit, unit-tested on canned bodies):
// 2xx done; 404 on a delete done; 429 and 5xx retried; 401 and 403 (an expired API key, a role without the
// index privilege) and a 404 of a missing index (auto-create off, the index deleted under us) are outages: held and
// retried until the operator fixes them, never counted lost, offsets not committed past them; any other 4xx (a
// mapping rejection) is final and goes to the dead letter index with the reason and the original document.

export type ItemDecision = 'done' | 'retry' | 'hold' | 'reject';

/** Statuses that say "this cluster will not take it from us now", not "this document is bad". */
export function isAuthOrMissingIndex(status: number | undefined, type?: string): boolean {
  if (status === 401 || status === 403) return true;
  return status === 404 && (type === undefined || type === 'index_not_found_exception');
}

export interface BulkItemResult {
  readonly status: number;
  readonly error?: { readonly type?: string; readonly reason?: string; readonly caused_by?: { readonly reason?: string } };
}

export function decideItem(op: 'index' | 'delete', item: BulkItemResult): ItemDecision {
  if (item.status >= 200 && item.status < 300) return 'done';
  if (op === 'delete' && item.status === 404) return 'done';
  if (item.status === 429 || item.status >= 500) return 'retry';
  if (isAuthOrMissingIndex(item.status, item.error?.type)) return 'hold';
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

export type RequestDecision = 'retry' | 'hold' | 'split';

/**
 * A whole bulk request failed. No answer (node down, timeout), 408, 429 and 5xx: retry it all later. 401, 403 and
 * 404 (credentials expired or revoked, a role changed, a proxy path wrong): an outage to report and retry, never a
 * reason to dead-letter the batch. Another 4xx (413 too large, 400 unreadable body) would fail forever as sent:
 * split the chunk until the one bad document is alone, which then goes to the dead letter index.
 */
export function decideRequestFailure(statusCode: number | undefined): RequestDecision {
  if (statusCode === undefined || statusCode === 408 || statusCode === 429 || statusCode >= 500) return 'retry';
  if (isAuthOrMissingIndex(statusCode)) return 'hold';
  return statusCode >= 400 ? 'split' : 'retry';
}

/** The one line an operator reads when Elasticsearch refuses us as a client rather than a document. */
export function describeHold(status: number | undefined): string {
  if (status === 401) return 'Elasticsearch refused our credentials (HTTP 401): the API key or password expired or was revoked; indexing is paused and offsets are held until it accepts them';
  if (status === 403) return 'Elasticsearch denied the write (HTTP 403): the API key or role lacks the index privilege; indexing is paused and offsets are held until it is granted';
  return `Elasticsearch answered HTTP ${status ?? '?'} for the index (missing, or auto-create off): indexing is paused and offsets are held until it exists`;
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
