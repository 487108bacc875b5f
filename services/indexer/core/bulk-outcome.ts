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
