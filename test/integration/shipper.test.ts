// The shipper against the real Kafka (issue 4): every line of a set of files arrives, in order per file, across
// a SIGKILL mid-file, rotation by rename while writing, copytruncate, and a broker stopped for 20 s. Duplicates
// are allowed only for what was unacknowledged at a crash; each test counts them and prints the figure.
// Run through scripts/with-stack.ts (HANGWATCH_KAFKA_BROKERS). Each test ships to its own topic.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, copyFileSync, ftruncateSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { createKafka } from '../../shared/clients/kafka.js';
import { RAW_HEADERS } from '../../shared/topics.js';
import { createStackContext, stackDown, stackUp } from '../../infra/stack.js';

const common = loadConfig('', COMMON_SCHEMA, process.env);
const run = randomUUID().slice(0, 8);
const root = join(import.meta.dirname, '..', '..');
const work = join(tmpdir(), `hw-it-shipper-${run}`);
const topics: string[] = [];
let kafka: Kafka;
let admin: Admin;

before(async () => {
  mkdirSync(work, { recursive: true });
  kafka = createKafka(common, 'it-shipper');
  admin = kafka.admin();
  await admin.connect();
});

after(async () => {
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
});

interface Shipped {
  readonly fingerprint: string;
  readonly offset: number;
  readonly path: string;
  readonly line: string;
}

async function newTopic(name: string): Promise<string> {
  const topic = `hw-it-shipper-${name}-${run}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  topics.push(topic);
  return topic;
}

async function collect(topic: string): Promise<{ readonly messages: Shipped[]; readonly consumer: Consumer }> {
  const messages: Shipped[] = [];
  const consumer = kafka.consumer({ groupId: `hw-it-shipper-${topic}-${randomUUID().slice(0, 6)}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const h = (name: string): string => message.headers?.[name]?.toString() ?? '';
      messages.push({ fingerprint: h(RAW_HEADERS.fingerprint), offset: Number(h(RAW_HEADERS.offset)), path: h(RAW_HEADERS.path), line: message.value?.toString() ?? '' });
    },
  });
  return { messages, consumer };
}

function writeConfig(name: string, topic: string, inputs: readonly object[], read: object = {}): { readonly path: string; readonly stateDir: string } {
  const stateDir = join(work, name, 'state');
  const path = join(work, name, 'shipper.json');
  const config = {
    host: `it-${name}-${run}`,
    state_dir: stateDir,
    status_interval_ms: 2_000,
    kafka: { topic, compression: 'none', linger_ms: 5, batch_max_records: 2_000, retry_initial_ms: 200, retry_max_ms: 2_000 },
    read: { poll_interval_ms: 50, scan_interval_ms: 200, rotated_grace_ms: 1_500, max_buffered_bytes: 4_194_304, ...read },
    http: { port: 0 },
    inputs,
  };
  writeFileSync(path, JSON.stringify(config, null, 2));
  return { path, stateDir };
}

/** One test's topic, log folder and shipper config for a single `app.log` (or `pattern`, e.g. `app.log*`). */
async function logCase(name: string, read: object = {}, pattern = 'app.log'): Promise<{ readonly topic: string; readonly log: string; readonly path: string }> {
  const topic = await newTopic(name);
  const dir = join(work, name, 'logs');
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'app.log');
  const { path } = writeConfig(name, topic, [{ type: 'file', path: join(dir, pattern), format: 'libvirtd' }], read);
  return { topic, log, path };
}

interface ShipperProcess {
  readonly child: ChildProcess;
  stderr: string;
  readonly exited: Promise<number | null>;
}

