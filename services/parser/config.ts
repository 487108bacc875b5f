import type { ConfigSchema } from '../../shared/config.js';

// HANGWATCH_PARSER_* settings (units in names). Common Kafka/ES/log settings come from COMMON_SCHEMA.
export const PARSER_SCHEMA = {
  GROUP_ID: { kind: 'string', default: 'hangwatch-parser', description: 'Kafka consumer group of the parser replicas' },
  INPUT_TOPICS: { kind: 'list', default: 'hangwatch.raw.v1', description: 'Topics of raw records with hangwatch shipper headers' },
  HTTP_PORT: { kind: 'int', default: '8781', min: 0, max: 65535, description: 'Port of /healthz, /readyz, /metrics' },
  HTTP_HOST: { kind: 'string', default: '127.0.0.1', description: 'Address the HTTP endpoints listen on (0.0.0.0 in containers)' },
  MAX_RECORD_BYTES: { kind: 'int', default: '16777216', min: 1024, description: 'Records larger than this are dead letters' },
  HOST_TZ: { kind: 'string', default: 'UTC', description: 'Zone of host records without an offset (IANA or +HH:MM)' },
  GUEST_TZ: { kind: 'string', default: '', description: 'Zone of guest records written in local time, when not learned' },
  VALIDATE_EVENTS: { kind: 'bool', default: 'false', description: 'Validate every event against the schema (costs CPU)' },
} as const satisfies ConfigSchema;
