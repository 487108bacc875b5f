import type { ConfigSchema } from '../../shared/config.js';

// HANGWATCH_INDEXER_* settings (units in names).
export const INDEXER_SCHEMA = {
  GROUP_ID: { kind: 'string', default: 'hangwatch-indexer', description: 'Kafka consumer group of the indexer replicas' },
  TOPICS: { kind: 'list', default: 'hangwatch.events.v1,hangwatch.incidents.v1,hangwatch.alerts.v1,hangwatch.deadletter.v1', description: 'Topics indexed into Elasticsearch' },
  TOPIC_KINDS: {
    kind: 'list',
    default: '',
    description: 'What other topics carry, as topic=events|incidents|alerts|deadletter|audit, comma-separated (the hangwatch.*.v1 topics are known)',
  },
  FLUSH_BYTES: { kind: 'int', default: '5242880', min: 1024, description: 'Largest bulk request body, in bytes (also the most fetched per partition at once)' },
  FLUSH_INTERVAL_MS: { kind: 'int', default: '500', min: 10, max: 10000, description: 'Longest wait for more records before a bulk request (keeps latency under 2 s at low volume)' },
  CONCURRENCY: { kind: 'int', default: '2', min: 1, max: 64, description: 'Partitions indexed concurrently (concurrent bulk requests)' },
  SUMMARY_INTERVAL_MS: { kind: 'int', default: '30000', min: 1000, description: 'Interval of the info log line summarizing received, indexed, retried and dead-lettered records' },
  SHARDS: { kind: 'int', default: '1', min: 1, description: 'Primary shards of new hangwatch indices' },
  REPLICAS: { kind: 'int', default: '0', min: 0, description: 'Replicas of new hangwatch indices (set 1+ in production)' },
  REFRESH_INTERVAL_MS: { kind: 'int', default: '1000', min: 100, description: 'Refresh interval of new hangwatch indices (how soon an indexed record is searchable)' },
  HTTP_PORT: { kind: 'int', default: '8783', min: 0, max: 65535, description: 'Port of /healthz, /readyz, /metrics' },
  HTTP_HOST: { kind: 'string', default: '127.0.0.1', description: 'Address the HTTP endpoints listen on (0.0.0.0 in containers)' },
} as const satisfies ConfigSchema;
