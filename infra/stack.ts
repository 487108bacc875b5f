import { mkdir, rm } from 'node:fs/promises';
import { HangwatchError } from '../shared/errors.js';
import { ensureElasticsearchDist, ensureKafkaJars, type Progress } from './download.js';
import { ES_MAIN_CLASS, prepareElasticsearch, readEsVersion, stackEsClient, startElasticsearch, waitForElasticsearch } from './es-node.js';
import { resolveJavaHome } from './java.js';
import { KAFKA_MAIN_CLASS, createStackTopics, prepareKafka, startKafka, waitForKafka } from './kafka-node.js';
import { buildLayout, type StackLayout } from './layout.js';
import { readPidState, removePidFile, type PidState } from './pid-file.js';
import { assertPortsFree, isPortAnswering } from './ports.js';
import { stopProcess } from './processes.js';
import { judgeServiceState, type ServiceName, type ServiceStatus } from './service-state.js';
import { isRoot, loadStackSettings, resolveCacheDir, resolveStackHome, type StackSettings } from './settings.js';
import { readStackFile, writeStackFile, type StackFile } from './stack-file.js';
import { installIndexTemplates } from './templates-hook.js';
import { ES_VERSION, KAFKA_VERSION } from './versions.js';

// `hangwatch stack up | down | status`: the local Kafka and Elasticsearch of DESIGN.md section 8.

export interface StackContext {
  readonly settings: StackSettings;
  readonly layout: StackLayout;
  readonly asRoot: boolean;
  readonly progress: Progress;
}

export interface StackStatus {
  readonly home: string;
  readonly kafkaBrokers: string;
  readonly esUrl: string;
  readonly services: readonly ServiceStatus[];
}

export function createStackContext(progress: Progress, env: Readonly<Record<string, string | undefined>> = process.env): StackContext {
  const settings = loadStackSettings(env);
  const asRoot = isRoot();
  return { settings, asRoot, progress, layout: buildLayout(resolveStackHome(settings), resolveCacheDir(settings, env), asRoot) };
}

interface Inspection {
  readonly ports: StackFile;
  readonly pids: Readonly<Record<ServiceName, PidState>>;
  readonly status: StackStatus;
}

async function inspect(ctx: StackContext): Promise<Inspection> {
  const { layout } = ctx;
  const pids = {
    kafka: await readPidState(layout.kafka.pidFile, KAFKA_MAIN_CLASS),
    elasticsearch: await readPidState(layout.es.pidFile, ES_MAIN_CLASS),
  };
  const anyAlive = pids.kafka.kind === 'alive' || pids.elasticsearch.kind === 'alive';
  // A running stack keeps the ports it was started with; a new one takes the current settings.
  const ports = (anyAlive ? await readStackFile(layout.stateFile) : undefined) ?? portsFromSettings(ctx.settings);
  const [kafkaAnswers, esAnswers] = await Promise.all([isPortAnswering(ports.kafkaPort), isPortAnswering(ports.esPort)]);
  const esVersion = pids.elasticsearch.kind === 'alive' && esAnswers ? await readEsVersion(ports.esPort) : undefined;
  const services: ServiceStatus[] = [
    {
      name: 'kafka',
      version: KAFKA_VERSION,
      state: judgeServiceState(pids.kafka, kafkaAnswers),
      pid: pids.kafka.kind === 'alive' ? pids.kafka.pid : undefined,
      address: `127.0.0.1:${ports.kafkaPort}`,
      port: ports.kafkaPort,
      logs: layout.kafka.logs,
      data: layout.kafka.data,
      detail: pids.kafka.kind === 'stale' ? pids.kafka.reason : undefined,
    },
    {
      name: 'elasticsearch',
      version: esVersion ?? ES_VERSION,
      state: judgeServiceState(pids.elasticsearch, esAnswers),
      pid: pids.elasticsearch.kind === 'alive' ? pids.elasticsearch.pid : undefined,
      address: `http://127.0.0.1:${ports.esPort}`,
      port: ports.esPort,
      logs: layout.es.logs,
      data: layout.es.data,
      detail: pids.elasticsearch.kind === 'stale' ? pids.elasticsearch.reason : undefined,
    },
  ];
  return {
    ports,
    pids,
    status: { home: layout.home, kafkaBrokers: `127.0.0.1:${ports.kafkaPort}`, esUrl: `http://127.0.0.1:${ports.esPort}`, services },
  };
}

