// End-to-end figures of the real pipeline on this machine (issue 12): lines per second from a file to searchable
// events, latency from a line appended to a tailed file to its event being searchable, and from a hang record
// (a WinDbg report dropped into a guest folder) to its incident being searchable. The services run as child
// processes (`hangwatch service NAME`, as `hangwatch demo` runs them) against the real Kafka and Elasticsearch.
//   node --import tsx scripts/with-stack.ts node --import tsx bench/e2e.bench.ts [--lines N] [--line-samples N] [--hang-samples N] [--json]
// Isolation, so the bench never disturbs other users of the stack: a unique hypervisor name; its own raw and
// events topics for the volume (HANGWATCH_PARSER_EVENTS_TOPIC), so a million lines never land on the shared
// topics; events dated on a day nobody else writes (bench/indexer-events.ts uniqueDay), in an index of their own
// that is deleted afterwards. The hang phase needs the correlator, which reads hangwatch.events.v1: there its
// consumer groups start at the topics' current end, and its incidents are tombstoned on the incidents topic
// (every indexer deletes them) once measured.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { appendFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Client } from '@elastic/elasticsearch';
import type { Admin } from 'kafkajs';
import { stopServices, type ServiceProcess } from '../cli/demo/child-services.js';
import { createElasticsearch } from '../shared/clients/elasticsearch.js';
import { createKafka } from '../shared/clients/kafka.js';
import { COMMON_SCHEMA, loadConfig } from '../shared/config.js';
import { eventsIndexFor, INDICES, TOPICS } from '../shared/topics.js';
import { cpuSecondsOf, createTopics, runTimed, sleep, startGroupAtEnd, startServices, summarizeLatencies, type LatencySummary } from './e2e-pipeline.js';
import { uniqueDay } from './indexer-events.js';
import { ensureLibvirtdCorpus } from './libvirtd-parse.bench.js';

const REPO = join(import.meta.dirname, '..');
const WINDBG_SAMPLE = join(REPO, 'samples', 'seed', 'sc7', 'guests', 'vm113', 'windbg-analyze.txt');

export interface E2eOptions {
  readonly lines?: number;
  readonly lineSamples?: number;
  readonly hangSamples?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
  /** Keep the work folder (service logs) afterwards. */
  readonly keep?: boolean;
}

export interface E2eResult {
  readonly host: string;
  readonly throughput: {
    readonly lines: number;
    readonly shipSeconds: number;
    readonly searchableSeconds: number;
    readonly linesPerSecond: number;
    /** CPU seconds of `ship --once`, the parser and the indexer in the window (Kafka and Elasticsearch excluded). */
    readonly hangwatchCpuSeconds: number;
    readonly linesPerHangwatchCpuSecond: number;
  };
  readonly lineLatency: LatencySummary;
  readonly hangLatency: LatencySummary & { readonly record: string; readonly shipperSettings: string };
}

interface Run {
  readonly id: string;
  readonly host: string;
  readonly work: string;
  readonly logs: string;
  readonly env: NodeJS.ProcessEnv;
  readonly es: Client;
  readonly admin: Admin;
  readonly log: (line: string) => void;
}

