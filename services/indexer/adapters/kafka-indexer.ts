import type { Client } from '@elastic/elasticsearch';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '../../../shared/logger.js';
import type { MetricsRegistry } from '../../../shared/metrics.js';
import { planBulk } from '../core/bulk-plan.js';
import { writeBulk } from './es-bulk-writer.js';

// The indexer's Kafka side: each fetched batch is planned, written until Elasticsearch acknowledged every
// document, and only then are its offsets committed. While Elasticsearch is down the batch waits (heartbeats
// keep the group membership), so consumption pauses instead of piling up in memory.

export interface KafkaIndexerOptions {
  readonly kafka: Kafka;
  readonly es: Client;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly flushBytes: number;
  readonly flushIntervalMs: number;
  readonly concurrency: number;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
}

export interface KafkaIndexer {
  ready(): boolean;
  stop(): Promise<void>;
}

export async function startKafkaIndexer(options: KafkaIndexerOptions): Promise<KafkaIndexer> {
  const { logger, metrics } = options;
  const received = metrics.counter('hangwatch_indexer_received_total', 'Messages consumed');
  const indexed = metrics.counter('hangwatch_indexer_indexed_total', 'Documents acknowledged by Elasticsearch');
  const retried = metrics.counter('hangwatch_indexer_retried_total', 'Document writes retried (429, 5xx)');
  const deadlettered = metrics.counter('hangwatch_indexer_deadlettered_total', 'Documents rejected and written to the dead letter index');
  const lag = metrics.gauge('hangwatch_consumer_lag', 'Messages behind the partition high watermark');
  const consumer: Consumer = options.kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: options.flushIntervalMs, sessionTimeout: 30_000, heartbeatInterval: 3000 });
  let running = false;
  let stopping = false;
  await consumer.connect();
  for (const topic of options.topics) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.concurrency,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload) => {
      if (batch.messages.length === 0) return;
      const now = new Date().toISOString();
      const plan = planBulk(batch.topic, batch.partition, batch.messages, now);
      const counts = await writeBulk(plan.ops, {
          client: options.es,
          logger,
          flushBytes: options.flushBytes,
          keepAlive: heartbeat,
          shouldContinue: () => isRunning() && !isStale() && !stopping,
        now: () => new Date().toISOString(),
      });
      const last = batch.messages[batch.messages.length - 1]!.offset;
      resolveOffset(last);
      await commitOffsetsIfNecessary();
      received.inc({ topic: batch.topic }, batch.messages.length);
      indexed.inc({ topic: batch.topic }, counts.indexed);
      retried.inc({ topic: batch.topic }, counts.retried);
      deadlettered.inc({ topic: batch.topic }, counts.deadlettered + plan.unplannable);
      lag.set({ topic: batch.topic, partition: String(batch.partition) }, Math.max(0, Number(batch.highWatermark) - Number(last) - 1));
      logger.debug({ topic: batch.topic, partition: batch.partition, received: batch.messages.length, ...counts, unplannable: plan.unplannable }, 'batch indexed');
    },
  });
  running = true;
  consumer.on(consumer.events.CRASH, (e) => {
    running = false;
    logger.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
  });
  return {
    ready: () => running,
    stop: async () => {
      stopping = true;
      running = false;
      await consumer.disconnect();
    },
  };
}

