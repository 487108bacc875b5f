import { createHash } from 'node:crypto';
import { buildDeadLetter } from '../../../shared/deadletter.js';
import { HangwatchError } from '../../../shared/errors.js';
import type { DeadLetter } from '../../../shared/schema/deadletter.js';
import { eventsIndexFor, INDICES, TOPICS } from '../../../shared/topics.js';

// From Kafka messages to bulk operations (pure). `_id` = event.id / incident.id / alert.id, so replays
// overwrite instead of duplicating; an incident tombstone (null value) deletes; a dead letter's id is a digest
// of where it came from and what it held.

export type BulkOp =
  | { readonly kind: 'index'; readonly index: string; readonly id: string; readonly doc: Record<string, unknown>; readonly source: SourceRef }
  | { readonly kind: 'delete'; readonly index: string; readonly id: string; readonly source: SourceRef };

export interface SourceRef {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The original message value, kept to dead-letter it if Elasticsearch rejects the document. */
  readonly value: Buffer | null;
}

export interface PlannedBatch {
  /** Operations to write, including dead letters (in hangwatch-deadletter) for messages that could not be planned. */
  readonly ops: BulkOp[];
  readonly unplannable: number;
}

export interface MessageIn {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

export function planBulk(topic: string, partition: number, messages: readonly MessageIn[], ingested: string): PlannedBatch {
  const ops: BulkOp[] = [];
  let unplannable = 0;
  for (const m of messages) {
    const source: SourceRef = { topic, partition, offset: m.offset, value: m.value };
    try {
      const op = planOne(topic, m, source, ingested);
      if (op) ops.push(op);
    } catch (error) {
      unplannable++;
      ops.push(deadLetterOp(buildDeadLetter({ stage: 'index', error, original: m.value ?? Buffer.alloc(0), source: { kafka: { topic, partition, offset: m.offset } }, at: ingested }), source));
    }
  }
  return { ops, unplannable };
}

function planOne(topic: string, m: MessageIn, source: SourceRef, ingested: string): BulkOp | undefined {
  if (m.value === null) {
    // Tombstones: an incident merged into another is deleted (DESIGN.md section 5); others carry nothing.
    if (topic === TOPICS.incidents && m.key) return { kind: 'delete', index: INDICES.incidents, id: m.key.toString(), source };
    return undefined;
  }
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(m.value.toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new HangwatchError('HW_JSON_MALFORMED', [(error as Error).message], { cause: error });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new HangwatchError('HW_RECORD_INVALID', ['the message is not a JSON object']);
  switch (topic) {
    case TOPICS.events: {
      const event = doc.event as Record<string, unknown> | undefined;
      const id = event?.id;
      const ts = doc['@timestamp'];
      if (typeof id !== 'string' || typeof ts !== 'string' || !/^\d{4}-\d\d-\d\dT/.test(ts)) throw new HangwatchError('HW_RECORD_INVALID', ['event without event.id or @timestamp']);
      (event as Record<string, unknown>).ingested = ingested;
      return { kind: 'index', index: eventsIndexFor(ts), id, doc, source };
    }
    case TOPICS.incidents: {
      const id = (doc.incident as Record<string, unknown> | undefined)?.id;
      if (typeof id !== 'string') throw new HangwatchError('HW_RECORD_INVALID', ['incident without incident.id']);
      return { kind: 'index', index: INDICES.incidents, id, doc, source };
    }
    case TOPICS.alerts: {
      const id = (doc.alert as Record<string, unknown> | undefined)?.id;
      if (typeof id !== 'string') throw new HangwatchError('HW_RECORD_INVALID', ['alert without alert.id']);
      return { kind: 'index', index: INDICES.alerts, id, doc, source };
    }
    case TOPICS.deadletter:
      return { kind: 'index', index: INDICES.deadletter, id: deadLetterId(doc, m.value), doc, source };
    default:
      throw new HangwatchError('HW_RECORD_INVALID', [`no index for topic ${topic}`]);
  }
}

export function deadLetterOp(letter: DeadLetter, source: SourceRef): BulkOp {
  const doc = letter as unknown as Record<string, unknown>;
  return { kind: 'index', index: INDICES.deadletter, id: deadLetterId(doc, Buffer.from(letter.event.original)), doc, source: { ...source, value: null } };
}

/** Deterministic: the same dead letter replayed lands on the same document. */
export function deadLetterId(doc: Record<string, unknown>, value: Buffer): string {
  const hw = doc.hangwatch as { original?: { sha256?: string }; stage?: string } | undefined;
  const log = doc.log as { file?: { path?: string }; offset?: number } | undefined;
  const kafka = doc.kafka as { topic?: string; partition?: number; offset?: string } | undefined;
  const host = (doc.host as { name?: string } | undefined)?.name;
  const where = [hw?.stage, host, log?.file?.path, log?.offset, kafka?.topic, kafka?.partition, kafka?.offset, hw?.original?.sha256].join('\u0000');
  const basis = hw?.original?.sha256 ? where : value.toString('base64');
  return createHash('sha256').update(basis).digest('hex').slice(0, 32);
}
