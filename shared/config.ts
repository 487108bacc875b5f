import { readFileSync } from 'node:fs';
import { HangwatchError } from './errors.js';

// Config from environment variables: one declared schema per service, a service prefix, units in names
// (`_MS`, `_BYTES`), validated once at start with every problem reported together, frozen afterwards.
// The schemas also generate README's configuration reference and are checked against docker-compose.yml.

export type SettingKind = 'string' | 'int' | 'bool' | 'list' | 'secret';

export interface SettingSpec {
  readonly kind: SettingKind;
  readonly description: string;
  readonly default?: string;
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly choices?: readonly string[];
}

export type ConfigSchema = Readonly<Record<string, SettingSpec>>;

type ValueOf<S extends SettingSpec> = S['kind'] extends 'int'
  ? number
  : S['kind'] extends 'bool'
    ? boolean
    : S['kind'] extends 'list'
      ? readonly string[]
      : S['kind'] extends 'secret'
        ? string | undefined
        : string;

export type ConfigOf<S extends ConfigSchema> = { readonly [K in keyof S]: ValueOf<S[K]> };

/** Full environment variable name of a setting: `HANGWATCH_<PREFIX>_<NAME>`, or shared `HANGWATCH_<NAME>`. */
export function envName(prefix: string, key: string): string {
  return prefix ? `HANGWATCH_${prefix}_${key}` : `HANGWATCH_${key}`;
}

export function loadConfig<S extends ConfigSchema>(
  prefix: string,
  schema: S,
  env: Readonly<Record<string, string | undefined>>,
): ConfigOf<S> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) {
    const name = envName(prefix, key);
    const fileName = `${name}_FILE`;
    let raw = env[name];
    if (spec.kind === 'secret' && raw === undefined && env[fileName]) {
      raw = readSecretFile(env[fileName] as string, problems, fileName);
    }
    if (raw === undefined || raw === '') raw = spec.default;
    if (raw === undefined) {
      if (spec.required) problems.push(`${name} is required: ${spec.description}`);
      out[key] = spec.kind === 'list' ? Object.freeze([]) : undefined;
      continue;
    }
    const value = convertSetting(name, raw, spec, problems);
    out[key] = value;
  }
  if (problems.length > 0) throw new HangwatchError('HW_CONFIG_INVALID', [problems.map((p) => `  - ${p}`).join('\n')]);
  return Object.freeze(out) as ConfigOf<S>;
}

function convertSetting(name: string, raw: string, spec: SettingSpec, problems: string[]): unknown {
  switch (spec.kind) {
    case 'int': {
      if (!/^-?\d+$/.test(raw.trim())) {
        problems.push(`${name}=${JSON.stringify(raw)} is not a whole number`);
        return undefined;
      }
      const n = Number.parseInt(raw, 10);
      if (spec.min !== undefined && n < spec.min) problems.push(`${name}=${n} is below the minimum ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) problems.push(`${name}=${n} is above the maximum ${spec.max}`);
      return n;
    }
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      problems.push(`${name}=${JSON.stringify(raw)} is not a boolean (true/false)`);
      return undefined;
    }
    case 'list':
      return Object.freeze(
        raw
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
      );
    case 'secret':
    case 'string':
      if (spec.choices && !spec.choices.includes(raw)) {
        problems.push(`${name}=${JSON.stringify(raw)} must be one of ${spec.choices.join(', ')}`);
      }
      return raw;
  }
}

function readSecretFile(path: string, problems: string[], name: string): string | undefined {
  try {
    // Synchronous on purpose: config loads once, at start, before anything else runs.
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    problems.push(`${name}: cannot read secret file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
}


/** Settings every service shares (Kafka, Elasticsearch, logging). Prefix ''. */
export const COMMON_SCHEMA = {
  KAFKA_BROKERS: { kind: 'list', default: '127.0.0.1:9092', description: 'Kafka bootstrap brokers, comma-separated host:port' },
  KAFKA_CLIENT_ID: { kind: 'string', default: 'hangwatch', description: 'Kafka client id prefix' },
  KAFKA_SSL: { kind: 'bool', default: 'false', description: 'Use TLS to reach Kafka' },
  KAFKA_SSL_CA_FILE: {
    kind: 'string',
    default: '',
    description: 'PEM file of the CA(s) that signed the Kafka brokers\' certificates (else the system store); setting it turns TLS on',
  },
  KAFKA_SSL_CERT_FILE: { kind: 'string', default: '', description: 'PEM client certificate for Kafka mutual TLS (with KAFKA_SSL_KEY_FILE); turns TLS on' },
  KAFKA_SSL_KEY_FILE: { kind: 'string', default: '', description: 'PEM private key of KAFKA_SSL_CERT_FILE (unencrypted; keep the file mode 0600)' },
  KAFKA_SASL_MECHANISM: { kind: 'string', default: 'none', choices: ['none', 'plain', 'scram-sha-256', 'scram-sha-512'], description: 'Kafka SASL mechanism' },
  KAFKA_SASL_USERNAME: { kind: 'string', default: '', description: 'Kafka SASL user name' },
  KAFKA_SASL_PASSWORD: { kind: 'secret', description: 'Kafka SASL password (or HANGWATCH_KAFKA_SASL_PASSWORD_FILE)' },
  ES_URL: { kind: 'string', default: 'http://127.0.0.1:9200', description: 'Elasticsearch URL' },
  ES_API_KEY: { kind: 'secret', description: 'Elasticsearch API key (or HANGWATCH_ES_API_KEY_FILE)' },
  ES_USERNAME: { kind: 'string', default: '', description: 'Elasticsearch basic-auth user' },
  ES_PASSWORD: { kind: 'secret', description: 'Elasticsearch basic-auth password (or HANGWATCH_ES_PASSWORD_FILE)' },
  ES_CA_FILE: { kind: 'string', default: '', description: 'PEM file of the CA that signed Elasticsearch TLS certificates' },
  ES_CERT_FILE: { kind: 'string', default: '', description: 'PEM client certificate for Elasticsearch mutual TLS (with ES_KEY_FILE)' },
  ES_KEY_FILE: { kind: 'string', default: '', description: 'PEM private key of ES_CERT_FILE (unencrypted; keep the file mode 0600)' },
  LOG_LEVEL: { kind: 'string', default: 'info', choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], description: 'pino log level' },
} as const satisfies ConfigSchema;
export type CommonConfig = ConfigOf<typeof COMMON_SCHEMA>;