function startShipper(configPath: string): ShipperProcess {
  const child = spawn(process.execPath, [join(root, 'bin', 'hangwatch.js'), 'ship', '--config', configPath], {
    env: { ...process.env, HANGWATCH_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const proc: ShipperProcess = { child, stderr: '', exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
  child.stderr?.on('data', (chunk: Buffer) => {
    proc.stderr += chunk.toString();
  });
  return proc;
}

/** Waits until the shipper has scanned its inputs once (its first status line comes after that). */
async function waitStarted(proc: ShipperProcess): Promise<void> {
  await waitFor(() => /shipper started/.test(proc.stderr), 60_000, () => `the shipper to start:\n${proc.stderr.slice(-1_000)}`);
  await sleep(1_000);
}

async function stopShipper(proc: ShipperProcess): Promise<void> {
  proc.child.kill('SIGTERM');
  const code = await proc.exited;
  assert.equal(code, 0, `shipper exited with ${code}:\n${proc.stderr.slice(-2_000)}`);
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await sleep(200);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `s=<stream> n=<seq> ...`: every line of the test is unique and knows its place. */
function line(stream: string, n: number): string {
  return `s=${stream} n=${String(n).padStart(7, '0')} the quick brown fox jumps over the lazy hypervisor\n`;
}

function uniqueSeqs(messages: readonly Shipped[], stream: string): number {
  const seen = new Set<string>();
  for (const m of messages) if (m.line.startsWith(`s=${stream} `)) seen.add(m.line);
  return seen.size;
}

/**
 * Every line 0..count-1 arrived; within each file (fingerprint) first arrivals are in file order; a repeated
 * (fingerprint, offset) carries the same line. Returns the number of duplicates.
 */
function verify(messages: readonly Shipped[], stream: string, count: number): number {
  const byLine = new Map<string, number>();
  const byFile = new Map<string, Shipped[]>();
  const atOffset = new Map<string, string>();
  for (const m of messages) {
    if (!m.line.startsWith(`s=${stream} `)) continue;
    byLine.set(m.line, (byLine.get(m.line) ?? 0) + 1);
    const list = byFile.get(m.fingerprint) ?? [];
    list.push(m);
    byFile.set(m.fingerprint, list);
    const key = `${m.fingerprint}:${m.offset}`;
    const previous = atOffset.get(key);
    if (previous !== undefined) assert.equal(m.line, previous, `a re-sent record at ${key} changed`);
    atOffset.set(key, m.line);
  }
  const missing: number[] = [];
  for (let n = 0; n < count; n++) if (!byLine.has(line(stream, n).trimEnd())) missing.push(n);
  assert.deepEqual(missing.slice(0, 20), [], `${missing.length} lines of ${stream} never arrived`);
  assert.equal(byLine.size, count, 'no line arrived that was not written');
  for (const [fingerprint, list] of byFile) {
    const firstSeen = new Set<number>();
    let lastOffset = -1;
    let lastSeq = -1;
    for (const m of list) {
      if (firstSeen.has(m.offset)) continue;
      firstSeen.add(m.offset);
      const seq = Number(/n=(\d+)/.exec(m.line)?.[1]);
      assert.ok(m.offset > lastOffset && seq > lastSeq, `file ${fingerprint}: ${m.line} (offset ${m.offset}) arrived out of order`);
      lastOffset = m.offset;
      lastSeq = seq;
    }
  }
  let duplicates = 0;
  for (const n of byLine.values()) duplicates += n - 1;
  return duplicates;
}

test('SIGKILL mid-file, then restart: every line exactly once, duplicates only from the unacknowledged batch', async () => {
  const topic = await newTopic('kill');
  const dir = join(work, 'kill', 'logs');
  mkdirSync(dir, { recursive: true });
  const count = 60_000;
  const lines: string[] = [];
  for (let n = 0; n < count; n++) lines.push(line('kill', n));
  writeFileSync(join(dir, 'libvirtd.log'), lines.join(''));
  const { path } = writeConfig('kill', topic, [{ type: 'file', path: join(dir, 'libvirtd.log'), format: 'libvirtd' }]);
  const { messages, consumer } = await collect(topic);
  try {
    const first = startShipper(path);
    await waitFor(() => messages.length >= 15_000, 180_000, () => `15000 records before the kill (have ${messages.length})`);
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = messages.length;
    const second = startShipper(path);
    await waitFor(() => uniqueSeqs(messages, 'kill') >= count, 240_000, () => `all ${count} lines (have ${uniqueSeqs(messages, 'kill')})`);
    await sleep(1_000);
    await stopShipper(second);
    const duplicates = verify(messages, 'kill', count);
    process.stderr.write(`shipper SIGKILL test: ${count} lines, ${atKill} received before the kill, ${duplicates} duplicates after the restart\n`);
    assert.ok(duplicates <= 2_000, `duplicates (${duplicates}) exceed the unacknowledged batch (batch_max_records 2000)`);
    assert.match(second.stderr, /following file \(resumed by inode\)/);
  } finally {
    await consumer.disconnect();
  }
});

test('rotation by rename while writing: the old file is finished, then the new one is shipped', async () => {
  const { topic, log, path } = await logCase('rename');
  const { messages, consumer } = await collect(topic);
  const shipper = startShipper(path);
  try {
    let fd = openSync(log, 'a');
    writeSync(fd, line('rename', 0));
    await waitStarted(shipper);
    let n = 1;
    const perFile = 4_000;
    for (let rotation = 0; rotation < 4; rotation++) {
      for (let i = 0; i < perFile; i++) {
        writeSync(fd, line('rename', n++));
        if (i % 500 === 0) await sleep(20);
      }
      if (rotation === 3) break;
      renameSync(`${log}`, `${log}.${rotation + 1}`);
      // Like libvirtd before it reopens its log: a few more lines still go to the renamed file.
      for (let i = 0; i < 50; i++) writeSync(fd, line('rename', n++));
      await sleep(100);
      closeSync(fd);
      fd = openSync(log, 'a');
    }
    closeSync(fd);
    await waitFor(() => uniqueSeqs(messages, 'rename') >= n, 180_000, () => `all ${n} lines (have ${uniqueSeqs(messages, 'rename')})`);
    await sleep(1_000);
    await stopShipper(shipper);
    const duplicates = verify(messages, 'rename', n);
    process.stderr.write(`shipper rename-rotation test: ${n} lines over 4 files, ${duplicates} duplicates\n`);
    assert.equal(duplicates, 0);
    assert.match(shipper.stderr, /rotated or deleted file read to its end; closed/);
  } finally {
    if (shipper.child.exitCode === null) shipper.child.kill('SIGKILL');
    await consumer.disconnect();
  }
});

test('files created and rotated away between two scans (a watched path, scans 5 s apart) are still shipped whole', async () => {
  const { topic, log, path } = await logCase('missed', { scan_interval_ms: 5_000 });
  const { messages, consumer } = await collect(topic);
  const shipper = startShipper(path);
  try {
    writeFileSync(log, line('missed', 0));
    await waitStarted(shipper);
    // Four files within a few milliseconds: the two in the middle are never at app.log when the shipper looks.
    let n = 1;
    for (let file = 0; file < 4; file++) {
      const fd = openSync(log, 'a');
      for (let i = 0; i < 1_000; i++) writeSync(fd, line('missed', n++));
      closeSync(fd);
      if (file < 3) renameSync(log, `${log}.${file + 1}`);
    }
    await waitFor(() => uniqueSeqs(messages, 'missed') >= n, 120_000, () => `all ${n} lines (have ${uniqueSeqs(messages, 'missed')})`);
    await sleep(1_000);
    await stopShipper(shipper);
    const duplicates = verify(messages, 'missed', n);
    assert.equal(duplicates, 0);
    assert.match(shipper.stderr, /found a file rotated away between two scans/);
  } finally {
    if (shipper.child.exitCode === null) shipper.child.kill('SIGKILL');
    await consumer.disconnect();
  }
});

test('two rotations while the shipper is stopped: the file it was reading, the one in between and the new one, each once', async () => {
  const { topic, log, path } = await logCase('stopped');
  const { messages, consumer } = await collect(topic);
  let shipper = startShipper(path);
  try {
    let n = 0;
    const append = (count: number): void => {
      const fd = openSync(log, 'a');
      for (let i = 0; i < count; i++) writeSync(fd, line('stopped', n++));
      closeSync(fd);
    };
    append(1_000);
    await waitStarted(shipper);
    await waitFor(() => uniqueSeqs(messages, 'stopped') >= n, 60_000, () => `the first ${n} lines (have ${uniqueSeqs(messages, 'stopped')})`);
    await stopShipper(shipper);
    // While it is stopped: more lines, then app.log -> .1, a new file that is rotated too (-> .2), and a third.
    append(500);
    renameSync(log, `${log}.1`);
    append(1_000);
    renameSync(log, `${log}.2`);
    append(1_000);
    shipper = startShipper(path);
    await waitFor(() => uniqueSeqs(messages, 'stopped') >= n, 120_000, () => `all ${n} lines (have ${uniqueSeqs(messages, 'stopped')})`);
    await sleep(1_000);
    await stopShipper(shipper);
    assert.equal(verify(messages, 'stopped', n), 0);
    assert.match(shipper.stderr, /found a file rotated while the shipper was stopped/);
    assert.match(shipper.stderr, /found a file rotated away between two scans/);
  } finally {
    if (shipper.child.exitCode === null) shipper.child.kill('SIGKILL');
    await consumer.disconnect();
  }
});

test('copytruncate (logrotate: .1 -> .2, copy, truncate) while writing: nothing lost, nothing doubled', async () => {
  const { topic, log, path } = await logCase('copytruncate', {}, 'app.log*');
  const { messages, consumer } = await collect(topic);
  const shipper = startShipper(path);
  try {
    // O_APPEND, as logging daemons open their logs: after the truncation writes land at the new end (0).
    const fd = openSync(log, 'a');
    writeSync(fd, line('ct', 0));
    await waitStarted(shipper);
    let n = 1;
    for (let rotation = 0; rotation < 3; rotation++) {
      for (let i = 0; i < 4_000; i++) {
        writeSync(fd, line('ct', n++));
        if (i % 500 === 0) await sleep(20);
      }
      if (rotation === 2) break;
      // The writer pauses for the copy+truncate: lines written between the two are lost by copytruncate itself
      // (logrotate's documented race), whatever the shipper does.
      try {
        renameSync(`${log}.1`, `${log}.2`);
      } catch {
        // no .1 yet
      }
      copyFileSync(log, `${log}.1`);
      ftruncateSync(fd, 0);
    }
    closeSync(fd);
    await waitFor(() => uniqueSeqs(messages, 'ct') >= n, 180_000, () => `all ${n} lines (have ${uniqueSeqs(messages, 'ct')})`);
    await sleep(2_000);
    await stopShipper(shipper);
    const duplicates = verify(messages, 'ct', n);
    process.stderr.write(`shipper copytruncate test: ${n} lines, 2 copytruncate rotations, ${duplicates} duplicates\n`);
    assert.match(shipper.stderr, /copytruncate/);
    // A copy may be discovered before the truncation is noticed; the overlap is bounded by one read chunk.
    assert.ok(duplicates < 4_000, `duplicates ${duplicates}`);
  } finally {
    if (shipper.child.exitCode === null) shipper.child.kill('SIGKILL');
    await consumer.disconnect();
  }
});

test('Kafka stopped for 20 s mid-stream: reading pauses, one clear message, everything arrives after the restart', async () => {
  const topic = await newTopic('outage');
  const dir = join(work, 'outage', 'logs');
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'kern.log');
  const { path } = writeConfig('outage', topic, [{ type: 'file', path: log, format: 'kernel' }]);
  const shipper = startShipper(path);
  const ctx = createStackContext((message) => process.stderr.write(`stack: ${message}\n`));
  let kafkaStopped = false;
  try {
    const fd = openSync(log, 'a');
    writeSync(fd, line('out', 0));
    await waitStarted(shipper);
    let n = 1;
    const writeSome = async (lines: number): Promise<void> => {
      for (let i = 0; i < lines; i++) {
        writeSync(fd, line('out', n++));
        if (i % 200 === 0) await sleep(20);
      }
    };
    await writeSome(5_000);
    await sleep(2_000);
    await stackDown(ctx, { purge: false, only: ['kafka'] });
    kafkaStopped = true;
    const downAt = Date.now();
    // The writer goes on while the broker is away.
    await writeSome(10_000);
    await sleep(Math.max(0, 20_000 - (Date.now() - downAt)));
    await stackUp(ctx);
    kafkaStopped = false;
    await writeSome(5_000);
    closeSync(fd);
    const { messages, consumer } = await collect(topic);
    try {
      await waitFor(() => uniqueSeqs(messages, 'out') >= n, 240_000, () => `all ${n} lines (have ${uniqueSeqs(messages, 'out')})`);
      await sleep(1_000);
      await stopShipper(shipper);
      const duplicates = verify(messages, 'out', n);
      const outageMessages = shipper.stderr.split('\n').filter((l) => l.includes('Kafka unreachable'));
      process.stderr.write(`shipper outage test: ${n} lines, broker down 20 s, ${duplicates} duplicates, ${outageMessages.length} outage message(s)\n`);
      const kafkaLines = shipper.stderr.split('\n').filter((l) => /Kafka (unreachable|reachable again)/.test(l));
      assert.equal(outageMessages.length, 1, `the outage is reported once, not per attempt or per line:\n${kafkaLines.join('\n')}`);
      assert.match(shipper.stderr, /Kafka reachable again/);
      assert.ok(duplicates <= 2_000, `duplicates ${duplicates}`);
    } finally {
      await consumer.disconnect();
    }
  } finally {
    if (kafkaStopped) await stackUp(ctx);
    if (shipper.child.exitCode === null) shipper.child.kill('SIGKILL');
  }
});
