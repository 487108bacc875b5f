// `npm run bench [-- --short]`: every benchmark of bench/, one table of ratios against the peers (lognormalizer,
// kcat, a raw `_bulk` loop, evtxexport), our own figures without a peer, and the end-to-end figures of the real
// pipeline (bench/e2e.bench.ts), with a description of the machine. Full mode writes bench/results.md; --short
// (CI: smaller corpora, fewer latency samples) writes bench/out/results-short.md, so a quick local run never
// replaces the committed full results. Each benchmark is its helper's own file, called as it documents (a child
// process whose output is read, or its exported function); a failing one marks its row and the run exits 1.
// Kafka and Elasticsearch: the running stack, or one started here and stopped afterwards (scripts/with-stack.ts).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { createStackContext, stackDown, stackUp, type StackContext, type UpResult } from '../infra/stack.js';
import { parseRecord, SourceStates } from '../services/parser/core/parse-record.js';
import { windbgParser } from '../services/parser/core/formats/windbg.js';
import type { E2eResult } from './e2e.bench.js';
import { runIndexerBench } from './indexer.bench.js';
import { ensureLibvirtdCorpus, runLibvirtdParseBench } from './libvirtd-parse.bench.js';

const REPO = join(import.meta.dirname, '..');
const short = process.argv.includes('--short');

const SIZES = short
  ? { libvirtdLines: 100_000, qemuSeconds: 1, kernelLines: 50_000, windbgSeconds: 2, evtxRecords: 10_000, shipperLines: 100_000, indexerEvents: 20_000, indexerLatency: 10, e2eLines: 100_000, lineSamples: 10, hangSamples: 5 }
  : { libvirtdLines: 1_000_000, qemuSeconds: 3, kernelLines: 200_000, windbgSeconds: 5, evtxRecords: 50_000, shipperLines: 1_000_000, indexerEvents: 200_000, indexerLatency: 40, e2eLines: 1_000_000, lineSamples: 50, hangSamples: 20 };

interface Row {
  readonly section: 'peers' | 'own' | 'e2e';
  readonly figure: string;
  readonly ours: string;
  readonly peer?: string;
  readonly ratio?: string;
  readonly how: string;
}

const rows: Row[] = [];
let failures = 0;

function say(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

const fmt = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? 'n/a' : Math.round(n).toLocaleString('en-US'));
const ratio = (ours: number | undefined, peer: number | undefined): string | undefined => (ours && peer ? (ours / peer).toFixed(2) : undefined);

/** Runs one benchmark; a failure becomes a row saying so, and the others still run. */
async function step(section: Row['section'], figure: string, body: () => Promise<void>): Promise<void> {
  const started = performance.now();
  say(`${figure}...`);
  try {
    await body();
    say(`${figure}: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } catch (error) {
    failures++;
    const message = (error as Error).message.split('\n')[0] ?? String(error);
    say(`${figure} FAILED: ${(error as Error).stack ?? message}`);
    rows.push({ section, figure, ours: 'failed', how: message.slice(0, 160) });
  }
}

/** A bench file run as `node --import tsx FILE ARGS`; resolves with its stdout (its stderr is passed through). */
function runBenchFile(file: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'bench', file), ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => process.stderr.write(d.replace(/^(?=.)/gm, `  [${file}] `)));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${file} exited with ${code}: ${out.trim().split('\n').slice(-3).join(' | ')}`))));
  });
}

/** Debian packages of the peers, installed when their command is missing; false when that failed. */
function ensurePeer(command: string, pkg: string): boolean {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status === 0) return true;
  say(`installing ${pkg} (${command})`);
  const install = (): boolean => spawnSync('sh', ['-c', `DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg}`], { stdio: 'ignore' }).status === 0;
  if (!install()) {
    spawnSync('sh', ['-c', 'apt-get update -qq'], { stdio: 'ignore' });
    install();
  }
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

function describeMachine(): string[] {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? 'unknown';
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).stdout.trim();
  return [
    `- CPUs: ${availableParallelism()} (nproc), ${model}`,
    `- memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- Node ${process.version}, ${process.platform} ${process.arch}; hangwatch commit ${commit || 'unknown'}`,
  ];
}

const loadText = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

// --- benchmarks without Kafka or Elasticsearch ------------------------------------------------------------------

