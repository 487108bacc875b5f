import type { Client } from '@elastic/elasticsearch';
import { buildDeadLetter } from '../../../shared/deadletter.js';
import { HangwatchError } from '../../../shared/errors.js';
import type { Logger } from '../../../shared/logger.js';
import { INDICES } from '../../../shared/topics.js';
import { backoffMs, decideItem, decideRequestFailure, describeHold, describeRejection, type BulkItemResult } from '../core/bulk-outcome.js';
import { deadLetterOp, type BulkOp } from '../core/bulk-plan.js';

// Writes one planned batch until Elasticsearch acknowledged every document: retriable items (429, 5xx) and
// whole-request failures (node down) are retried with backoff for as long as it takes; the batch's offsets are
// committed only after this returns, and no further batch of the partition is taken meanwhile, so consumption
// pauses instead of piling up in memory. Rejected documents become dead letters in hangwatch-deadletter,
// written in the same loop. The Kafka session is kept alive (heartbeats) during waits and long requests.

export interface WriteCounts {
  /** Records acknowledged (not counting the dead letters the indexer made). */
  indexed: number;
  /** Dead letters the indexer made (planning failures and rejections) that were acknowledged. */
  letters: number;
  deleted: number;
  retried: number;
  deadlettered: number;
  lost: number;
}

export interface BulkWriterOptions {
  readonly client: Client;
  readonly logger: Logger;
  readonly flushBytes: number;
  /** Called while waiting, to keep the Kafka session alive. */
  readonly keepAlive: () => Promise<void>;
  /** False once the batch must be abandoned (stopping, rebalanced): it is then replayed by the next owner. */
  readonly shouldContinue: () => boolean;
  readonly now: () => string;
  /** Told when Elasticsearch stops answering (true) and answers again (false). */
  readonly onOutage?: (down: boolean) => void;
}

/** One op with its NDJSON lines, serialized once (retries resend the same bytes). */
interface Line {
  readonly op: BulkOp;
  readonly text: string;
}

const BULK_TIMEOUT_MS = 60_000;
const HEARTBEAT_EVERY_MS = 3_000;
/** Whole-request retries back off up to this: after an outage the node is used again within seconds. */
const OUTAGE_BACKOFF_CAP_MS = 10_000;

