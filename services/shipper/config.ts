import type { ConfigSchema } from '../../shared/config.js';

// HANGWATCH_SHIPPER_* settings read before the configuration file. Every setting of the file outside `inputs`
// can also be overridden by HANGWATCH_SHIPPER_<PATH> (core/file-config.ts, e.g. HANGWATCH_SHIPPER_KAFKA_LINGER_MS).
export const SHIPPER_SCHEMA = {
  CONFIG_FILE: { kind: 'string', default: '/etc/hangwatch/shipper.yml', description: 'The shipper configuration file (YAML or JSON; see docs/shipper.example.yml)' },
  DRAIN_TIMEOUT_MS: { kind: 'int', default: '10000', min: 0, description: 'On SIGTERM, how long queued records may take to reach Kafka before positions are saved and the process exits' },
} as const satisfies ConfigSchema;