export async function runE2eBench(options: E2eOptions = {}): Promise<E2eResult> {
  const lines = options.lines ?? 1_000_000;
  const log = options.log ?? ((line: string) => process.stderr.write(`e2e-bench: ${line}\n`));
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), HANGWATCH_LOG_LEVEL: 'warn' };
  const common = loadConfig('', COMMON_SCHEMA, env);
  const id = randomUUID().slice(0, 8);
  const host = `hw-bench-e2e-${id}`;
  const work = join(tmpdir(), host);
  const kafka = createKafka(common, `bench-e2e-${id}`);
  const admin = kafka.admin();
  const es = createElasticsearch(common);
  await admin.connect();
  const run: Run = { id, host, work, logs: join(work, 'logs'), env, es, admin, log };
  const ownTopics = [`hw-bench-e2e-raw-${id}`, `hw-bench-e2e-events-${id}`, `hw-bench-e2e-guest-raw-${id}`];
  const groups: string[] = [];
  const day = await freeDay(es, id);
  await mkdir(run.logs, { recursive: true });
  log(`host ${host}, events dated ${day}, work folder ${work}`);
  try {
    await createTopics(admin, ownTopics.slice(0, 2), 2);
    await createTopics(admin, ownTopics.slice(2), 1);
    const volume = await runVolumePhases(run, { raw: ownTopics[0] as string, events: ownTopics[1] as string, day, lines, samples: options.lineSamples ?? 50, groups });
    const hangLatency = await runHangPhase(run, { raw: ownTopics[2] as string, day: uniqueDay(id, 'hangs'), samples: options.hangSamples ?? 20, groups });
    return { host, ...volume, hangLatency };
  } finally {
    await es.indices.delete({ index: eventsIndexFor(`${day}T00:00:00.000Z`), ignore_unavailable: true }).catch(() => undefined);
    await admin.deleteTopics({ topics: ownTopics }).catch(() => undefined);
    await admin.deleteGroups(groups).catch(() => undefined);
    await admin.disconnect();
    await es.close();
    if (!options.keep) await rm(work, { recursive: true, force: true });
  }
}

/** A day whose daily events index does not exist yet: the bench's index is then its own to count and delete. */
async function freeDay(es: Client, id: string): Promise<string> {
  for (let salt = 0; ; salt++) {
    const day = uniqueDay(id, `volume-${salt}`);
    if (!(await es.indices.exists({ index: eventsIndexFor(`${day}T00:00:00.000Z`) }))) return day;
  }
}

interface VolumeSetup {
  readonly raw: string;
  readonly events: string;
  readonly day: string;
  readonly lines: number;
  readonly samples: number;
  readonly groups: string[];
}

/** Parser and indexer on the bench's own topics: a backfill with `ship --once`, then a tailing shipper for latency. */
async function runVolumePhases(run: Run, setup: VolumeSetup): Promise<Pick<E2eResult, 'throughput' | 'lineLatency'>> {
  const parserGroup = `hw-bench-e2e-parser-${run.id}`;
  const indexerGroup = `hw-bench-e2e-indexer-${run.id}`;
  setup.groups.push(parserGroup, indexerGroup);
  const index = eventsIndexFor(`${setup.day}T00:00:00.000Z`);
  const hostDir = join(run.work, run.host);
  const corpus = join(hostDir, 'var', 'log', 'libvirt', 'libvirtd.log');
  await mkdir(join(hostDir, 'var', 'log', 'libvirt'), { recursive: true });
  run.log(`writing ${setup.lines} libvirtd lines dated ${setup.day}`);
  const lines = await writeCorpus(await ensureLibvirtdCorpus(setup.lines, REPO), corpus, setup.day);

  const procs = await startServices(
    REPO,
    run.env,
    [
      { name: 'parser', env: { HANGWATCH_PARSER_GROUP_ID: parserGroup, HANGWATCH_PARSER_INPUT_TOPICS: setup.raw, HANGWATCH_PARSER_EVENTS_TOPIC: setup.events } },
      { name: 'indexer', env: { HANGWATCH_INDEXER_GROUP_ID: indexerGroup, HANGWATCH_INDEXER_TOPICS: setup.events, HANGWATCH_INDEXER_TOPIC_KINDS: `${setup.events}=events` } },
    ],
    run.logs,
  );
  try {
    run.log('parser and indexer ready; shipping with hangwatch ship --once');
    const config = join(run.work, 'ship-once.json');
    await writeFile(config, JSON.stringify({ host: run.host, state_dir: join(run.work, 'state-once'), status_interval_ms: 0, http: { port: 0 }, kafka: { topic: setup.raw }, inputs: [{ type: 'file', path: corpus, format: 'libvirtd' }] }));
    const cpu0 = procs.map((p) => cpuSecondsOf(p.child.pid));
    const start = performance.now();
    const { code, cpuSeconds: shipperCpu } = await runTimed(process.execPath, [join(REPO, 'bin', 'hangwatch.js'), 'ship', '--config', config, '--once'], run.env, join(run.logs, 'ship-once.log'), REPO);
    if (code !== 0) throw new Error(`hangwatch ship --once exited with ${code}; see ${join(run.logs, 'ship-once.log')}`);
    const shipSeconds = (performance.now() - start) / 1000;
    run.log(`shipped in ${shipSeconds.toFixed(1)} s; waiting until ${lines} events are searchable`);
    await waitForCount(run, index, lines, procs);
    const searchableSeconds = (performance.now() - start) / 1000;
    const serviceCpu = procs.reduce((sum, p, i) => sum + cpuSecondsOf(p.child.pid) - (cpu0[i] ?? 0), 0);
    const cpuSeconds = shipperCpu + serviceCpu;
    const throughput = {
      lines,
      shipSeconds: round1(shipSeconds),
      searchableSeconds: round1(searchableSeconds),
      linesPerSecond: Math.round(lines / searchableSeconds),
      hangwatchCpuSeconds: round1(cpuSeconds),
      linesPerHangwatchCpuSecond: cpuSeconds > 0 ? Math.round(lines / cpuSeconds) : 0,
    };
    run.log(`${throughput.linesPerSecond} lines/s file -> searchable; ${throughput.linesPerHangwatchCpuSecond} lines per CPU second of shipper + parser + indexer`);
    const lineLatency = await measureLineLatency(run, setup, index, procs);
    return { throughput, lineLatency };
  } finally {
    await stopServices(procs);
  }
}