async function libvirtdVsLognormalizer(peerAvailable: boolean): Promise<void> {
  const corpus = await ensureLibvirtdCorpus(SIZES.libvirtdLines, REPO);
  const r = await runLibvirtdParseBench(corpus, REPO);
  const peer = peerAvailable ? r.peerLinesPerCpuSecond : undefined;
  rows.push({
    section: 'peers',
    figure: `libvirtd lines/s per core (${fmt(r.lines)} lines, grammar + event JSON)`,
    ours: fmt(r.oursLinesPerCpuSecond),
    peer: peer ? `${fmt(peer)} (lognormalizer -e json)` : 'peer unavailable',
    ...(peer ? { ratio: ratio(r.oursLinesPerCpuSecond, peer) } : {}),
    how: 'lines per CPU second (user + system) of each process',
  });
}

async function evtxVsEvtxexport(peerAvailable: boolean): Promise<void> {
  const r = JSON.parse(await runBenchFile('evtx.bench.ts', [String(SIZES.evtxRecords), '--json'])) as {
    records: number;
    ours: Record<'decode' | 'reader' | 'full', { recordsPerSecond: number; recordsPerCpuSecond?: number }>;
    peer: { recordsPerCpuSecond?: number } | null;
  };
  const peer = peerAvailable ? r.peer?.recordsPerCpuSecond : undefined;
  for (const [key, label] of [['decode', 'chunk decoding to XML'], ['full', 'reader + normalized events']] as const) {
    const ours = r.ours[key].recordsPerCpuSecond;
    rows.push({
      section: 'peers',
      figure: `EVTX records/s, ${label} (${fmt(r.records)} records)`,
      ours: fmt(ours),
      peer: peer ? `${fmt(peer)} (evtxexport -f xml)` : 'peer unavailable',
      ...(peer ? { ratio: ratio(ours, peer) } : {}),
      how: 'records per CPU second (user + system) of each process',
    });
  }
}

async function qemuCommandLines(): Promise<void> {
  const out = await runBenchFile('qemu-cmdline.bench.ts', [String(SIZES.qemuSeconds)]);
  for (const m of out.matchAll(/^parseRecord (.+?)\s+(\d+) lines\/s/gm)) {
    rows.push({ section: 'own', figure: `qemu command lines/s, ${m[1]}`, ours: fmt(Number(m[2])), how: 'whole parser path (parseRecord), one core, wall clock' });
  }
  if (!/^parseRecord /m.test(out)) throw new Error('qemu-cmdline.bench.ts printed no parseRecord figure');
}

async function kernelLines(): Promise<void> {
  const out = await runBenchFile('kernel-grammar.ts', [String(SIZES.kernelLines)]);
  const m = /^parseRecord .*= ([\d,]+) lines\/s/m.exec(out);
  if (!m) throw new Error('kernel-grammar.ts printed no parseRecord figure');
  rows.push({ section: 'own', figure: `kernel (kern.log) lines/s (${fmt(SIZES.kernelLines)} lines)`, ours: fmt(Number(m[1]?.replace(/,/g, ''))), how: 'whole parser path (parseRecord), one core, wall clock' });
}

/** WinDbg !analyze reports per CPU second: the seed's vm113 report through the whole parser path, in a loop. */
async function windbgReports(): Promise<void> {
  const path = join(REPO, 'samples', 'seed', 'sc7', 'guests', 'vm113', 'windbg-analyze.txt');
  const bytes = readFileSync(path);
  const registry = { windbg: windbgParser };
  const once = (states: SourceStates): void => {
    const outcome = parseRecord({ bytes, host: 'sc7', path, format: 'windbg', fingerprint: 'bench', offset: 0, created: '2026-01-01T00:00:00.000Z' }, registry, states, { maxRecordBytes: 1 << 20, validate: false });
    if (outcome.events.length !== 1) throw new Error(`the WinDbg report gave ${outcome.events.length} events`);
  };
  for (let i = 0; i < 200; i++) once(new SourceStates()); // JIT warm-up
  let n = 0;
  const cpu0 = process.cpuUsage();
  const until = performance.now() + SIZES.windbgSeconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 20; i++) once(new SourceStates());
    n += 20;
  }
  const cpu = process.cpuUsage(cpu0);
  rows.push({ section: 'own', figure: `WinDbg reports/s (seed vm113, ${(bytes.length / 1024).toFixed(1)} KB)`, ours: fmt(n / ((cpu.user + cpu.system) / 1e6)), how: 'whole parser path (parseRecord), reports per CPU second' });
}

