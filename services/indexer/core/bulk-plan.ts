import { createHash } from 'node:crypto';
import { buildDeadLetter } from '../../../shared/deadletter.js';
import { HangwatchError } from '../../../shared/errors.js';
import type { DeadLetter } from '../../../shared/schema/deadletter.js';
import { INDICES } from '../../../shared/topics.js';
import { eventsIndexOf } from './event-index.js';
import { spliceIngested } from './splice-ingested.js';
import type { TopicKind } from './topic-kinds.js';

// From Kafka messages to bulk operations (pure). `_id` = event.id / incident.id / alert.id, so replays
// overwrite instead of duplicating; an incident tombstone (null value) deletes; a dead letter's id is a digest
// of where it came from and what it held.
// Re-timing (DESIGN.md section 7): the correlator re-emits an enriched event (header `hw-enriched: 1`) with the
// same event.id and maybe another @timestamp, so another day's index. Such events are listed in `relocated`:
// the adapter looks their ids up across hangwatch-events-* and planStaleCopyDeletes() deletes every copy that is
// not in the new target index. Within one batch only the last record of an event id is written.

/** Header the correlator sets on re-emitted events (services/correlator/adapters/kafka-correlator.ts). */
export const ENRICHED_HEADER = 'hw-enriched';

export type BulkOp =
  | {
      readonly kind: 'index';
      readonly index: string;
      readonly id: string;
      readonly doc: Record<string, unknown>;
      readonly source: SourceRef;
      /** A dead letter made by the indexer (for a record it could not plan or ES rejected), not a record of its own. */
      readonly letter?: true;
      /** `doc` as one line of JSON when it is already at hand (the record's own text), so it is not serialized again. */
      readonly body?: string;
    }
  | { readonly kind: 'delete'; readonly index: string; readonly id: string; readonly source: SourceRef };

/** An event written to `index` whose older copies elsewhere in hangwatch-events-* must go. */
export interface Relocation {
  readonly id: string;
  readonly index: string;
  readonly source: SourceRef;
}

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
  /** Messages that became dead letters here (not JSON, no id, unknown topic). */
  readonly unplannable: number;
  /** Records replaced by a later record of the same id in the same batch (never written). */
  readonly superseded: number;
  /** Null values with nothing to delete. */
  readonly skipped: number;
  /** Re-emitted events whose older copies in other daily indices must be deleted. */
  readonly relocated: Relocation[];
}

type HeaderValue = Buffer | string | ReadonlyArray<Buffer | string> | undefined;

export interface MessageIn {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, HeaderValue>>;
}

export interface BatchRef {
  readonly topic: string;
  readonly partition: number;
  /** The kind of records the topic carries (topic-kinds.ts); undefined: every message is dead-lettered. */
  readonly kind: TopicKind | undefined;
}

interface Planned {
  readonly op: BulkOp;
  readonly enriched: boolean;
}

export function planBulk(batch: BatchRef, messages: readonly MessageIn[], ingested: string): PlannedBatch {
  const planned: Array<Planned | undefined> = [];
  let unplannable = 0;
  let skipped = 0;
  for (const m of messages) {
    const source: SourceRef = { topic: batch.topic, partition: batch.partition, offset: m.offset, value: m.value };
    try {
      const op = planOne(batch.kind, m, source, ingested);
      if (op) planned.push({ op, enriched: batch.kind === 'events' && isEnriched(m.headers) });
      else skipped++;
    } catch (error) {
      unplannable++;
      const letter = buildDeadLetter({ stage: 'index', error, original: m.value ?? Buffer.alloc(0), source: { kafka: { topic: batch.topic, partition: batch.partition, offset: m.offset } }, at: ingested });
      planned.push({ op: deadLetterOp(letter, source), enriched: false });
    }
  }
  const { superseded, relocated } = keepLastPerEvent(batch.kind, planned);
  return { ops: planned.filter((p): p is Planned => p !== undefined).map((p) => p.op), unplannable, superseded, skipped, relocated };
}

/**
 * Events: only the last record of an id in a batch is written (an enriched copy supersedes the original, and
 * writing both could leave the original in another day's index). The kept one is relocated (its stale copies
 * searched and deleted) when it or a superseded record was enriched or went to another index.
 */
function keepLastPerEvent(kind: TopicKind | undefined, planned: Array<Planned | undefined>): { superseded: number; relocated: Relocation[] } {
  const relocated: Relocation[] = [];
  if (kind !== 'events') return { superseded: 0, relocated };
  const last = new Map<string, number>();
  const moved = new Set<string>();
  let superseded = 0;
  planned.forEach((p, i) => {
    if (!p || p.op.index === INDICES.deadletter) return;
    const before = last.get(p.op.id);
    if (before !== undefined) {
      const earlier = planned[before]!;
      if (earlier.enriched || earlier.op.index !== p.op.index) moved.add(p.op.id);
      planned[before] = undefined;
      superseded++;
    }
    last.set(p.op.id, i);
  });
  for (const i of last.values()) {
    const p = planned[i]!;
    if (p.enriched || moved.has(p.op.id)) relocated.push({ id: p.op.id, index: p.op.index, source: p.op.source });
  }
  return { superseded, relocated };
}

