import type { Client } from '@elastic/elasticsearch';
import type { Kafka, Message, Producer } from 'kafkajs';
import { createLogger, type Logger } from '../shared/logger.js';
import { MetricsRegistry } from '../shared/metrics.js';
import { INDICES } from '../shared/topics.js';
import { startKafkaIndexer, type KafkaIndexer } from '../services/indexer/adapters/kafka-indexer.js';
import { buildTopicKinds, type TopicKind } from '../services/indexer/core/topic-kinds.js';

// What the indexer benchmark and the indexer integration tests share: a topic of their own (auto-creation is
// off on the stack), producing in large batches, the indexer run in-process on that topic, counting, cleanup.

export async function createTopic(kafka: Kafka, topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] });
  } catch {
    // best effort: a leftover test topic is harmless
  } finally {
    await admin.disconnect();
  }
}

/** Sends in batches of `batchSize` (one produce request must stay under the broker's 1 MiB message limit), preserving order per key. */
export async function produceAll(producer: Producer, topic: string, messages: readonly Message[], batchSize = 1000): Promise<void> {
  for (let i = 0; i < messages.length; i += batchSize) {
    await producer.send({ topic, acks: -1, messages: messages.slice(i, i + batchSize) });
  }
}

export interface InProcessIndexerOptions {
  readonly kafka: Kafka;
  readonly es: Client;
  readonly topic: string;
  readonly kind: TopicKind;
  readonly groupId: string;
  readonly flushBytes?: number;
  readonly flushIntervalMs?: number;
  readonly concurrency?: number;
  readonly logger?: Logger;
}

/** The indexer's Kafka side as main.ts wires it, pointed at one topic of a declared kind. */
export function startInProcessIndexer(options: InProcessIndexerOptions): Promise<KafkaIndexer> {
  return startKafkaIndexer({
    kafka: options.kafka,
    es: options.es,
    groupId: options.groupId,
    topics: [options.topic],
    topicKinds: buildTopicKinds([`${options.topic}=${options.kind}`]),
    flushBytes: options.flushBytes ?? 5 * 1024 * 1024,
    flushIntervalMs: options.flushIntervalMs ?? 500,
    concurrency: options.concurrency ?? 2,
    summaryIntervalMs: 30_000,
    logger: options.logger ?? createLogger({ name: 'indexer', level: process.env.HANGWATCH_LOG_LEVEL ?? 'warn' }),
    metrics: new MetricsRegistry(),
  });
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Documents in an index (or pattern) after a refresh, optionally matching a query. */
export async function countDocs(es: Client, index: string, query?: Record<string, unknown>): Promise<number> {
  await es.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
  const r = await es.count({ index, ignore_unavailable: true, allow_no_indices: true, ...(query ? { query } : {}) });
  return r.count;
}

/** The dead letters the indexer wrote for records of one topic. */
export async function deadLettersOf(es: Client, topic: string): Promise<Array<{ _id: string; _source: Record<string, unknown> }>> {
  await es.indices.refresh({ index: INDICES.deadletter });
  const r = await es.search<Record<string, unknown>>({ index: INDICES.deadletter, query: { term: { 'kafka.topic': topic } }, size: 1000 });
  return r.hits.hits.map((h) => ({ _id: h._id as string, _source: h._source ?? {} }));
}

/** Deletes a run's own daily indices and its dead letters (the dead-letter index is shared). */
export async function cleanUp(es: Client, indices: readonly string[], topic: string): Promise<void> {
  for (const index of indices) await es.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
  const letters = await deadLettersOf(es, topic).catch(() => []);
  if (letters.length > 0) await es.bulk({ operations: letters.map((l) => ({ delete: { _index: INDICES.deadletter, _id: l._id } })), refresh: true });
}