/** The generated libvirtd corpus with every timestamp moved to `day`; returns the number of lines. */
async function writeCorpus(source: string, target: string, day: string): Promise<number> {
  const out = createWriteStream(target);
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(source), crlfDelay: Infinity })) {
    const text = /^\d{4}-\d\d-\d\d /.test(line) ? `${day}${line.slice(10)}` : line;
    if (!out.write(`${text}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
    n++;
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return n;
}

/** Polls the searchable count (no forced refresh: searchable is what the index's refresh shows). */
async function waitForCount(run: Run, index: string, expected: number, procs: readonly ServiceProcess[]): Promise<void> {
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    for (const p of procs) if (p.exited) throw new Error(`${p.name} stopped; see ${p.logFile}`);
    const r = await run.es.count({ index, ignore_unavailable: true }).catch(() => ({ count: 0 }));
    if (r.count >= expected) return;
    if (r.count !== last) {
      last = r.count;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > 180_000) {
      throw new Error(`stuck at ${r.count} of ${expected} searchable events for 3 minutes; logs in ${run.logs}`);
    }
    await sleep(250);
  }
}

async function measureLineLatency(run: Run, setup: VolumeSetup, index: string, procs: readonly ServiceProcess[]): Promise<LatencySummary> {
  const file = join(run.work, run.host, 'var', 'log', 'libvirt', 'latency.log');
  const line = (i: number): string => `${setup.day} 23:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}+0000: 4242: error : qemuMonitorIO:689 : internal error: End of file from monitor (latency sample ${i})\n`;
  await writeFile(file, line(0));
  const config = join(run.work, 'ship-tail.json');
  await writeFile(config, JSON.stringify({ host: run.host, state_dir: join(run.work, 'state-tail'), status_interval_ms: 0, kafka: { topic: setup.raw }, inputs: [{ type: 'file', path: file, format: 'libvirtd' }] }));
  const shipper = await startServices(REPO, run.env, [{ name: 'shipper', env: { HANGWATCH_SHIPPER_CONFIG_FILE: config } }], run.logs);
  const all = [...procs, ...shipper];
  try {
    await waitForLine(run, index, file, 0, all, 120_000); // warm-up: the first line also proves the path works
    const latencies: number[] = [];
    for (let i = 1; i <= setup.samples; i++) {
      const offset = (await stat(file)).size;
      const start = performance.now();
      await appendFile(file, line(i));
      await waitForLine(run, index, file, offset, all, 60_000);
      latencies.push(performance.now() - start);
      await sleep(100 + ((i * 37) % 200)); // not in step with the shipper's poll or the indexer's flush
    }
    const summary = summarizeLatencies(latencies);
    run.log(`line -> searchable: p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms over ${summary.samples} lines`);
    return summary;
  } finally {
    await stopServices(shipper);
  }
}

async function waitForLine(run: Run, index: string, path: string, offset: number, procs: readonly ServiceProcess[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const query = { bool: { filter: [{ term: { 'log.file.path': path } }, { term: { 'log.offset': offset } }] } };
  while (Date.now() < deadline) {
    for (const p of procs) if (p.exited) throw new Error(`${p.name} stopped; see ${p.logFile}`);
    const r = await run.es.count({ index, query, ignore_unavailable: true }).catch(() => ({ count: 0 }));
    if (r.count > 0) return;
    await sleep(20);
  }
  throw new Error(`the line at offset ${offset} of ${path} was not searchable after ${timeoutMs} ms; logs in ${run.logs}`);
}

interface HangSetup {
  readonly raw: string;
  readonly day: string;
  readonly samples: number;
  readonly groups: string[];
}

/**
 * Shipper (tailing a guests folder) -> parser -> hangwatch.events.v1 -> correlator -> hangwatch.incidents.v1 ->
 * indexer. Each sample is a WinDbg report of a new domain folder, written elsewhere and renamed in, as a copy
 * tool would leave it; the clock stops when its incident is searchable.
 */
async function runHangPhase(run: Run, setup: HangSetup): Promise<E2eResult['hangLatency']> {
  const parserGroup = `hw-bench-e2e-guest-parser-${run.id}`;
  const correlatorGroup = `hw-bench-e2e-correlator-${run.id}`;
  const indexerGroup = `hw-bench-e2e-incidents-${run.id}`;
  setup.groups.push(parserGroup, correlatorGroup, indexerGroup);
  await startGroupAtEnd(run.admin, correlatorGroup, [TOPICS.events]);
  await startGroupAtEnd(run.admin, indexerGroup, [TOPICS.incidents]);
  const guests = join(run.work, run.host, 'guests');
  const staging = join(run.work, 'staging');
  await mkdir(guests, { recursive: true });
  await mkdir(staging, { recursive: true });
  // Sample 0, the warm-up, is in place before the shipper starts: its /readyz turns ready once it reached Kafka.
  const template = await readFile(WINDBG_SAMPLE, 'utf8');
  const hangTime = (i: number): number => Date.parse(`${setup.day}T00:00:00.000Z`) + i * 3_600_000;
  await mkdir(join(guests, 'vm-lat-0'));
  await writeFile(join(guests, 'vm-lat-0', 'windbg-analyze.txt'), withSessionTime(template, hangTime(0), 'vm-lat-0'));
  const config = join(run.work, 'ship-guests.json');
  await writeFile(config, JSON.stringify({ host: run.host, state_dir: join(run.work, 'state-guests'), status_interval_ms: 0, kafka: { topic: setup.raw }, inputs: [{ type: 'folder', path: guests, recursive: true, include: ['*.txt'], format: 'auto' }] }));
  const procs = await startServices(
    REPO,
    run.env,
    [
      { name: 'parser', env: { HANGWATCH_PARSER_GROUP_ID: parserGroup, HANGWATCH_PARSER_INPUT_TOPICS: setup.raw } },
      { name: 'correlator', env: { HANGWATCH_CORRELATOR_GROUP_ID: correlatorGroup, HANGWATCH_CORRELATOR_SNAPSHOT_FACTS: 'false' } },
      { name: 'indexer', env: { HANGWATCH_INDEXER_GROUP_ID: indexerGroup, HANGWATCH_INDEXER_TOPICS: TOPICS.incidents } },
      { name: 'shipper', env: { HANGWATCH_SHIPPER_CONFIG_FILE: config } },
    ],
    run.logs,
  );
  const incidentIds: string[] = [];
  try {
    run.log(`hang phase: parser, correlator, indexer and a shipper tailing ${guests} ready`);
    const latencies: number[] = [];
    incidentIds.push(await waitForIncident(run, 'vm-lat-0', procs, 180_000));
    for (let i = 1; i <= setup.samples; i++) {
      const domain = `vm-lat-${i}`;
      const staged = join(staging, `${domain}.txt`);
      await writeFile(staged, withSessionTime(template, hangTime(i), domain));
      await mkdir(join(guests, domain));
      const start = performance.now();
      await rename(staged, join(guests, domain, 'windbg-analyze.txt'));
      incidentIds.push(await waitForIncident(run, domain, procs, 60_000));
      latencies.push(performance.now() - start);
    }
    const summary = summarizeLatencies(latencies);
    run.log(`hang record -> incident searchable: p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms over ${summary.samples} reports`);
    return { ...summary, record: 'WinDbg !analyze report (seed vm113) renamed into guests/<domain>/', shipperSettings: 'read.scan_interval_ms 2000, read.flush_timeout_ms 5000 (defaults)' };
  } finally {
    await retractIncidents(run, incidentIds, procs);
    await stopServices(procs);
  }
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The report as WinDbg's `.logopen` leaves it (its first line names the log file) with its `Debug session time`
 * moved to utcMs, written as WinDbg does: local time and (GMT+8). The first line matters: the shipper's file
 * fingerprint is the first line alone, and reports that all begin with the same debugger banner get one
 * fingerprint, so the shipper takes a second report for a copy of the first (matched by content, nothing shipped)
 * and their event ids (host + fingerprint + offset) collide. Reported to the shipper's owner; this keeps the bench
 * measuring latency rather than that.
 */
function withSessionTime(report: string, utcMs: number, domain: string): string {
  const t = new Date(utcMs + 8 * 3_600_000);
  const two = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${WEEKDAYS[t.getUTCDay()]} ${MONTHS[t.getUTCMonth()]} ${two(t.getUTCDate())} ${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())}.000 ${t.getUTCFullYear()} (GMT+8)`;
  return `Opened log file 'C:\\dumps\\${domain}.log'\r\n${report.replace(/^Debug session time: .*$/m, `Debug session time: ${stamp}`)}`;
}

async function waitForIncident(run: Run, domain: string, procs: readonly ServiceProcess[], timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const query = { bool: { filter: [{ term: { 'libvirt.hypervisor': run.host } }, { term: { 'libvirt.domain.name': domain } }] } };
  while (Date.now() < deadline) {
    for (const p of procs) if (p.exited) throw new Error(`${p.name} stopped; see ${p.logFile}`);
    const r = await run.es.search({ index: INDICES.incidents, query, size: 1, _source: false, ignore_unavailable: true }).catch(() => undefined);
    const hit = r?.hits.hits[0];
    if (hit?._id) return hit._id;
    await sleep(20);
  }
  throw new Error(`no incident for ${run.host}/${domain} after ${timeoutMs} ms; logs in ${run.logs}`);
}

/** Tombstones on the incidents topic (how the correlator deletes an incident), then a direct delete as well. */
async function retractIncidents(run: Run, ids: readonly string[], procs: readonly ServiceProcess[]): Promise<void> {
  if (ids.length === 0) return;
  const kafka = createKafka(loadConfig('', COMMON_SCHEMA, run.env), `bench-e2e-retract-${run.id}`);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  try {
    await producer.connect();
    await producer.send({ topic: TOPICS.incidents, acks: -1, messages: ids.map((id) => ({ key: id, value: null, headers: { 'hw-hypervisor': run.host } })) });
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !procs.some((p) => p.exited)) {
      const r = await run.es.count({ index: INDICES.incidents, query: { term: { 'libvirt.hypervisor': run.host } } });
      if (r.count === 0) return;
      await sleep(250);
    }
  } catch (error) {
    run.log(`could not tombstone the bench's incidents: ${(error as Error).message}`);
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
  await run.es.bulk({ operations: ids.map((id) => ({ delete: { _index: INDICES.incidents, _id: id } })), refresh: true }).catch(() => undefined);
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' }, 'line-samples': { type: 'string', default: '50' }, 'hang-samples': { type: 'string', default: '20' }, json: { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } } });
  runE2eBench({ lines: Number(values.lines), lineSamples: Number(values['line-samples']), hangSamples: Number(values['hang-samples']), keep: values.keep }).then(
    (result) => process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`),
    (error: unknown) => {
      process.stderr.write(`e2e-bench failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
