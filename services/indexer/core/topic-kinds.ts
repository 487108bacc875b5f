import { HangwatchError } from '../../../shared/errors.js';
import { TOPICS } from '../../../shared/topics.js';

// Which kind of record a topic carries decides the index and the _id (bulk-plan.ts). The hangwatch.* topics
// are known; any other topic the indexer is pointed at (a test's own topic, a renamed deployment) is declared
// with HANGWATCH_INDEXER_TOPIC_KINDS="topic=kind,...".

export const TOPIC_KINDS = ['events', 'incidents', 'alerts', 'deadletter', 'audit'] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];

export type TopicKindMap = ReadonlyMap<string, TopicKind>;

const BUILT_IN: ReadonlyArray<[string, TopicKind]> = [
  [TOPICS.events, 'events'],
  [TOPICS.incidents, 'incidents'],
  [TOPICS.alerts, 'alerts'],
  [TOPICS.deadletter, 'deadletter'],
  [TOPICS.audit, 'audit'],
];

/** Built-in kinds plus `topic=kind` entries (which win). Every bad entry is reported at once. */
export function buildTopicKinds(entries: readonly string[]): TopicKindMap {
  const map = new Map<string, TopicKind>(BUILT_IN);
  const problems: string[] = [];
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const topic = eq > 0 ? entry.slice(0, eq).trim() : '';
    const kind = eq > 0 ? entry.slice(eq + 1).trim() : '';
    if (!topic || !(TOPIC_KINDS as readonly string[]).includes(kind)) {
      problems.push(`  - HANGWATCH_INDEXER_TOPIC_KINDS entry ${JSON.stringify(entry)} is not topic=kind with kind one of ${TOPIC_KINDS.join(', ')}`);
      continue;
    }
    map.set(topic, kind as TopicKind);
  }
  if (problems.length > 0) throw new HangwatchError('HW_CONFIG_INVALID', [problems.join('\n')]);
  return map;
}

/** Topics to consume whose kind is unknown (a configuration mistake found at start, not per message). */
export function listUnknownTopics(topics: readonly string[], kinds: TopicKindMap): string[] {
  return topics.filter((t) => !kinds.has(t));
}
