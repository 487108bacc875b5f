import type { Client } from '@elastic/elasticsearch';
import { buildDeadLetter } from '../../../shared/deadletter.js';
import { HangwatchError } from '../../../shared/errors.js';
import type { Logger } from '../../../shared/logger.js';
import { INDICES } from '../../../shared/topics.js';
import { backoffMs, decideItem, describeRejection, type BulkItemResult } from '../core/bulk-outcome.js';
import { deadLetterOp, type BulkOp } from '../core/bulk-plan.js';

// Writes one planned batch until Elasticsearch acknowledged every document: retriable items (429, 5xx) and
// whole-request failures (node down) are retried with backoff for as long as it takes (the consumer is paused
// meanwhile, because offsets are committed only after this returns); rejected documents become dead letters
// in hangwatch-deadletter, written in the same loop.

export interface BulkCounts {
  indexed: number;
  retried: number;
  deadlettered: number;
  deleted: number;
}

export interface BulkWriterOptions {
  readonly client: Client;
  readonly logger: Logger;
  readonly flushBytes: number;
  /** Called while waiting, to keep the Kafka session alive; throws to abandon the batch (rebalance). */
  readonly keepAlive: () => Promise<void>;
  readonly shouldContinue: () => boolean;
  readonly now: () => string;
}

export async function writeBulk(ops: readonly BulkOp[], options: BulkWriterOptions): Promise<BulkCounts> {
  const counts: BulkCounts = { indexed: 0, retried: 0, deadlettered: 0, deleted: 0 };
  let pending: BulkOp[] = [...ops];
  let attempt = 0;
  let outageLogged = false;
  while (pending.length > 0) {
    if (!options.shouldContinue()) throw new HangwatchError('HW_ES_UNAVAILABLE', ['(stopping)', 'batch abandoned before it was acknowledged']);
    const [chunk, rest] = takeChunk(pending, options.flushBytes);
    let items: Array<Record<string, BulkItemResult>>;
    try {
      const response = await options.client.bulk({ operations: toOperations(chunk), refresh: false }, { requestTimeout: 60_000 });
      items = response.items as unknown as Array<Record<string, BulkItemResult>>;
      if (outageLogged) options.logger.info({ attempt }, 'Elasticsearch answers again; resuming');
      outageLogged = false;
    } catch (error) {
      attempt++;
      const wait = backoffMs(attempt, Math.random());
      if (!outageLogged) {
        options.logger.warn({ err: redactError(error), waitMs: wait }, 'Elasticsearch bulk request failed; pausing consumption and retrying');
        outageLogged = true;
      }
      await sleepAlive(wait, options);
      continue;
    }
    const retry: BulkOp[] = [];
    chunk.forEach((op, i) => {
      const result = items[i]?.[op.kind] ?? { status: 500 };
      const decision = decideItem(op.kind, result);
      if (decision === 'done') {
        if (op.kind === 'delete') counts.deleted++;
        else counts.indexed++;
      } else if (decision === 'retry') {
        retry.push(op);
        counts.retried++;
      } else if (op.kind === 'index' && op.index !== INDICES.deadletter) {
        retry.push(toDeadLetterOp(op, describeRejection(result), options.now()));
        counts.deadlettered++;
      } else {
        // A dead letter rejected by the dead-letter index: nothing further can hold it; say so loudly.
        options.logger.error({ id: op.id, index: op.index, reason: describeRejection(result) }, 'dead letter rejected by Elasticsearch');
      }
    });
    pending = [...retry, ...rest];
    if (retry.length > 0 && retry.length === chunk.length) {
      attempt++;
      await sleepAlive(backoffMs(attempt, Math.random()), options);
    } else attempt = 0;
  }
  return counts;
}

function takeChunk(ops: BulkOp[], flushBytes: number): [BulkOp[], BulkOp[]] {
  let bytes = 0;
  let n = 0;
  for (const op of ops) {
    const size = op.kind === 'index' ? (op.source.value?.length ?? 256) + 128 : 128;
    if (n > 0 && bytes + size > flushBytes) break;
    bytes += size;
    n++;
  }
  return [ops.slice(0, n), ops.slice(n)];
}

function toOperations(ops: readonly BulkOp[]): unknown[] {
  const out: unknown[] = [];
  for (const op of ops) {
    if (op.kind === 'delete') out.push({ delete: { _index: op.index, _id: op.id } });
    else out.push({ index: { _index: op.index, _id: op.id } }, op.doc);
  }
  return out;
}

function toDeadLetterOp(op: Extract<BulkOp, { kind: 'index' }>, reason: string, at: string): BulkOp {
  const original = op.source.value ?? Buffer.from(JSON.stringify(op.doc));
  const letter = buildDeadLetter({
    stage: 'index',
    error: new HangwatchError('HW_ES_REJECTED', [reason]),
    original,
    source: { kafka: { topic: op.source.topic, partition: op.source.partition, offset: op.source.offset } },
    at,
    ...(typeof (op.doc.event as { id?: unknown } | undefined)?.id === 'string' ? { eventId: (op.doc.event as { id: string }).id } : {}),
  });
  return deadLetterOp(letter, op.source);
}

async function sleepAlive(ms: number, options: BulkWriterOptions): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, Math.min(1000, until - Date.now())));
    await options.keepAlive();
  }
}

function redactError(error: unknown): { message: string; name?: string } {
  const e = error as Error;
  return { name: e?.name, message: String(e?.message ?? error).replace(/\/\/[^/@\s]+@/g, '//[redacted]@') };
}
