import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from '../../../shared/logger.js';
import { TOPICS } from '../../../shared/topics.js';
import { FACTS_SNAPSHOT_VERSION, type FactsSnapshot } from '../core/facts-snapshot.js';

// Learned facts on the compacted identity topic: key `correlator:<hypervisor>`, the latest snapshot wins.

const KEY_PREFIX = 'correlator:';

export async function publishSnapshots(producer: Producer, snapshots: readonly FactsSnapshot[]): Promise<void> {
  if (snapshots.length === 0) return;
  await producer.send({
    topic: TOPICS.identity,
    acks: -1,
    messages: snapshots.map((s) => ({ key: `${KEY_PREFIX}${s.hypervisor}`, value: JSON.stringify(s) })),
  });
}

/** Reads the identity topic to its end (at start, before consuming events). */
export async function readSnapshots(kafka: Kafka, groupId: string, logger: Logger): Promise<Map<string, FactsSnapshot>> {
  const out = new Map<string, FactsSnapshot>();
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(TOPICS.identity);
  await admin.disconnect();
  const remaining = new Map(ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]));
  if (remaining.size === 0) return out;
  // A throwaway group that never commits: every start reads the whole (compacted) table.
  const consumer = kafka.consumer({ groupId: `${groupId}-restore-${process.pid}-${Date.now()}`, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.identity, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const key = message.key?.toString() ?? '';
          if (key.startsWith(KEY_PREFIX)) {
            const hypervisor = key.slice(KEY_PREFIX.length);
            if (message.value === null) out.delete(hypervisor);
            else {
              try {
                const snapshot = JSON.parse(message.value.toString()) as FactsSnapshot;
                if (snapshot.version === FACTS_SNAPSHOT_VERSION) out.set(hypervisor, snapshot);
              } catch (error) {
                logger.warn({ err: error, key }, 'unreadable identity snapshot ignored');
              }
            }
          }
          const end = remaining.get(partition);
          if (end !== undefined && BigInt(message.offset) + 1n >= end) remaining.delete(partition);
          if (remaining.size === 0) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  logger.info({ hypervisors: out.size }, 'identity snapshots restored');
  return out;
}
