import type { Kafka } from 'kafkajs';
import { buildTopicSpecs, selectMissingTopics } from './topic-specs.js';

// Creates the missing hangwatch topics on any cluster (docker-compose's setup job, production), with a chosen
// partition count and replication factor. `stack up` does the same for the local broker.

export async function createTopicsOn(kafka: Kafka, partitions: number, replicationFactor: number): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const missing = selectMissingTopics(buildTopicSpecs(partitions), await admin.listTopics());
    if (missing.length === 0) return [];
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((spec) => ({ ...spec, replicationFactor, configEntries: [...spec.configEntries] })),
    });
    return missing.map((spec) => spec.topic);
  } finally {
    await admin.disconnect();
  }
}
