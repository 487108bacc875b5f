import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startService, stopServices, waitReady, type ServiceProcess } from '../../../cli/demo/child-services.js';
import { COMMON_SCHEMA, loadConfig, type CommonConfig } from '../../../shared/config.js';
import { createKafka } from '../../../shared/clients/kafka.js';
import { suiteRulesDir } from './rules.js';
import { positionGroupsAtEnd, type ConsumingService } from './kafka-groups.js';
import type { Batch } from './corpus.js';
import { REPO, WORK } from './paths.js';

// The whole pipeline as separate processes (`hangwatch service NAME`, started by the main job's runner,
// cli/demo/child-services.ts) against the real Kafka and Elasticsearch, in consumer groups of its own. The
// shipper runs per batch (its own state folder), as a long-running service so that it can be killed mid-file.
//
// Like a supervisor in production (systemd Restart=on-failure, a Kubernetes pod), the pipeline restarts a
// service that exits on its own with a non-zero status: a service whose Kafka consumer crashed for good exits 1
// so that it is restarted (shared/service-runtime.ts), e.g. kafkajs gives up finding a group coordinator after a
// broker outage. Each such restart is reported in the table row; a service restarted more than
// MAX_SUPERVISED_RESTARTS times in one test is a crash loop, and the test fails.

export const PIPELINE_SERVICES = ['parser', 'correlator', 'indexer', 'alerter'] as const;
export type PipelineService = (typeof PIPELINE_SERVICES)[number] | 'shipper';

/**
 * Secrets every pipeline of the suite carries, set but harmless against the local stack (SASL mechanism
 * none, no Elasticsearch user, no Kibana): any of them in a log is a leak (test/faults/40-security.test.ts).
 */
export const FAKE_SECRETS = {
  HANGWATCH_KAFKA_SASL_PASSWORD: 'kafka-pw-5b1f0c7e-do-not-log',
  HANGWATCH_ES_PASSWORD: 'es-pw-9d2a44c1-do-not-log',
  HANGWATCH_KIBANA_PASSWORD: 'kibana-pw-77e0b3d2-do-not-log',
  HANGWATCH_ALERTER_WEBHOOK_SECRET: 'webhook-secret-3c9e61aa-do-not-log',
} as const;

/** Supervisor restarts of one pipeline beyond which a service counts as crash-looping. */
export const MAX_SUPERVISED_RESTARTS = 3;

export interface SupervisedRestart {
  readonly name: PipelineService;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface PipelineOptions {
  readonly name: string;
  /** Extra environment for every service (e.g. webhook URLs, log level). */
  readonly env?: Readonly<Record<string, string>>;
}

/** Children of every pipeline of this process: killed when it exits, so a test killed by a timeout leaves none behind. */
const LIVE = new Set<ServiceProcess>();
let cleanupInstalled = false;

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  const killAll = (): void => {
    for (const p of LIVE) if (!p.exited) p.child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
}

export class Pipeline {
  readonly procs = new Map<PipelineService, ServiceProcess>();
  private shipperEnv: Readonly<Record<string, string>> = {};
  /** Exits the test asked for (kill, stop): not restarted. */
  private readonly expectedExits = new Set<ServiceProcess>();
  private stopping = false;
  private readonly restarts: SupervisedRestart[] = [];
  private readonly gaveUp = new Set<PipelineService>();
  private constructor(
    readonly run: string,
    readonly dir: string,
    readonly logs: string,
    readonly env: NodeJS.ProcessEnv,
    readonly common: CommonConfig,
    private readonly ports: Map<PipelineService, number>,
  ) {}

  static async start(options: PipelineOptions): Promise<Pipeline> {
    const run = `${options.name}-${randomUUID().slice(0, 6)}`;
    const dir = join(WORK, run);
    const logs = join(dir, 'logs');
    await mkdir(logs, { recursive: true });
    const ports = new Map<PipelineService, number>();
    for (const s of [...PIPELINE_SERVICES, 'shipper'] as const) ports.set(s, await freePort());
    const groups: Record<ConsumingService | 'alerter', string> = {
      parser: `hw-faults-${run}-parser`,
      correlator: `hw-faults-${run}-correlator`,
      indexer: `hw-faults-${run}-indexer`,
      alerter: `hw-faults-${run}-alerter`,
    };
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...FAKE_SECRETS,
      HANGWATCH_LOG_LEVEL: 'info',
      HANGWATCH_ALERTER_RULES_DIR: suiteRulesDir(),
      // A batch's files are shipped whole, file after file: its records reach the correlator up to a day out of
      // event-time order. Streaming equals the offline result within the lateness bound (DESIGN.md section 6).
      HANGWATCH_CORRELATOR_LATENESS_MS: String(3 * 86_400_000),
      // The alerter replays the whole shared incidents topic (it never commits offsets, so its group cannot be
      // positioned): other runs' incidents may be years ahead of this batch's in event time.
      HANGWATCH_ALERTER_ALLOWED_LATENESS_MS: String(100 * 365 * 86_400_000),
      ...Object.fromEntries(Object.entries(groups).map(([s, g]) => [`HANGWATCH_${s.toUpperCase()}_GROUP_ID`, g])),
      ...Object.fromEntries([...ports].map(([s, p]) => [`HANGWATCH_${s.toUpperCase()}_HTTP_PORT`, String(p)])),
      ...options.env,
    };
    const common = loadConfig('', COMMON_SCHEMA, env);
    const kafka = createKafka(common, 'faults-admin');
    await positionGroupsAtEnd(kafka, groups);
    const pipeline = new Pipeline(run, dir, logs, env, common, ports);
    try {
      for (const s of PIPELINE_SERVICES) await pipeline.startOne(s);
      for (const s of PIPELINE_SERVICES) await waitReady(pipeline.proc(s), 120_000);
    } catch (error) {
      await pipeline.stop();
      throw error;
    }
    return pipeline;
  }

