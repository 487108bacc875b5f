import type { Client } from '@elastic/elasticsearch';
import { rejoiningOnMembershipLoss } from '../../../shared/clients/batch-keep-alive.js';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { watchConsumer } from '../../../shared/clients/kafka.js';
import { HangwatchError } from '../../../shared/errors.js';
import type { FailService } from '../../../shared/service-runtime.js';
import type { Logger } from '../../../shared/logger.js';
import type { MetricsRegistry } from '../../../shared/metrics.js';
import { addCounts, emptyCounts, type BatchCounts } from '../core/bulk-outcome.js';
import { planBulk, planStaleCopyDeletes, type BulkOp, type Relocation } from '../core/bulk-plan.js';
import { RecentWrites } from '../core/recent-writes.js';
import { listUnknownTopics, type TopicKindMap } from '../core/topic-kinds.js';
import { findEventCopies, writeBulk, type BulkWriterOptions } from './es-bulk-writer.js';

// The indexer's Kafka side: each fetched batch (at most FLUSH_BYTES per partition, or what arrived within
// FLUSH_INTERVAL_MS) is planned, written until Elasticsearch acknowledged every document, and only then are its
// offsets committed. At most CONCURRENCY partitions are written at once. While Elasticsearch is down the batch
// waits with heartbeats, so the group keeps its members and no new batch is taken: consumption pauses, then
// resumes where it was. Counters: one debug line per batch, one info line per SUMMARY_INTERVAL_MS, /metrics.

/** Longer than refresh_interval plus a bulk request: older writes are found by the search. */
const RECENT_WINDOW_MS = 15_000;

export interface KafkaIndexerOptions {
  readonly kafka: Kafka;
  readonly es: Client;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly topicKinds: TopicKindMap;
  readonly flushBytes: number;
  readonly flushIntervalMs: number;
  readonly concurrency: number;
  readonly summaryIntervalMs: number;
  /** Start from the earliest offset when the group has none (default true: nothing is skipped). */
  readonly fromBeginning?: boolean;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  /** Called when the consumer crashed for good (kafkajs will not restart it): main stops the service, exit 1. */
  readonly onFatal?: FailService;
}

export interface KafkaIndexer {
  /** Consuming, and Elasticsearch takes our writes (false during an outage or a 401/403 refusal: /readyz). */
  ready(): boolean;
  /** True while a bulk write waits for Elasticsearch (unreachable, or refusing us as a client). */
  elasticsearchDown(): boolean;
  /** Totals since start (what /metrics shows), for tests and benchmarks. */
  totals(): Readonly<BatchCounts>;
  stop(): Promise<void>;
}

