import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ConfigOf, type ConfigSchema } from '../shared/config.js';

// The local stack's settings, from HANGWATCH_STACK_* environment variables (units in names).

export const STACK_SCHEMA = {
  HOME: { kind: 'string', default: '', description: 'Runtime folder (pid files, data, logs); default <repo>/.hangwatch/stack' },
  CACHE_DIR: { kind: 'string', default: '', description: 'Download cache; default ~/.cache/hangwatch, or /var/cache/hangwatch as root' },
  JAVA_HOME: { kind: 'string', default: '', description: 'JDK for Kafka and Elasticsearch; default: the one behind `java` on PATH' },
  KAFKA_PORT: { kind: 'int', default: '9092', min: 1, max: 65535, description: 'Kafka broker port on 127.0.0.1' },
  KAFKA_CONTROLLER_PORT: { kind: 'int', default: '9093', min: 1, max: 65535, description: 'Kafka KRaft controller port on 127.0.0.1' },
  KAFKA_HEAP_MB: { kind: 'int', default: '512', min: 128, description: 'Kafka JVM heap (-Xms and -Xmx)' },
  KAFKA_MESSAGE_MAX_BYTES: {
    kind: 'int',
    default: '1048588',
    min: 1024,
    description: "Broker message.max.bytes (Kafka's default, 1 MiB + 12 bytes of batch overhead); the shipper cuts records above it",
  },
  TOPIC_PARTITIONS: { kind: 'int', default: '3', min: 1, max: 64, description: 'Partitions of each hangwatch topic created by `stack up`' },
  ES_PORT: { kind: 'int', default: '9200', min: 1, max: 65535, description: 'Elasticsearch HTTP port on 127.0.0.1' },
  ES_TRANSPORT_PORT: { kind: 'int', default: '9300', min: 1, max: 65535, description: 'Elasticsearch transport port on 127.0.0.1' },
  ES_HEAP_MIN_MB: { kind: 'int', default: '512', min: 128, description: 'Elasticsearch JVM initial heap (-Xms)' },
  ES_HEAP_MAX_MB: { kind: 'int', default: '1024', min: 128, description: 'Elasticsearch JVM maximum heap (-Xmx)' },
  ES_WRITE_QUEUE_SIZE: {
    kind: 'int',
    default: '10000',
    min: 1,
    description: "thread_pool.write.queue_size (ES default 10000); a small value provokes 429s for fault tests",
  },
  START_TIMEOUT_MS: { kind: 'int', default: '300000', min: 1000, description: 'How long `stack up` waits for each service to become healthy' },
  STOP_TIMEOUT_MS: { kind: 'int', default: '30000', min: 100, description: 'How long `stack down` waits after SIGTERM before SIGKILL' },
} as const satisfies ConfigSchema;

export type StackSettings = ConfigOf<typeof STACK_SCHEMA>;

export function loadStackSettings(env: Readonly<Record<string, string | undefined>> = process.env): StackSettings {
  return loadConfig('STACK', STACK_SCHEMA, env);
}

/** Repository root: infra/ sits directly under it. */
export const REPO_ROOT = join(import.meta.dirname, '..');

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Where downloads are cached. As root the cache lives outside /root (mode 700) so the ES user can read it. */
export function resolveCacheDir(settings: StackSettings, env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (settings.CACHE_DIR) return settings.CACHE_DIR;
  if (isRoot()) return '/var/cache/hangwatch';
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'hangwatch');
}

export function resolveStackHome(settings: StackSettings): string {
  return settings.HOME || join(REPO_ROOT, '.hangwatch', 'stack');
}