  proc(name: PipelineService): ServiceProcess {
    const p = this.procs.get(name);
    if (!p) throw new Error(`${name} is not running in ${this.run}`);
    return p;
  }

  port(name: PipelineService): number {
    return this.ports.get(name) as number;
  }

  async startOne(name: PipelineService, extraEnv: Readonly<Record<string, string>> = {}): Promise<ServiceProcess> {
    installCleanup();
    const p = await startService(REPO, name, { ...this.env, ...extraEnv }, this.logs, this.port(name));
    LIVE.add(p);
    p.child.once('exit', (code, signal) => {
      LIVE.delete(p);
      if (this.stopping || this.expectedExits.has(p) || this.procs.get(name) !== p) return;
      this.supervise(name, code, signal, extraEnv);
    });
    this.procs.set(name, p);
    return p;
  }

  /** A service exited on its own: restarted after a pause, as a supervisor would, unless it crash-loops. */
  private supervise(name: PipelineService, code: number | null, signal: NodeJS.Signals | null, extraEnv: Readonly<Record<string, string>>): void {
    this.restarts.push({ name, code, signal });
    process.stderr.write(`faults: supervisor: ${name} exited (${signal ?? code}); ${this.restartCount(name) > MAX_SUPERVISED_RESTARTS ? 'crash loop, not restarted' : 'restarting it'}\n`);
    if (this.restartCount(name) > MAX_SUPERVISED_RESTARTS) {
      this.gaveUp.add(name);
      return;
    }
    // Backing off like a supervisor (1 s, 4 s, 16 s): a service restarted into an outage that is not over may exit again.
    setTimeout(() => {
      if (this.stopping) return;
      this.startOne(name, extraEnv).catch(() => this.gaveUp.add(name));
    }, 1000 * 4 ** (this.restartCount(name) - 1));
  }

  private restartCount(name: PipelineService): number {
    return this.restarts.filter((r) => r.name === name).length;
  }

  /** The supervisor restarts since the last call (for the table row). */
  takeRestarts(): SupervisedRestart[] {
    return this.restarts.splice(0, this.restarts.length);
  }

  /** Starts the shipper service over a batch's hosts (one input folder each), state in its own folder. */
  async startShipper(batch: Batch, settings: ShipperSettings = {}, stateDir?: string): Promise<ServiceProcess> {
    const config = join(this.dir, `shipper-${batch.tag}.yml`);
    await writeFile(config, renderShipperConfig(batch, stateDir ?? join(this.dir, `shipper-state-${batch.tag}`), this.port('shipper'), settings));
    this.shipperEnv = { HANGWATCH_SHIPPER_CONFIG_FILE: config };
    const p = await this.startOne('shipper', this.shipperEnv);
    await waitReady(p, 60_000);
    return p;
  }

  async kill(name: PipelineService, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.proc(name);
    this.expectedExits.add(p);
    if (p.exited) return;
    const gone = new Promise((r) => p.child.once('exit', r));
    p.child.kill(signal);
    await gone;
  }

  async restart(name: PipelineService, extraEnv: Readonly<Record<string, string>> = {}): Promise<void> {
    const p = await this.startOne(name, { ...(name === 'shipper' ? this.shipperEnv : {}), ...extraEnv });
    await waitReady(p, 120_000);
  }

  /** A counter or gauge of a service's /metrics, summed over its labels (0 when not yet reported). */
  async metric(name: PipelineService, metric: string): Promise<number> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.port(name)}/metrics`);
      const text = await res.text();
      let sum = 0;
      for (const line of text.split('\n')) {
        if (line.startsWith(`${metric} `) || line.startsWith(`${metric}{`)) sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
      }
      return sum;
    } catch {
      return 0;
    }
  }

  /** Services the supervisor gave up on (crash loop, or a restart that failed). */
  crashed(): string[] {
    return [...this.gaveUp];
  }

  async stopShipper(): Promise<void> {
    const p = this.procs.get('shipper');
    if (p) {
      this.expectedExits.add(p);
      await stopServices([p]);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await stopServices([...this.procs.values()]);
  }
}

export type ShipperSettings = Readonly<Record<string, Readonly<Record<string, string | number>>>>;

function renderShipperConfig(batch: Batch, stateDir: string, port: number, settings: ShipperSettings): string {
  const doc = {
    state_dir: stateDir,
    status_interval_ms: 0,
    http: { port },
    ...settings,
    read: { scan_interval_ms: 200, rotated_grace_ms: 2000, ...settings.read },
    inputs: batch.hosts.map((host) => ({
      type: 'folder',
      path: host.dir,
      recursive: true,
      host: host.name,
      format: 'auto',
      exclude: ['*.gz', '*.xz', '*.zst', '*.bz2', 'truth.json', 'README*'],
    })),
  };
  return stringify(doc);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
