import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { watchConsumer } from '../../../shared/clients/kafka.js';
import type { Logger } from '../../../shared/logger.js';
import type { FailService } from '../../../shared/service-runtime.js';

// Reads a whole topic from its first offset, as a table: the alerts topic once at start (the replay ledger),
// the compacted silences topic for as long as the alerter runs. Every reader has its own throw-away consumer
// group (kafkajs has no manual assignment), so each replica reads every partition; the group is deleted on stop.

export interface TopicReader {
  /** Resolves once every partition has been read up to its end offset at start. */
  readonly caughtUp: Promise<void>;
  isCaughtUp(): boolean;
  stop(): Promise<void>;
}

export interface TopicReaderOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly groupPrefix: string;
  readonly logger: Logger;
  /** Keep consuming after catching up (silences); otherwise stop there (ledger). */
  readonly follow: boolean;
  readonly onMessage: (message: KafkaMessage, partition: number) => void;
  /** A following reader whose consumer crashed for good (kafkajs will not restart it): the service cannot go on. */
  readonly onFatal?: FailService;
}

export async function startTopicReader(options: TopicReaderOptions): Promise<TopicReader> {
  const { kafka, topic, logger } = options;
  const groupId = `${options.groupPrefix}-${randomUUID()}`;
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
  let markCaughtUp: () => void = () => {};
  let done = false;
  const caughtUp = new Promise<void>((resolve) => {
    markCaughtUp = () => {
      if (done) return;
      done = true;
      resolve();
    };
  });
  if (ends.size === 0) markCaughtUp();
  if (done && !options.follow) return { caughtUp, isCaughtUp: () => true, stop: async () => {} };

  const consumer: Consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, sessionTimeout: 30_000 });
  watchConsumer(consumer, { what: `${topic} reader`, logger, ...(options.onFatal ? { onFatal: options.onFatal } : {}) });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ message, partition }) => {
      options.onMessage(message, partition);
      const end = ends.get(partition);
      if (end !== undefined && BigInt(message.offset) + 1n >= end) ends.delete(partition);
      if (ends.size === 0) markCaughtUp();
    },
  });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await consumer.disconnect();
    await deleteGroup(kafka, groupId, logger);
  };
  if (!options.follow) await caughtUp.then(stop);
  return { caughtUp, isCaughtUp: () => done, stop };
}

async function deleteGroup(kafka: Kafka, groupId: string, logger: Logger): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch (error) {
    // A left-over empty group is harmless (the broker expires it); not worth failing a stop for.
    logger.debug({ err: error, groupId }, 'could not delete reader group');
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
