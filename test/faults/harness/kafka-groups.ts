import type { Kafka } from 'kafkajs';
import { TOPICS } from '../../../shared/topics.js';

// Each pipeline of the suite runs its services in consumer groups of its own. The services subscribe from the
// beginning of their topics, and the topics are shared with every other run on this Kafka: a new group is
// positioned at the current end of each topic first, so it reads only what is produced after it exists. Not
// the alerter: it never commits and replays its topic from the beginning on every start (its readiness waits
// for that replay, which a positioned group would never deliver).

export const SERVICE_TOPICS = {
  parser: [TOPICS.raw],
  correlator: [TOPICS.events],
  indexer: [TOPICS.events, TOPICS.incidents, TOPICS.alerts, TOPICS.deadletter],
} as const;

export type ConsumingService = keyof typeof SERVICE_TOPICS;

export async function positionGroupsAtEnd(kafka: Kafka, groups: Readonly<Record<string, string>>): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const [service, topics] of Object.entries(SERVICE_TOPICS) as Array<[ConsumingService, readonly string[]]>) {
      for (const topic of topics) {
        const ends = await admin.fetchTopicOffsets(topic);
        await admin.setOffsets({ groupId: groups[service] as string, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
      }
    }
  } finally {
    await admin.disconnect();
  }
}