export async function writeBulk(ops: readonly BulkOp[], options: BulkWriterOptions): Promise<WriteCounts> {
  const counts: WriteCounts = { indexed: 0, letters: 0, deleted: 0, retried: 0, deadlettered: 0, lost: 0 };
  let pending: Line[] = ops.map(serialize);
  let attempt = 0;
  let down = false;
  let maxOps = Number.POSITIVE_INFINITY;
  while (pending.length > 0) {
    if (!options.shouldContinue()) throw new HangwatchError('HW_ES_UNAVAILABLE', ['(stopping or rebalanced)', 'batch abandoned before it was acknowledged; it will be replayed']);
    const [chunk, rest] = takeChunk(pending, options.flushBytes, maxOps);
    let items: Array<Record<string, BulkItemResult>>;
    try {
      const body = chunk.map((l) => l.text).join('');
      const request = options.client.bulk({ operations: body as unknown as [] }, { requestTimeout: BULK_TIMEOUT_MS });
      const response = await whileAlive(request, options.keepAlive);
      items = response.items as unknown as Array<Record<string, BulkItemResult>>;
      maxOps = Number.POSITIVE_INFINITY;
    } catch (error) {
      const status = (error as { meta?: { statusCode?: number } }).meta?.statusCode;
      const decision = decideRequestFailure(status);
      if (decision === 'split') {
        if (chunk.length > 1) {
          maxOps = Math.max(1, Math.floor(chunk.length / 2));
          continue;
        }
        pending = [...rejectLines(chunk, `bulk request refused (HTTP ${status}): ${redact(error).message}`, counts, options), ...rest];
        continue;
      }
      attempt++;
      const wait = backoffMs(attempt, Math.random(), 200, OUTAGE_BACKOFF_CAP_MS);
      if (!down) {
        if (decision === 'hold') options.logger.error({ err: redact(error), status, waitMs: wait }, describeHold(status));
        else options.logger.warn({ err: redact(error), status, waitMs: wait }, 'Elasticsearch bulk request failed; consumption paused, retrying with backoff');
        options.onOutage?.(true);
        down = true;
      }
      await sleepAlive(wait, options);
      continue;
    }
    const retry: Line[] = [];
    const rejected: Array<[Line, string]> = [];
    let held: number | undefined;
    chunk.forEach((line, i) => {
      const result = items[i]?.[line.op.kind] ?? { status: 500 };
      const decision = decideItem(line.op.kind, result);
      if (decision === 'done') {
        if (line.op.kind === 'delete') counts.deleted++;
        else if (line.op.letter) counts.letters++;
        else counts.indexed++;
      } else if (decision === 'retry') {
        retry.push(line);
        counts.retried++;
      } else if (decision === 'hold') {
        retry.push(line);
        held = result.status;
      } else rejected.push([line, describeRejection(result)]);
    });
    if (held !== undefined) {
      // Refused as a client (credentials, privileges, missing index): an outage, not bad documents. Everything
      // not yet acknowledged waits, readiness goes false, and the batch's offsets stay uncommitted.
      attempt++;
      const wait = backoffMs(attempt, Math.random(), 200, OUTAGE_BACKOFF_CAP_MS);
      if (!down) {
        options.logger.error({ status: held, waitMs: wait }, describeHold(held));
        options.onOutage?.(true);
        down = true;
      }
      pending = [...retry, ...rejected.flatMap(([line, reason]) => rejectLines([line], reason, counts, options)), ...rest];
      await sleepAlive(wait, options);
      continue;
    }
    if (down) {
      // Answered, and not refusing us as a client: the outage (unreachable, or 401/403) is over.
      options.logger.info({ attempt }, 'Elasticsearch answers again; consumption resumes');
      options.onOutage?.(false);
      down = false;
    }
    const letters = rejected.flatMap(([line, reason]) => rejectLines([line], reason, counts, options));
    pending = [...retry, ...letters, ...rest];
    if (retry.length > 0 && letters.length === 0 && retry.length === chunk.length) {
      attempt++;
      await sleepAlive(backoffMs(attempt, Math.random()), options);
    } else attempt = 0;
  }
  return counts;
}

function serialize(op: BulkOp): Line {
  const action = JSON.stringify({ [op.kind]: { _index: op.index, _id: op.id } });
  return { op, text: op.kind === 'delete' ? `${action}\n` : `${action}\n${op.body ?? JSON.stringify(op.doc)}\n` };
}

/** Up to flushBytes of NDJSON (at least one op), and at most maxOps ops. */
function takeChunk(lines: Line[], flushBytes: number, maxOps: number): [Line[], Line[]] {
  let bytes = 0;
  let n = 0;
  for (const line of lines) {
    // String length undercounts non-ASCII bytes a little; flushBytes is a target, not the server's hard limit.
    if (n > 0 && (bytes + line.text.length > flushBytes || n >= maxOps)) break;
    bytes += line.text.length;
    n++;
  }
  return [lines.slice(0, n), lines.slice(n)];
}

/** Rejected documents become dead letters (reason + original); a rejected dead letter is logged as lost. */
function rejectLines(lines: readonly Line[], reason: string, counts: WriteCounts, options: BulkWriterOptions): Line[] {
  const out: Line[] = [];
  for (const { op } of lines) {
    if (op.kind === 'index' && op.index !== INDICES.deadletter) {
      out.push(serialize(toDeadLetterOp(op, reason, options.now())));
      counts.deadlettered++;
    } else {
      counts.lost++;
      options.logger.error({ id: op.id, index: op.index, op: op.kind, reason }, 'Elasticsearch refused a dead letter or a delete; nothing else can hold it');
    }
  }
  return out;
}