// --- benchmarks on the real Kafka and Elasticsearch ------------------------------------------------------------

async function shipperVsKcat(env: NodeJS.ProcessEnv, peerAvailable: boolean): Promise<void> {
  if (!peerAvailable) {
    rows.push({ section: 'peers', figure: 'shipper lines/s (file -> Kafka)', ours: 'not run', peer: 'peer unavailable', how: 'bench/shipper.bench.ts needs kcat' });
    return;
  }
  const out = await runBenchFile('shipper.bench.ts', ['--lines', String(SIZES.shipperLines)], env);
  const ours = /hangwatch ship --once:.*?([\d.]+) lines\/s/.exec(out)?.[1];
  const peer = /kcat -P:.*?([\d.]+) lines\/s/.exec(out)?.[1];
  if (!ours || !peer) throw new Error(`unexpected output of shipper.bench.ts: ${out.slice(0, 200)}`);
  rows.push({
    section: 'peers',
    figure: `shipper lines/s, file -> Kafka (${fmt(SIZES.shipperLines)} lines, acks=all, idempotent)`,
    ours: fmt(Number(ours)),
    peer: `${fmt(Number(peer))} (kcat -P)`,
    ratio: ratio(Number(ours), Number(peer)),
    how: 'wall clock of each process, process start included',
  });
}

async function indexerVsBulk(env: NodeJS.ProcessEnv): Promise<void> {
  const r = await runIndexerBench({ events: SIZES.indexerEvents, latencySamples: SIZES.indexerLatency, retimingEvents: 0, env, log: (line) => say(`  [indexer] ${line}`) });
  rows.push({
    section: 'peers',
    figure: `indexer docs/s, Kafka -> Elasticsearch (${fmt(r.events)} events)`,
    ours: fmt(r.indexer.docsPerSecond),
    peer: `${fmt(r.rawBulk.docsPerSecond)} (raw _bulk, same bodies)`,
    ratio: ratio(r.indexer.docsPerSecond, r.rawBulk.docsPerSecond),
    how: `wall clock; bulk bodies of ${(r.flushBytes / 2 ** 20).toFixed(0)} MiB, concurrency ${r.concurrency}`,
  });
  rows.push({ section: 'e2e', figure: 'latency, produced to Kafka -> searchable (indexer alone)', ours: `p50 ${fmt(r.latency.p50Ms)} ms, p99 ${fmt(r.latency.p99Ms)} ms`, how: `${r.latency.samples} events one at a time` });
}

async function endToEnd(env: NodeJS.ProcessEnv): Promise<void> {
  const args = ['--json', '--lines', String(SIZES.e2eLines), '--line-samples', String(SIZES.lineSamples), '--hang-samples', String(SIZES.hangSamples)];
  const out = await runBenchFile('e2e.bench.ts', args, env);
  const r = JSON.parse(out.trim().split('\n').pop() ?? '') as E2eResult;
  const t = r.throughput;
  rows.push({ section: 'e2e', figure: `lines/s, file -> searchable events (${fmt(t.lines)} libvirtd lines, ship --once)`, ours: fmt(t.linesPerSecond), how: `wall clock, ${t.searchableSeconds} s (shipping alone ${t.shipSeconds} s)` });
  rows.push({ section: 'e2e', figure: 'lines per CPU second of shipper + parser + indexer', ours: fmt(t.linesPerHangwatchCpuSecond), how: `${t.hangwatchCpuSeconds} CPU s in hangwatch processes (Kafka, Elasticsearch not counted)` });
  rows.push({ section: 'e2e', figure: 'latency, line appended to a tailed file -> event searchable', ours: `p50 ${fmt(r.lineLatency.p50Ms)} ms, p99 ${fmt(r.lineLatency.p99Ms)} ms`, how: `${r.lineLatency.samples} lines; shipper poll 250 ms, indexer flush 500 ms, refresh 1 s (defaults)` });
  rows.push({ section: 'e2e', figure: 'latency, hang record -> incident searchable', ours: `p50 ${fmt(r.hangLatency.p50Ms)} ms, p99 ${fmt(r.hangLatency.p99Ms)} ms`, how: `${r.hangLatency.samples} x ${r.hangLatency.record}; ${r.hangLatency.shipperSettings}` });
}

// --- report ----------------------------------------------------------------------------------------------------

