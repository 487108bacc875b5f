import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ES_VERSION, KAFKA_VERSION } from './versions.js';

// Every path the stack uses, computed from three inputs so it is testable and `status` finds what `up` made.

export interface StackLayout {
  readonly home: string;
  readonly stateFile: string;
  readonly kafka: {
    readonly libs: string;
    readonly dir: string;
    readonly config: string;
    readonly log4j: string;
    readonly data: string;
    readonly logs: string;
    readonly pidFile: string;
    readonly clusterIdFile: string;
  };
  readonly es: {
    readonly dist: string;
    readonly dir: string;
    readonly config: string;
    readonly data: string;
    readonly logs: string;
    readonly pidFile: string;
  };
}

/** Base of Elasticsearch's folders when run as root: outside any home, traversable by the `hangwatch` user. */
export const ROOT_ES_BASE = '/var/lib/hangwatch';

/**
 * Elasticsearch refuses to run as root, so as root it runs as the `hangwatch` user, which must reach its
 * folders; a repository under /root (mode 700) would not do. Then its folders live under ROOT_ES_BASE, keyed by a
 * hash of the stack home so two clones keep apart.
 */
export function buildLayout(home: string, cacheDir: string, asRoot: boolean): StackLayout {
  const kafkaDir = join(home, 'kafka');
  const esDir = asRoot ? join(ROOT_ES_BASE, `es-${shortHash(home)}`) : join(home, 'elasticsearch');
  return {
    home,
    stateFile: join(home, 'stack.json'),
    kafka: {
      libs: join(cacheDir, `kafka-${KAFKA_VERSION}`, 'libs'),
      dir: kafkaDir,
      config: join(kafkaDir, 'config', 'server.properties'),
      log4j: join(kafkaDir, 'config', 'log4j.properties'),
      data: join(kafkaDir, 'data'),
      logs: join(kafkaDir, 'logs'),
      pidFile: join(kafkaDir, 'kafka.pid'),
      clusterIdFile: join(kafkaDir, 'cluster-id'),
    },
    es: {
      dist: join(cacheDir, `elasticsearch-${ES_VERSION}`),
      dir: esDir,
      config: join(esDir, 'config'),
      data: join(esDir, 'data'),
      logs: join(esDir, 'logs'),
      pidFile: join(esDir, 'elasticsearch.pid'),
    },
  };
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
