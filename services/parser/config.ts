import type { ConfigSchema } from '../../shared/config.js';

// HANGWATCH_PARSER_* settings (units in names). Common Kafka/ES/log settings come from COMMON_SCHEMA.
export const PARSER_SCHEMA = {
  GROUP_ID: { kind: 'string', default: 'hangwatch-parser', description: 'Kafka consumer group of the parser replicas' },
  INPUT_TOPICS: { kind: 'list', default: 'hangwatch.raw.v1', description: 'Topics of raw records with hangwatch shipper headers' },
  EVENTS_TOPIC: { kind: 'string', default: 'hangwatch.events.v1', description: 'Topic normalized events are produced to (benchmarks and tests use their own, kept off the shared one)' },
  FILEBEAT_TOPICS: { kind: 'list', default: '', description: "Topics of Filebeat's Kafka output (JSON documents), docs/peer-shippers.md" },
  VECTOR_TOPICS: { kind: 'list', default: '', description: "Topics of Vector's kafka sink (JSON encoding of a file source)" },
  RSYSLOG_TOPICS: { kind: 'list', default: '', description: 'Topics of rsyslog omkafka with the hangwatch JSON template' },
  WINLOGBEAT_TOPICS: { kind: 'list', default: '', description: "Topics Winlogbeat writes to directly (its ECS JSON documents), docs/winlogbeat.md" },
  WINLOGBEAT_SENDERS: { kind: 'list', default: '', description: "What a Winlogbeat topic may speak for, topic=hypervisor or topic=hypervisor/domain,... (a topic only its sender's Kafka principal may write): its documents land there whatever MAC they carry, docs/winlogbeat.md" },
  TOPIC_FORMATS: { kind: 'list', default: '', description: 'Per-topic format of peer topics, topic=format,... (else decided from each record\'s path)' },
  RESTORE_IDENTITY: { kind: 'bool', default: 'true', description: 'With Winlogbeat topics: read the identity topic at start to place guests (MAC) on hypervisors' },
  HTTP_PORT: { kind: 'int', default: '8781', min: 0, max: 65535, description: 'Port of /healthz, /readyz, /metrics' },
  HTTP_HOST: { kind: 'string', default: '127.0.0.1', description: 'Address the HTTP endpoints listen on (0.0.0.0 in containers)' },
  MAX_RECORD_BYTES: { kind: 'int', default: '16777216', min: 1024, description: 'Records larger than this are dead letters' },
  HOST_TZ: { kind: 'string', default: 'UTC', description: 'Zone of host records without an offset (IANA or +HH:MM)' },
  GUEST_TZ: { kind: 'string', default: '', description: 'Zone of guest records written in local time, when not learned' },
  VALIDATE_EVENTS: { kind: 'bool', default: 'false', description: 'Validate every event against the schema (costs CPU)' },
} as const satisfies ConfigSchema;