export async function stackStatus(ctx: StackContext): Promise<StackStatus> {
  return (await inspect(ctx)).status;
}

export function isStackRunning(status: StackStatus): boolean {
  return status.services.every((s) => s.state === 'running');
}

export interface UpResult {
  /** the services this call started (with-stack stops exactly these) */
  readonly started: readonly ServiceName[];
  readonly createdTopics: readonly string[];
  readonly templates: 'installed' | 'absent' | 'failed';
  readonly status: StackStatus;
}

export async function stackUp(ctx: StackContext): Promise<UpResult> {
  const { layout, progress } = ctx;
  const before = await inspect(ctx);
  for (const service of before.status.services) {
    if (service.state === 'stale') {
      progress(`${service.name}: removed a stale pid file (${service.detail ?? 'process gone'})`);
      await removePidFile(service.name === 'kafka' ? layout.kafka.pidFile : layout.es.pidFile);
    }
  }
  const toStart = before.status.services.filter((s) => s.state === 'stopped' || s.state === 'stale' || s.state === 'port-taken').map((s) => s.name);
  if (toStart.length === 0 && isStackRunning(before.status)) {
    progress('already running; nothing started (topics and index templates checked)');
    return { started: [], ...(await ensureTopicsAndTemplates(before.ports, ctx.settings.TOPIC_PARTITIONS, progress)), status: before.status };
  }
  const ports = before.ports;
  const settings: StackSettings = {
    ...ctx.settings,
    KAFKA_PORT: ports.kafkaPort,
    KAFKA_CONTROLLER_PORT: ports.kafkaControllerPort,
    ES_PORT: ports.esPort,
    ES_TRANSPORT_PORT: ports.esTransportPort,
  };
  if (toStart.includes('kafka')) await assertPortsFree('Kafka', [ports.kafkaPort, ports.kafkaControllerPort]);
  if (toStart.includes('elasticsearch')) await assertPortsFree('Elasticsearch', [ports.esPort, ports.esTransportPort]);

  const javaHome = await resolveJavaHome(settings.JAVA_HOME);
  await mkdir(layout.home, { recursive: true });
  await writeStackFile(layout.stateFile, ports);
  // One Maven at a time (two would race on the same ~/.m2 files), but Kafka starts while Elasticsearch downloads.
  const kafkaJars = toStart.includes('kafka') ? ensureKafkaJars(layout.kafka.libs, progress) : Promise.resolve();
  const esDist = kafkaJars.then(() => (toStart.includes('elasticsearch') ? ensureElasticsearchDist(layout.es.dist, progress) : undefined));

  const started: ServiceName[] = [];
  const timeout = settings.START_TIMEOUT_MS;
  const bringUpKafka = async (): Promise<void> => {
    await kafkaJars;
    const begin = Date.now();
    let pid: number | undefined;
    if (toStart.includes('kafka')) {
      await prepareKafka(layout.kafka, settings, javaHome);
      progress(`starting Kafka ${KAFKA_VERSION} on 127.0.0.1:${ports.kafkaPort} (logs: ${layout.kafka.logs})`);
      pid = await startKafka(layout.kafka, settings, javaHome);
      started.push('kafka');
    } else if (before.pids.kafka.kind === 'alive') pid = before.pids.kafka.pid;
    await waitForKafka(pid, layout.kafka, ports.kafkaPort, timeout);
    reportReady(progress, 'Kafka', begin);
  };
  const bringUpEs = async (): Promise<void> => {
    await esDist;
    const begin = Date.now();
    if (toStart.includes('elasticsearch')) {
      await prepareElasticsearch(layout.es, settings, ctx.asRoot, progress);
      progress(`starting Elasticsearch ${ES_VERSION} on http://127.0.0.1:${ports.esPort} (logs: ${layout.es.logs})`);
      started.push('elasticsearch');
      await startElasticsearch(layout.es, settings, javaHome, ctx.asRoot);
    }
    await waitForElasticsearch(ports.esPort, timeout, layout.es.logs);
    reportReady(progress, 'Elasticsearch', begin);
  };
  const results = await Promise.allSettled([bringUpKafka(), bringUpEs()]);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    if (started.length > 0) {
      progress(`stopping what this call started (${started.join(', ')}) after the failure`);
      await stackDown(ctx, { purge: false, only: started });
    }
    throw failure.reason;
  }

  return { started, ...(await ensureTopicsAndTemplates(ports, settings.TOPIC_PARTITIONS, progress)), status: (await inspect(ctx)).status };
}

