import { TOPICS } from '../shared/topics.js';

// The topics `stack up` creates (shared/topics.ts). Identity, silences and audit are tables keyed by id, so they are
// compacted: the latest record per key is the state every replica rebuilds (DESIGN.md sections 5 and 7).

export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly configEntries: readonly { readonly name: string; readonly value: string }[];
}

const COMPACTED: ReadonlySet<string> = new Set([TOPICS.identity, TOPICS.silences, TOPICS.audit]);

export function buildTopicSpecs(partitions: number): TopicSpec[] {
  return Object.values(TOPICS).map((topic) => ({
    topic,
    numPartitions: partitions,
    replicationFactor: 1,
    configEntries: COMPACTED.has(topic) ? [{ name: 'cleanup.policy', value: 'compact' }] : [{ name: 'cleanup.policy', value: 'delete' }],
  }));
}

/** The specs whose topic does not exist yet: creating only those keeps `stack up` idempotent. */
export function selectMissingTopics(specs: readonly TopicSpec[], existing: readonly string[]): TopicSpec[] {
  const have = new Set(existing);
  return specs.filter((spec) => !have.has(spec.topic));
}
