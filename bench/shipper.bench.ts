// Shipper throughput against kcat (issue 4): the same 1M-line file shipped to the same broker in the same run, by
// `hangwatch ship --once` and by `kcat -P`, each to its own fresh topic of one partition; prints lines/s and the
// ratio (wall clock, process start included), and each process's CPU seconds and the shipper's time from first to last acknowledged batch.
// Usage: node --import tsx scripts/with-stack.ts node --import tsx bench/shipper.bench.ts [--lines N] [--compression none|gzip]
// kcat: Debian package `kcat` (apt-get install kcat). For fairness kcat sends with acks=all, idempotence, the same
// key (the host) and the same compression, and carries the same eight header names with values of the same size
// but static (it cannot compute per-record offsets; the shipper does), so both write about the same bytes. The
// shipper also fsyncs its read positions after every batch; kcat keeps no positions.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { COMMON_SCHEMA, loadConfig } from '../shared/config.js';
import { createKafka } from '../shared/clients/kafka.js';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' }, compression: { type: 'string', default: 'none' } } });
const lines = Number(values.lines);
const compression = values.compression === 'gzip' ? 'gzip' : 'none';
const common = loadConfig('', COMMON_SCHEMA, process.env);
const brokers = common.KAFKA_BROKERS.join(',');
const root = join(import.meta.dirname, '..');
const run = randomUUID().slice(0, 8);
const work = join(tmpdir(), `hw-bench-shipper-${run}`);

async function writeInput(path: string): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < lines; i++) {
    const line = `2017-03-15 05:11:${String(i % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}+0000: ${1000 + (i % 40)}: error : qemuMonitorIO:${600 + (i % 100)} : internal error: End of file from qemu monitor (${i})\n`;
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

interface Timed {
  readonly seconds: number;
  /** User + system CPU seconds of the process (from /usr/bin/time), when available. */
  readonly cpuSeconds: number | undefined;
  readonly stderr: string;
}

const TIME = '/usr/bin/time';

function timed(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Timed> {
  const cpuFile = join(work, `cpu-${randomUUID().slice(0, 8)}`);
  const withTime = existsSync(TIME);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = withTime
      ? spawn(TIME, ['-f', '%U %S', '-o', cpuFile, command, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env })
      : spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`${command} exited with ${code}`));
      const cpu = withTime ? readFileSync(cpuFile, 'utf8').trim().split(/\s+/).map(Number) : [];
      resolve({ seconds, cpuSeconds: cpu.length === 2 ? (cpu[0] as number) + (cpu[1] as number) : undefined, stderr });
    });
  });
}

function cpu(t: Timed): string {
  return t.cpuSeconds === undefined ? '' : `, ${t.cpuSeconds.toFixed(2)} CPU s`;
}

async function main(): Promise<void> {
  mkdirSync(work, { recursive: true });
  const input = join(work, 'libvirtd.log');
  await writeInput(input);
  const kafka = createKafka(common, 'bench-shipper');
  const admin = kafka.admin();
  await admin.connect();
  const shipperTopic = `hw-bench-shipper-${run}`;
  const kcatTopic = `hw-bench-kcat-${run}`;
  await admin.createTopics({ topics: [shipperTopic, kcatTopic].map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
  try {
    const config = join(work, 'shipper.json');
    writeFileSync(
      config,
      JSON.stringify({ host: 'bench-host', state_dir: join(work, 'state'), kafka: { topic: shipperTopic, compression }, inputs: [{ type: 'file', path: input, format: 'libvirtd' }] }),
    );
    const shipper = await timed(process.execPath, [join(root, 'bin', 'hangwatch.js'), 'ship', '--config', config, '--once'], { ...process.env, HANGWATCH_LOG_LEVEL: 'warn' });
    const headers = ['hw-host=bench-host', `hw-path=${input}`, 'hw-format=libvirtd', 'hw-fingerprint=0123456789abcdef', 'hw-offset=100000000', `hw-created=${new Date().toISOString()}`, `hw-mtime=${new Date().toISOString()}`, 'schema-version=1'];
    const kcat = await timed('kcat', [
      '-P',
      '-b',
      brokers,
      '-t',
      kcatTopic,
      '-k',
      'bench-host',
      '-z',
      compression === 'gzip' ? 'gzip' : 'none',
      '-X',
      'acks=all',
      '-X',
      'enable.idempotence=true',
      ...headers.flatMap((h) => ['-H', h]),
      '-l',
      input,
    ]);
    const count = async (topic: string): Promise<number> => (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
    const [shipped, kcatShipped] = [await count(shipperTopic), await count(kcatTopic)];
    const shipperRate = lines / shipper.seconds;
    const kcatRate = lines / kcat.seconds;
    // `ship --once` prints "done in N s" from its first acknowledged batch to its last (start and first batch excluded).
    const phase = /done in ([\d.]+)s/.exec(shipper.stderr)?.[1];
    process.stdout.write(
      [
        `shipper bench: ${lines} lines, compression ${compression}, broker ${brokers}`,
        `  hangwatch ship --once: ${shipper.seconds.toFixed(2)} s, ${Math.round(shipperRate)} lines/s (${shipped} records in Kafka, includes process start${cpu(shipper)}${phase ? `; ${phase} s from first to last acknowledgement` : ''})`,
        `  kcat -P:               ${kcat.seconds.toFixed(2)} s, ${Math.round(kcatRate)} lines/s (${kcatShipped} records in Kafka${cpu(kcat)})`,
        `  ratio shipper/kcat: ${(shipperRate / kcatRate).toFixed(3)} (goal >= 0.8)`,
        '',
      ].join('\n'),
    );
    if (shipped !== lines || kcatShipped !== lines) process.exitCode = 1;
  } finally {
    await admin.deleteTopics({ topics: [shipperTopic, kcatTopic] }).catch(() => undefined);
    await admin.disconnect();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