/** Idempotent: creates only missing topics; index templates are PUT again (the indexer's module decides). */
async function ensureTopicsAndTemplates(
  ports: StackFile,
  partitions: number,
  progress: Progress,
): Promise<Pick<UpResult, 'createdTopics' | 'templates'>> {
  const createdTopics = await createStackTopics(ports.kafkaPort, partitions);
  if (createdTopics.length > 0) progress(`created topics: ${createdTopics.join(', ')} (${partitions} partitions each)`);
  return { createdTopics, templates: await installTemplatesSafely(ports.esPort, progress) };
}

function reportReady(progress: Progress, name: string, begin: number): void {
  progress(`${name} is ready (${((Date.now() - begin) / 1000).toFixed(1)} s)`);
}

async function installTemplatesSafely(esPort: number, progress: Progress): Promise<'installed' | 'absent' | 'failed'> {
  const client = stackEsClient(esPort);
  try {
    const outcome = await installIndexTemplates(client);
    if (outcome === 'installed') progress('installed the Elasticsearch index templates (services/indexer/adapters/install-templates.ts)');
    return outcome;
  } catch (error) {
    // The stack itself is up; a broken template module is the indexer's bug, reported loudly but not fatal here.
    progress(`WARNING: installing the index templates failed: ${(error as Error).message}`);
    return 'failed';
  } finally {
    await client.close();
  }
}

export interface DownOptions {
  readonly purge: boolean;
  readonly only?: readonly ServiceName[];
}

export async function stackDown(ctx: StackContext, options: DownOptions): Promise<void> {
  const { layout, progress } = ctx;
  const targets: { name: ServiceName; pidFile: string; mainClass: string }[] = [
    { name: 'kafka', pidFile: layout.kafka.pidFile, mainClass: KAFKA_MAIN_CLASS },
    { name: 'elasticsearch', pidFile: layout.es.pidFile, mainClass: ES_MAIN_CLASS },
  ];
  await Promise.all(
    targets
      .filter((t) => !options.only || options.only.includes(t.name))
      .map(async (target) => {
        const state = await readPidState(target.pidFile, target.mainClass);
        if (state.kind === 'none') progress(`${target.name}: not running`);
        if (state.kind === 'stale') progress(`${target.name}: removed a stale pid file (${state.reason})`);
        if (state.kind === 'alive') {
          progress(`${target.name}: stopping pid ${state.pid}`);
          const gone = await stopProcess(state.pid, ctx.settings.STOP_TIMEOUT_MS);
          if (!gone) throw new HangwatchError('HW_INTERNAL', [`${target.name} pid ${state.pid} survived SIGKILL`]);
          progress(`${target.name}: stopped`);
        }
        await removePidFile(target.pidFile);
      }),
  );
  if (options.purge) {
    const dirs = [layout.kafka.dir, layout.es.dir].filter((_, i) => !options.only || options.only.includes(i === 0 ? 'kafka' : 'elasticsearch'));
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    await rm(layout.stateFile, { force: true });
    progress(`purged data and logs (${dirs.join(', ')}); the download cache is kept`);
  }
}

function portsFromSettings(settings: StackSettings): StackFile {
  return {
    kafkaPort: settings.KAFKA_PORT,
    kafkaControllerPort: settings.KAFKA_CONTROLLER_PORT,
    esPort: settings.ES_PORT,
    esTransportPort: settings.ES_TRANSPORT_PORT,
  };
}
