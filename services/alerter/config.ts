import type { ConfigOf, ConfigSchema } from '../../shared/config.js';
import { TOPICS } from '../../shared/topics.js';

// HANGWATCH_ALERTER_* settings (units in names). Kafka and logging come from COMMON_SCHEMA.

export const ALERTER_PREFIX = 'ALERTER';

export const ALERTER_SCHEMA = {
  RULES_DIR: { kind: 'string', default: 'rules', description: 'Folder of alert rule files (*.yml)' },
  GROUP_ID: { kind: 'string', default: 'hangwatch-alerter', description: 'Kafka consumer group of the alerter replicas (offsets are never committed: state is rebuilt by replay)' },
  INCIDENTS_TOPIC: { kind: 'string', default: TOPICS.incidents, description: 'Topic of incidents (key incident.id, null value = tombstone)' },
  ALERTS_TOPIC: { kind: 'string', default: TOPICS.alerts, description: 'Topic alert state changes are produced to (key alert.id)' },
  SILENCES_TOPIC: { kind: 'string', default: TOPICS.silences, description: 'Compacted topic of silences (key rule + key)' },
  AUDIT_TOPIC: { kind: 'string', default: TOPICS.audit, description: 'Compacted topic of audit findings (hangwatch audit --kafka) read by exposure rules, in group GROUP_ID-audit (none: not read)' },
  ALLOWED_LATENESS_MS: { kind: 'int', default: '3600000', min: 0, description: "How far behind its hypervisor's newest trusted incident time (not a suspect guest clock, the ingest clock or a file time) an incident may arrive and still count" },
  IDLE_CLOSE_AFTER_MS: { kind: 'int', default: '300000', min: 0, description: 'After this long without incidents, let event time run on with the wall clock so quiet episodes close (0: only incidents move time)' },
  TICK_MS: { kind: 'int', default: '5000', min: 100, description: 'How often idle closing, throttled updates and gauges are checked' },
  HTTP_PORT: { kind: 'int', default: '8784', min: 0, max: 65535, description: 'Port of /healthz, /readyz, /metrics (0: any free port)' },
  HTTP_HOST: { kind: 'string', default: '127.0.0.1', description: 'Address the HTTP endpoints listen on (0.0.0.0 in containers)' },
  TIMELINE_BASE_URL: { kind: 'string', default: '', description: 'Base URL of the timeline service for alert links (empty: no link)' },
  KIBANA_BASE_URL: { kind: 'string', default: '', description: 'Base URL of Kibana for alert links to Discover (empty: no link)' },
  KIBANA_DATA_VIEW_ID: { kind: 'string', default: '', description: 'Kibana data view id of hangwatch-incidents used by the Discover link' },
  WEBHOOK_URLS: { kind: 'list', default: '', description: 'Webhook URLs receiving each alert state change as JSON (comma-separated)' },
  WEBHOOK_SECRET: { kind: 'secret', description: 'Sent as the x-hangwatch-secret header (or HANGWATCH_ALERTER_WEBHOOK_SECRET_FILE); never logged' },
  WEBHOOK_TIMEOUT_MS: { kind: 'int', default: '5000', min: 100, description: 'Timeout of one webhook request' },
  WEBHOOK_RETRIES: { kind: 'int', default: '5', min: 0, max: 100, description: 'Retries after a failed delivery (timeouts, network errors, 408/425/429/5xx)' },
  WEBHOOK_BACKOFF_INITIAL_MS: { kind: 'int', default: '500', min: 1, description: 'First retry delay; doubles per retry, with jitter' },
  WEBHOOK_BACKOFF_MAX_MS: { kind: 'int', default: '30000', min: 1, description: 'Largest retry delay' },
  WEBHOOK_QUEUE_MAX: { kind: 'int', default: '1000', min: 1, description: 'Alerts waiting per webhook; beyond it the oldest are dropped and counted' },
  WEBHOOK_DRAIN_TIMEOUT_MS: { kind: 'int', default: '10000', min: 0, description: 'On stop, how long queued webhook deliveries may still be tried' },
  OVERFLOW_REPORT_INTERVAL_MS: { kind: 'int', default: '60000', min: 1000, description: 'Dropped webhook deliveries are logged at most once per interval' },
} as const satisfies ConfigSchema;

export type AlerterConfig = ConfigOf<typeof ALERTER_SCHEMA>;