/** Deletes for the copies of relocated events found (by id, across hangwatch-events-*) outside their target index. */
export function planStaleCopyDeletes(relocated: readonly Relocation[], found: ReadonlyArray<{ readonly _index: string; readonly _id?: string | null }>): BulkOp[] {
  const byId = new Map(relocated.map((r) => [r.id, r]));
  const deletes: BulkOp[] = [];
  for (const hit of found) {
    const r = hit._id ? byId.get(hit._id) : undefined;
    if (r && hit._index !== r.index) deletes.push({ kind: 'delete', index: hit._index, id: r.id, source: { ...r.source, value: null } });
  }
  return deletes;
}

function isEnriched(headers: MessageIn['headers']): boolean {
  const v = headers?.[ENRICHED_HEADER];
  const first = Array.isArray(v) ? v[0] : v;
  return first !== undefined && first.toString() === '1';
}

function planOne(kind: TopicKind | undefined, m: MessageIn, source: SourceRef, ingested: string): BulkOp | undefined {
  if (kind === undefined) throw new HangwatchError('HW_RECORD_INVALID', [`no index for topic ${source.topic} (declare it in HANGWATCH_INDEXER_TOPIC_KINDS)`]);
  if (m.value === null) {
    // Tombstones: an incident merged into another is deleted (DESIGN.md section 5); others carry nothing.
    if (kind === 'incidents' && m.key) return { kind: 'delete', index: INDICES.incidents, id: m.key.toString(), source };
    return undefined;
  }
  let doc: Record<string, unknown>;
  const text = m.value.toString('utf8');
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new HangwatchError('HW_JSON_MALFORMED', [(error as Error).message], { cause: error });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new HangwatchError('HW_RECORD_INVALID', ['the message is not a JSON object']);
  // The record's own text is sent as is when it is one line (NDJSON); pretty-printed JSON is serialized again.
  const oneLine = !text.includes('\n');
  switch (kind) {
    case 'events': {
      const event = doc.event as Record<string, unknown> | undefined;
      const id = event?.id;
      const ts = doc['@timestamp'];
      if (typeof id !== 'string' || typeof ts !== 'string' || !/^\d{4}-\d\d-\d\dT/.test(ts)) throw new HangwatchError('HW_RECORD_INVALID', ['event without event.id or @timestamp']);
      const body = oneLine && typeof event === 'object' && !Array.isArray(event) && event.ingested === undefined ? spliceIngested(text, ingested) : undefined;
      (event as Record<string, unknown>).ingested = ingested;
      return { kind: 'index', index: eventsIndexOf(doc, ts, ingested), id, doc, source, ...(body !== undefined ? { body } : {}) };
    }
    case 'incidents': {
      const id = (doc.incident as Record<string, unknown> | undefined)?.id;
      if (typeof id !== 'string') throw new HangwatchError('HW_RECORD_INVALID', ['incident without incident.id']);
      return { kind: 'index', index: INDICES.incidents, id, doc, source, ...(oneLine ? { body: text } : {}) };
    }
    case 'alerts': {
      const id = (doc.alert as Record<string, unknown> | undefined)?.id;
      if (typeof id !== 'string') throw new HangwatchError('HW_RECORD_INVALID', ['alert without alert.id']);
      return { kind: 'index', index: INDICES.alerts, id, doc, source, ...(oneLine ? { body: text } : {}) };
    }
    case 'audit': {
      // One document per domain (_id = audit.id), as `hangwatch audit --es` writes it: the latest audit wins.
      const id = (doc.audit as Record<string, unknown> | undefined)?.id;
      if (typeof id !== 'string') throw new HangwatchError('HW_RECORD_INVALID', ['audit finding without audit.id']);
      return { kind: 'index', index: INDICES.audit, id, doc, source, ...(oneLine ? { body: text } : {}) };
    }
    case 'deadletter':
      return { kind: 'index', index: INDICES.deadletter, id: deadLetterId(doc, m.value), doc, source, ...(oneLine ? { body: text } : {}) };
  }
}

export function deadLetterOp(letter: DeadLetter, source: SourceRef): BulkOp {
  const doc = letter as unknown as Record<string, unknown>;
  return { kind: 'index', index: INDICES.deadletter, id: deadLetterId(doc, Buffer.from(letter.event.original)), doc, source: { ...source, value: null }, letter: true };
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
