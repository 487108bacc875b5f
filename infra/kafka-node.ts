import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { HangwatchError } from '../shared/errors.js';
import { exists } from './download.js';
import { javaBinary } from './java.js';
import { buildLog4jProperties, buildServerProperties, randomClusterId } from './kafka-properties.js';
import type { StackLayout } from './layout.js';
import { describeTail, readLogTail } from './log-tail.js';
import { readOptional, writePidFile } from './pid-file.js';
import { isProcessAlive, runToCompletion, sleep, spawnDetached } from './processes.js';
import type { StackSettings } from './settings.js';
import { createTopicsOn } from './create-topics.js';

// One KRaft Kafka broker+controller, run as `java -cp <cache>/libs/* kafka.Kafka server.properties`.

export const KAFKA_MAIN_CLASS = 'kafka.Kafka';

type Layout = StackLayout['kafka'];

export async function prepareKafka(layout: Layout, settings: StackSettings, javaHome: string): Promise<void> {
  await mkdir(dirname(layout.config), { recursive: true });
  await mkdir(layout.data, { recursive: true });
  await mkdir(layout.logs, { recursive: true });
  const properties = buildServerProperties({
    port: settings.KAFKA_PORT,
    controllerPort: settings.KAFKA_CONTROLLER_PORT,
    dataDir: layout.data,
    messageMaxBytes: settings.KAFKA_MESSAGE_MAX_BYTES,
    partitions: settings.TOPIC_PARTITIONS,
  });
  await writeFile(layout.config, properties);
  await writeFile(layout.log4j, buildLog4jProperties(layout.logs));
  if (!(await exists(join(layout.data, 'meta.properties')))) await formatStorage(layout, javaHome);
}

/** `kafka-storage format`, once per data folder: KRaft refuses to start on an unformatted log.dirs. */
async function formatStorage(layout: Layout, javaHome: string): Promise<void> {
  let clusterId = (await readOptional(layout.clusterIdFile))?.trim();
  if (!clusterId || clusterId.startsWith('-')) {
    clusterId = randomClusterId(randomBytes);
    await writeFile(layout.clusterIdFile, `${clusterId}\n`);
  }
  const output = join(layout.logs, 'storage-format.out');
  const code = await runToCompletion({
    command: javaBinary(javaHome),
    args: [...log4jArgs(layout), '-cp', classpath(layout), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', layout.config, '--ignore-formatted'],
    cwd: layout.dir,
    env: process.env,
    outputFile: output,
  });
  if (code !== 0) {
    throw new HangwatchError('HW_STACK_START_FAILED', ['Kafka', `storage format exited ${code}; ${describeTail(output, await readLogTail(output))}`]);
  }
}

export async function startKafka(layout: Layout, settings: StackSettings, javaHome: string): Promise<number> {
  const pid = spawnDetached({
    command: javaBinary(javaHome),
    args: [
      `-Xms${settings.KAFKA_HEAP_MB}m`,
      `-Xmx${settings.KAFKA_HEAP_MB}m`,
      // The G1 settings of Kafka's own bin/kafka-run-class.sh.
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:InitiatingHeapOccupancyPercent=35',
      '-XX:+ExplicitGCInvokesConcurrent',
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      ...log4jArgs(layout),
      '-cp',
      classpath(layout),
      KAFKA_MAIN_CLASS,
      layout.config,
    ],
    cwd: layout.dir,
    env: process.env,
    outputFile: join(layout.logs, 'kafka.out'),
  });
  await writePidFile(layout.pidFile, pid);
  return pid;
}

function classpath(layout: Layout): string {
  return `${layout.libs}/*`;
}

function log4jArgs(layout: Layout): string[] {
  return [`-Dlog4j.configuration=file:${layout.log4j}`, `-Dkafka.logs.dir=${layout.logs}`];
}

export function stackKafkaClient(port: number): Kafka {
  // No retries inside kafkajs: waitForKafka owns the retry loop and its deadline.
  return new Kafka({ clientId: 'hangwatch-stack', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, connectionTimeout: 2_000, requestTimeout: 10_000, retry: { retries: 0 } });
}

/** Waits until the broker answers metadata through kafkajs, or the process dies, or the deadline passes. */
export async function waitForKafka(pid: number | undefined, layout: Layout, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (pid !== undefined && !isProcessAlive(pid)) {
      const log = join(layout.logs, 'server.log');
      const tail = (await readLogTail(join(layout.logs, 'kafka.out'))) || (await readLogTail(log));
      throw new HangwatchError('HW_STACK_START_FAILED', ['Kafka', `the broker exited; ${describeTail(join(layout.logs, 'kafka.out'), tail)}`]);
    }
    const admin = stackKafkaClient(port).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length > 0 && cluster.controller !== null) return;
      lastError = 'no controller yet';
    } catch (error) {
      lastError = (error as Error).message;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await sleep(500);
  }
  throw new HangwatchError('HW_STACK_START_FAILED', ['Kafka', `no metadata from 127.0.0.1:${port} within ${timeoutMs} ms (${lastError}); see ${layout.logs}`]);
}

/** Creates the hangwatch topics that are missing on the local broker; returns the names it created. */
export async function createStackTopics(port: number, partitions: number): Promise<string[]> {
  return createTopicsOn(stackKafkaClient(port), partitions, 1);
}