function renderTable(): string[] {
  const out: string[] = [];
  const sections: Array<[Row['section'], string, boolean]> = [
    ['peers', 'Against the peers (same input, same run; ratio = hangwatch / peer, higher is better)', true],
    ['own', 'Our own figures (no peer does this)', false],
    ['e2e', 'End to end on this machine (real Kafka and Elasticsearch, services as separate processes)', false],
  ];
  for (const [section, title, withPeer] of sections) {
    const mine = rows.filter((r) => r.section === section);
    if (mine.length === 0) continue;
    out.push(`### ${title}`, '');
    if (withPeer) {
      out.push('| figure | hangwatch | peer | ratio | measured as |', '|---|---:|---:|---:|---|');
      for (const r of mine) out.push(`| ${r.figure} | ${r.ours} | ${r.peer ?? ''} | ${r.ratio ?? ''} | ${r.how} |`);
    } else {
      out.push('| figure | hangwatch | measured as |', '|---|---:|---|');
      for (const r of mine) out.push(`| ${r.figure} | ${r.ours} | ${r.how} |`);
    }
    out.push('');
  }
  return out;
}

async function main(): Promise<number> {
  const started = new Date();
  const loadAtStart = loadText();
  say(`${short ? 'short' : 'full'} mode; load average ${loadAtStart}`);
  const peers = { lognormalizer: ensurePeer('lognormalizer', 'liblognorm-utils'), kcat: ensurePeer('kcat', 'kcat'), evtxexport: ensurePeer('evtxexport', 'libevtx-utils') };

  // CPU-bound benchmarks first, before the pipeline's processes add their load.
  await step('peers', 'libvirtd vs lognormalizer', () => libvirtdVsLognormalizer(peers.lognormalizer));
  await step('peers', 'EVTX vs evtxexport', () => evtxVsEvtxexport(peers.evtxexport));
  await step('own', 'qemu command lines', qemuCommandLines);
  await step('own', 'WinDbg reports', windbgReports);
  await step('own', 'kernel lines', kernelLines);

  const ctx: StackContext = createStackContext((m) => say(`stack: ${m}`));
  let started_: Array<UpResult['started'][number]> = [];
  try {
    const up = await stackUp(ctx);
    started_ = [...up.started];
    say(started_.length > 0 ? `started ${started_.join(', ')} for the run` : `using the running stack (${up.status.kafkaBrokers}, ${up.status.esUrl})`);
    const env = { ...process.env, HANGWATCH_KAFKA_BROKERS: up.status.kafkaBrokers, HANGWATCH_ES_URL: up.status.esUrl };
    await step('peers', 'shipper vs kcat', () => shipperVsKcat(env, peers.kcat));
    await step('peers', 'indexer vs raw _bulk', () => indexerVsBulk(env));
    await step('e2e', 'end to end', () => endToEnd(env));
  } catch (error) {
    failures++;
    rows.push({ section: 'e2e', figure: 'Kafka + Elasticsearch benchmarks', ours: 'failed', how: `the stack did not start: ${(error as Error).message.split('\n')[0]}` });
  } finally {
    if (started_.length > 0) {
      say(`stopping what the bench started (${started_.join(', ')}); data kept`);
      await stackDown(ctx, { purge: false, only: started_ }).catch((error: unknown) => say(`stack down failed: ${(error as Error).message}`));
    }
  }

  const minutes = ((Date.now() - started.getTime()) / 60_000).toFixed(1);
  const report = [
    `# hangwatch benchmarks (${short ? 'short mode, `npm run bench -- --short`' : 'full mode, `npm run bench`'})`,
    '',
    `Run ${started.toISOString()}, ${minutes} min. Machine:`,
    ...describeMachine(),
    `- load average (1, 5, 15 min): ${loadAtStart} at the start, ${loadText()} at the end`,
    '',
    'Ratios compare two measurements of the same run on the same input, so machine load affects both sides; where the',
    'peer is a separate process both sides are measured in CPU seconds of their own process, which load skews least.',
    'Wall-clock figures (shipper, indexer, end to end, latencies) do depend on the load. How each figure is measured:',
    'bench/README.md.',
    '',
    ...renderTable(),
  ].join('\n');
  const target = short ? join(REPO, 'bench', 'out', 'results-short.md') : join(REPO, 'bench', 'results.md');
  mkdirSync(join(target, '..'), { recursive: true });
  writeFileSync(target, report);
  process.stdout.write(report);
  say(`written to ${target}${failures > 0 ? `; ${failures} benchmark(s) failed` : ''}`);
  return failures > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    say(`failed: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 1;
  },
);
