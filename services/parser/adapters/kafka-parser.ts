import type { FailService, RunningConsumer } from '../../../shared/service-runtime.js';
import type { Consumer, EachBatchPayload, Kafka, Message, Producer } from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import { batchKeepAlive, rejoiningOnMembershipLoss } from '../../../shared/clients/batch-keep-alive.js';
import { sendBatchBounded, watchConsumer } from '../../../shared/clients/kafka.js';
import type { Logger } from '../../../shared/logger.js';
import type { MetricsRegistry } from '../../../shared/metrics.js';
import { SCHEMA_VERSION } from '../../../shared/schema/event.js';
import { TOPICS } from '../../../shared/topics.js';
import type { ParseOptions } from '../core/event-draft.js';
import { SourceStates, type FormatRegistry } from '../core/parse-record.js';
import { GuestDirectory } from '../core/peer/guest-directory.js';
import type { TopicBinding } from '../core/peer/peer-kind.js';
import { parseKafkaMessage } from '../core/peer/parse-kafka-message.js';

// The parser service's I/O: consume raw records (our shipper's, and peer shippers' documents on their own
// topics), produce events and dead letters, and commit a batch's offsets only after Kafka acknowledged
// everything it produced (at least once; event ids make it exactly once downstream).

export interface KafkaParserOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  /** Every input topic and what it carries (core/peer/topic-bindings.ts). */
  readonly topics: ReadonlyMap<string, TopicBinding>;
  /** Where events go (default hangwatch.events.v1). */
  readonly eventsTopic?: string;
  /** Where guests run, for Winlogbeat records (seeded from the identity topic by main); a fresh one if absent. */
  readonly directory?: GuestDirectory;
  readonly registry: FormatRegistry;
  readonly parseOptions: ParseOptions;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  /** Called when the consumer crashed for good (kafkajs will not restart it): main stops the service, exit 1. */
  readonly onFatal?: FailService;
}

export type KafkaParser = RunningConsumer;

export async function startKafkaParser(options: KafkaParserOptions): Promise<KafkaParser> {
  const { kafka, logger, metrics } = options;
  const received = metrics.counter('hangwatch_parser_records_received_total', 'Raw records consumed');
  const emitted = metrics.counter('hangwatch_parser_events_emitted_total', 'Normalized events produced');
  const dead = metrics.counter('hangwatch_parser_deadletters_total', 'Records sent to the dead letter topic');
  const lag = metrics.gauge('hangwatch_consumer_lag', 'Messages behind the partition high watermark');
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const consumer: Consumer = kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false, sessionTimeout: 30_000 });
  const states = new SourceStates();
  const directory = options.directory ?? new GuestDirectory();
  let running = false;
  await producer.connect();
  await consumer.connect();
  for (const topic of options.topics.keys()) await consumer.subscribe({ topic, fromBeginning: true });
  const headers = { [`schema-version`]: SCHEMA_VERSION };

  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: rejoiningOnMembershipLoss(async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload) => {
      const events: Message[] = [];
      const letters: Message[] = [];
      let last: string | undefined;
      const binding = options.topics.get(batch.topic) ?? { kind: 'hangwatch' };
      const at = new Date().toISOString();
      const ctx = { registry: options.registry, states, options: options.parseOptions, directory, at };
      const keepAlive = batchKeepAlive(heartbeat);
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break;
        const beat = keepAlive();
        if (beat) await beat;
        received.inc();
        const outcome = parseKafkaMessage({ ...message, topic: batch.topic, partition: batch.partition }, binding, ctx);
        for (const { key, value } of outcome.events) events.push({ key, value: JSON.stringify(value), headers });
        for (const { key, value } of outcome.deadletters) letters.push({ key, value: JSON.stringify(value), headers });
        last = message.offset;
      }
      if (last === undefined) return;
      const topicMessages = [];
      if (events.length > 0) topicMessages.push({ topic: options.eventsTopic ?? TOPICS.events, messages: events });
      if (letters.length > 0) topicMessages.push({ topic: TOPICS.deadletter, messages: letters });
      if (topicMessages.length > 0) await sendBatchBounded(producer, { topicMessages, acks: -1, compression: CompressionTypes.GZIP });
      emitted.inc({}, events.length);
      dead.inc({}, letters.length);
      resolveOffset(last);
      await commitOffsetsIfNecessary();
      await heartbeat();
      const behind = Number(batch.highWatermark) - Number(last) - 1;
      lag.set({ topic: batch.topic, partition: String(batch.partition) }, Math.max(0, behind));
      logger.debug({ topic: batch.topic, partition: batch.partition, received: batch.messages.length, events: events.length, deadletters: letters.length }, 'batch parsed');
    }),
  });
  running = true;
  watchConsumer(consumer, { what: 'parser consumer', logger, ...(options.onFatal ? { onFatal: options.onFatal } : {}), onUp: (up) => (running = up) });
  return {
    ready: () => running,
    stop: async () => {
      running = false;
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}
