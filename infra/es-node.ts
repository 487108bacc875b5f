import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { HangwatchError } from '../shared/errors.js';
import { exists } from './download.js';
import { buildElasticsearchYml, buildEsJavaOpts } from './es-config.js';
import { chownToEsUser, ensureEsUser, wrapAsEsUser } from './es-user.js';
import { ROOT_ES_BASE, type StackLayout } from './layout.js';
import { describeTail, readLogTail } from './log-tail.js';
import { runToCompletion, sleep } from './processes.js';
import type { StackSettings } from './settings.js';

// One single-node Elasticsearch from the integ-test distribution. Each stack has its own config, data and logs
// folders (ES_PATH_CONF, path.data, path.logs); the unpacked distribution in the cache is shared and read-only.

export const ES_MAIN_CLASS = 'org.elasticsearch.bootstrap.Elasticsearch';

type Layout = StackLayout['es'];

export async function prepareElasticsearch(layout: Layout, settings: StackSettings, asRoot: boolean, progress: (m: string) => void): Promise<void> {
  if (asRoot) {
    await mkdir(ROOT_ES_BASE, { recursive: true, mode: 0o755 });
    await ensureEsUser(progress);
  }
  await mkdir(layout.data, { recursive: true });
  await mkdir(layout.logs, { recursive: true });
  // jvm.options, log4j2.properties, ... come from the distribution once; elasticsearch.yml is ours, every time.
  if (!(await exists(join(layout.config, 'jvm.options')))) await cp(join(layout.dist, 'config'), layout.config, { recursive: true });
  await writeFile(
    join(layout.config, 'elasticsearch.yml'),
    buildElasticsearchYml({
      httpPort: settings.ES_PORT,
      transportPort: settings.ES_TRANSPORT_PORT,
      dataDir: layout.data,
      logsDir: layout.logs,
      writeQueueSize: settings.ES_WRITE_QUEUE_SIZE,
    }),
  );
  if (asRoot) await chownToEsUser([layout.dir]);
}

/**
 * `bin/elasticsearch -d -p <pid file>`: the launcher starts the server JVM, waits until the node has started
 * (or failed), writes the server's pid and exits. Resolves once the node is up.
 */
export async function startElasticsearch(layout: Layout, settings: StackSettings, javaHome: string, asRoot: boolean): Promise<void> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    ES_JAVA_HOME: javaHome,
    ES_PATH_CONF: layout.config,
    ES_JAVA_OPTS: buildEsJavaOpts(settings.ES_HEAP_MIN_MB, settings.ES_HEAP_MAX_MB),
  };
  const binary = join(layout.dist, 'bin', 'elasticsearch');
  const args = ['-d', '-p', layout.pidFile];
  const command = asRoot ? wrapAsEsUser(binary, args, env) : { command: binary, args };
  const launcherOut = join(layout.logs, 'launcher.out');
  // The working folder receives gc.log and any hs_err / heap dump (relative paths in the distribution's jvm.options).
  const code = await runToCompletion(
    { ...command, cwd: layout.logs, env: asRoot ? { PATH: env.PATH ?? '' } : { ...process.env, ...env }, outputFile: launcherOut },
    settings.START_TIMEOUT_MS,
  ).catch(async (error: unknown) => {
    const tail = await readLogTail(join(layout.logs, 'hangwatch-local.log'));
    throw new HangwatchError('HW_STACK_START_FAILED', ['Elasticsearch', `${(error as Error).message}; ${describeTail(join(layout.logs, 'hangwatch-local.log'), tail)}`]);
  });
  if (code !== 0) {
    const serverLog = join(layout.logs, 'hangwatch-local.log');
    const tail = (await readLogTail(launcherOut)) || (await readLogTail(serverLog));
    throw new HangwatchError('HW_STACK_START_FAILED', ['Elasticsearch', `the launcher exited ${code}; ${describeTail(launcherOut, tail)}`]);
  }
}

export function stackEsClient(port: number): Client {
  return new Client({ node: `http://127.0.0.1:${port}`, requestTimeout: 10_000, maxRetries: 0 });
}

/** Waits for cluster health yellow or better. */
export async function waitForElasticsearch(port: number, timeoutMs: number, logs: string): Promise<void> {
  const client = stackEsClient(port);
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  try {
    while (Date.now() < deadline) {
      try {
        const health = await client.cluster.health({ wait_for_status: 'yellow', timeout: '5s' });
        if (health.status === 'green' || health.status === 'yellow') return;
        lastError = `status ${health.status}`;
      } catch (error) {
        lastError = (error as Error).message;
        await sleep(500);
      }
    }
  } finally {
    await client.close();
  }
  throw new HangwatchError('HW_STACK_START_FAILED', ['Elasticsearch', `cluster health not yellow within ${timeoutMs} ms (${lastError}); see ${logs}`]);
}

/** The running node's version, from the nodes API (the integ-test zip has no `GET /` handler). */
export async function readEsVersion(port: number): Promise<string | undefined> {
  const client = stackEsClient(port);
  try {
    const info = await client.nodes.info({ node_id: '_local', metric: '_none' });
    return Object.values(info.nodes)[0]?.version;
  } catch {
    return undefined;
  } finally {
    await client.close();
  }
}