function toDeadLetterOp(op: Extract<BulkOp, { kind: 'index' }>, reason: string, at: string): BulkOp {
  const original = op.source.value ?? Buffer.from(JSON.stringify(op.doc));
  const eventId = (op.doc.event as { id?: unknown } | undefined)?.id;
  const letter = buildDeadLetter({
    stage: 'index',
    error: new HangwatchError('HW_ES_REJECTED', [reason]),
    original,
    source: { kafka: { topic: op.source.topic, partition: op.source.partition, offset: op.source.offset } },
    at,
    ...(typeof eventId === 'string' ? { eventId } : {}),
  });
  return deadLetterOp(letter, op.source);
}

/** Awaits a request while heartbeating, so a slow or hanging node does not cost the group membership. */
async function whileAlive<T>(request: Promise<T>, keepAlive: () => Promise<void>): Promise<T> {
  const timer = setInterval(() => {
    keepAlive().catch(() => undefined); // a failed heartbeat (rebalance) shows up as shouldContinue() === false
  }, HEARTBEAT_EVERY_MS);
  try {
    return await request;
  } finally {
    clearInterval(timer);
  }
}

async function sleepAlive(ms: number, options: BulkWriterOptions): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && options.shouldContinue()) {
    await new Promise((r) => setTimeout(r, Math.min(1000, until - Date.now())));
    await options.keepAlive().catch(() => undefined);
  }
}

/** Client errors can carry the node URL, with credentials when they were put in it. */
export function redact(error: unknown): { message: string; name?: string } {
  const e = error as Error;
  return { name: e?.name, message: String(e?.message ?? error).replace(/\/\/[^/@\s]+@/g, '//[redacted]@').slice(0, 500) };
}

/**
 * The searchable copies of these event ids anywhere in hangwatch-events-* (for re-timed events, bulk-plan.ts).
 * With `refresh`, a refresh first (after a partition changed hands: the previous owner's last writes may not be
 * searchable yet); otherwise recent writes of this process come from RecentWrites. Retried like a bulk request.
 */
export async function findEventCopies(ids: readonly string[], refresh: boolean, options: BulkWriterOptions): Promise<Array<{ _index: string; _id?: string | null }>> {
  const found: Array<{ _index: string; _id?: string | null }> = [];
  const CHUNK = 2000;
  let attempt = 0;
  let refreshed = !refresh;
  for (let i = 0; i < ids.length; ) {
    if (!options.shouldContinue()) throw new HangwatchError('HW_ES_UNAVAILABLE', ['(stopping or rebalanced)', 'batch abandoned before it was acknowledged; it will be replayed']);
    const values = ids.slice(i, i + CHUNK);
    try {
      const work = (async () => {
        if (!refreshed) await options.client.indices.refresh({ index: INDICES.eventsPattern, ignore_unavailable: true, allow_no_indices: true });
        refreshed = true;
        return options.client.search({
          index: INDICES.eventsPattern,
          ignore_unavailable: true,
          allow_no_indices: true,
          query: { ids: { values } },
          _source: false,
          size: Math.min(10_000, values.length * 4),
        });
      })();
      const response = await whileAlive(work, options.keepAlive);
      for (const hit of response.hits.hits) found.push({ _index: hit._index, _id: hit._id ?? null });
      i += CHUNK;
      attempt = 0;
    } catch (error) {
      attempt++;
      const wait = backoffMs(attempt, Math.random(), 200, OUTAGE_BACKOFF_CAP_MS);
      if (attempt === 1) options.logger.warn({ err: redact(error), waitMs: wait }, 'looking up re-timed events failed; retrying');
      await sleepAlive(wait, options);
    }
  }
  return found;
}