export async function startKafkaIndexer(options: KafkaIndexerOptions): Promise<KafkaIndexer> {
  const { logger, metrics } = options;
  const unknown = listUnknownTopics(options.topics, options.topicKinds);
  if (unknown.length > 0) {
    throw new HangwatchError('HW_CONFIG_INVALID', [`  - no index kind for topic(s) ${unknown.join(', ')}: add topic=events|incidents|alerts|deadletter to HANGWATCH_INDEXER_TOPIC_KINDS`]);
  }
  const counters = {
    received: metrics.counter('hangwatch_indexer_received_total', 'Messages consumed'),
    indexed: metrics.counter('hangwatch_indexer_indexed_total', 'Documents acknowledged by Elasticsearch'),
    deleted: metrics.counter('hangwatch_indexer_deleted_total', 'Deletes acknowledged (incident tombstones, stale copies of re-timed events)'),
    retried: metrics.counter('hangwatch_indexer_retried_total', 'Document writes retried (429, 5xx)'),
    deadlettered: metrics.counter('hangwatch_indexer_deadlettered_total', 'Documents written to the dead letter index instead (rejected or unreadable)'),
    superseded: metrics.counter('hangwatch_indexer_superseded_total', 'Records replaced by a later record of the same id in the same batch'),
    skipped: metrics.counter('hangwatch_indexer_skipped_total', 'Null values with nothing to delete'),
    lost: metrics.counter('hangwatch_indexer_lost_total', 'Dead letters or deletes Elasticsearch refused (each one logged as an error)'),
  } as const;
  const batches = metrics.counter('hangwatch_indexer_batches_total', 'Batches acknowledged and committed');
  const lag = metrics.gauge('hangwatch_consumer_lag', 'Messages behind the partition high watermark');
  const esDown = metrics.gauge('hangwatch_indexer_elasticsearch_down', '1 while bulk requests fail and consumption is paused');
  const total = emptyCounts();
  let interval = emptyCounts();
  let intervalBatches = 0;
  let outages = 0;
  let esIsDown = false;

  const consumer: Consumer = options.kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: options.flushIntervalMs,
    maxBytesPerPartition: options.flushBytes,
    maxBytes: Math.max(10 * 1024 * 1024, options.flushBytes * options.concurrency),
    sessionTimeout: 30_000,
    heartbeatInterval: 3000,
  });
  let running = false;
  let stopping = false;
  // Event ids this process wrote lately (re-timing without a refresh per batch); after a (re)join the first
  // lookup refreshes, since a previous owner's last writes of our new partitions are not in this map.
  const recent = new RecentWrites(RECENT_WINDOW_MS);
  let refreshNextLookup = true;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    running = true;
    refreshNextLookup = true;
  });
  watchConsumer(consumer, { what: 'indexer consumer', logger, ...(options.onFatal ? { onFatal: options.onFatal } : {}), onUp: (up) => (running = up) });
  await consumer.connect();
  for (const topic of options.topics) await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });

  const record = (topic: string, counts: BatchCounts): void => {
    for (const key of Object.keys(counters) as Array<keyof typeof counters>) if (counts[key] > 0) counters[key].inc({ topic }, counts[key]);
    batches.inc({ topic });
    addCounts(total, counts);
    addCounts(interval, counts);
    intervalBatches++;
  };

  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.concurrency,
    eachBatch: rejoiningOnMembershipLoss(async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload) => {
      if (batch.messages.length === 0) return;
      const started = Date.now();
      const now = new Date().toISOString();
      const plan = planBulk({ topic: batch.topic, partition: batch.partition, kind: options.topicKinds.get(batch.topic) }, batch.messages, now);
      const writer: BulkWriterOptions = {
        client: options.es,
        logger,
        flushBytes: options.flushBytes,
        keepAlive: heartbeat,
        shouldContinue: () => isRunning() && !isStale() && !stopping,
        now: () => new Date().toISOString(),
        onOutage: (down) => {
          esDown.set(undefined, down ? 1 : 0);
          esIsDown = down;
          if (down) outages++;
        },
      };
      // Re-timed events: delete their copies in other daily indices in the same acknowledged bulk. Batches
      // without re-emitted events skip this entirely (the normal path costs nothing more).
      let stale: BulkOp[] = [];
      if (plan.relocated.length > 0) {
        const refresh = refreshNextLookup;
        refreshNextLookup = false;
        const found = await findEventCopies(plan.relocated.map((r) => r.id), refresh, writer);
        stale = planStaleCopyDeletes(plan.relocated, [...found, ...recentCopies(recent, plan.relocated, Date.now())]);
      }
      const written = await writeBulk(stale.length > 0 ? [...stale, ...plan.ops] : plan.ops, writer);
      if (options.topicKinds.get(batch.topic) === 'events') recent.note(Date.now(), plan.ops.filter((op) => op.kind === 'index' && !op.letter));
      const last = batch.messages[batch.messages.length - 1]!.offset;
      resolveOffset(last);
      await commitOffsetsIfNecessary();
      const counts: BatchCounts = {
        received: batch.messages.length,
        indexed: written.indexed,
        deleted: written.deleted,
        retried: written.retried,
        deadlettered: written.deadlettered + plan.unplannable,
        superseded: plan.superseded,
        skipped: plan.skipped,
        lost: written.lost,
      };
      record(batch.topic, counts);
      lag.set({ topic: batch.topic, partition: String(batch.partition) }, Math.max(0, Number(batch.highWatermark) - Number(last) - 1));
      logger.debug({ topic: batch.topic, partition: batch.partition, firstOffset: batch.firstOffset(), lastOffset: last, ...counts, staleCopies: stale.length, ms: Date.now() - started }, 'batch indexed and committed');
    }),
  });

  const summary = setInterval(() => {
    if (intervalBatches === 0) return;
    logger.info({ batches: intervalBatches, ...interval, intervalMs: options.summaryIntervalMs }, 'indexed since the last summary');
    interval = emptyCounts();
    intervalBatches = 0;
  }, options.summaryIntervalMs);
  summary.unref();

  return {
    ready: () => running && !esIsDown,
    elasticsearchDown: () => esIsDown,
    totals: () => ({ ...total }),
    stop: async () => {
      stopping = true;
      running = false;
      clearInterval(summary);
      await consumer.disconnect();
      logger.info({ ...total, outages }, 'indexer stopped');
    },
  };
}

function recentCopies(recent: RecentWrites, relocated: readonly Relocation[], now: number): Array<{ _index: string; _id: string }> {
  return relocated.flatMap((r) => recent.indicesOf(r.id, now).map((index) => ({ _index: index, _id: r.id })));
}
