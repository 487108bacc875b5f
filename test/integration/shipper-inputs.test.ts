// The shipper's non-tail inputs against the real Kafka: guest artefacts (issue 10), host metrics (issue 15) and
// journald (issue 14). Run through scripts/with-stack.ts (HANGWATCH_KAFKA_BROKERS). Each test ships to its own topic.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { createKafka } from '../../shared/clients/kafka.js';
import { RAW_HEADERS } from '../../shared/topics.js';
import { readArtefactRecords } from '../../services/parser/adapters/read-artefact-records.js';
import { rawRecordFromKafka } from '../../services/parser/core/raw-from-kafka.js';
import { parseRecord, SourceStates } from '../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../services/parser/core/registry.js';
import { writeDumpHeader } from '../fixtures/dump/dump-header-writer.js';
import { filetimeOf } from '../fixtures/evtx/event-specs.js';
import { ensureDebianTool, JOURNAL_REMOTE } from '../support/debian-tools.js';

const common = loadConfig('', COMMON_SCHEMA, process.env);
const run = randomUUID().slice(0, 8);
const root = join(import.meta.dirname, '..', '..');
const work = join(tmpdir(), `hw-it-shipper-inputs-${run}`);
const topics: string[] = [];
let kafka: Kafka;
let admin: Admin;

before(async () => {
  mkdirSync(work, { recursive: true });
  kafka = createKafka(common, 'it-shipper-inputs');
  admin = kafka.admin();
  await admin.connect();
});

after(async () => {
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
});

export interface Received {
  readonly headers: Readonly<Record<string, string>>;
  readonly value: Buffer;
  readonly key: string;
}

async function newTopic(name: string): Promise<string> {
  const topic = `hw-it-shipper-${name}-${run}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  topics.push(topic);
  return topic;
}

async function countIn(topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
}

/** Every message of the topic now (reads until the high watermark). */
async function readAll(topic: string): Promise<Received[]> {
  const expected = await countIn(topic);
  const out: Received[] = [];
  if (expected === 0) return out;
  const consumer = kafka.consumer({ groupId: `hw-it-inputs-${randomUUID().slice(0, 8)}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = v.toString();
        out.push({ headers, value: message.value ?? Buffer.alloc(0), key: message.key?.toString() ?? '' });
        if (out.length >= expected) resolve();
      },
    });
  });
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`read ${out.length} of ${expected} from ${topic}`)), 60_000).unref());
  try {
    await Promise.race([done, timeout]);
  } finally {
    await consumer.disconnect();
  }
  return out;
}

function writeConfig(name: string, topic: string, inputs: readonly object[], extra: object = {}): { readonly path: string; readonly stateDir: string; readonly host: string } {
  const stateDir = join(work, name, 'state');
  const path = join(work, name, 'shipper.json');
  const host = `it-${name}-${run}`;
  mkdirSync(join(work, name), { recursive: true });
  const config = {
    host,
    state_dir: stateDir,
    status_interval_ms: 2_000,
    kafka: { topic, compression: 'none', linger_ms: 5, batch_max_records: 500, retry_initial_ms: 200, retry_max_ms: 2_000 },
    read: { poll_interval_ms: 50, scan_interval_ms: 200, flush_timeout_ms: 500 },
    http: { port: 0 },
    inputs,
    ...extra,
  };
  writeFileSync(path, JSON.stringify(config, null, 2));
  return { path, stateDir, host };
}

interface ShipperProcess {
  readonly child: ChildProcess;
  stderr: string;
  readonly exited: Promise<number | null>;
}

function startShipper(configPath: string, once: boolean, env: NodeJS.ProcessEnv = {}): ShipperProcess {
  const child = spawn(process.execPath, [join(root, 'bin', 'hangwatch.js'), 'ship', '--config', configPath, ...(once ? ['--once'] : [])], {
    env: { ...process.env, HANGWATCH_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const proc: ShipperProcess = { child, stderr: '', exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
  child.stderr?.on('data', (chunk: Buffer) => {
    proc.stderr += chunk.toString();
  });
  return proc;
}

async function shipOnce(configPath: string): Promise<string> {
  const proc = startShipper(configPath, true);
  const code = await proc.exited;
  assert.equal(code, 0, `ship --once exited with ${code}:\n${proc.stderr.slice(-2_000)}`);
  return proc.stderr;
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await sleep(200);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const where = (m: Received): string => `${m.headers[RAW_HEADERS.path]}@${m.headers[RAW_HEADERS.fingerprint]}:${m.headers[RAW_HEADERS.offset]}`;

async function expectedArtefactRecords(paths: readonly string[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const path of paths) {
    for await (const r of readArtefactRecords({ path, host: 'x', created: new Date().toISOString() })) out.set(`${path}@${r.fingerprint}:${r.offset}`, Buffer.from(r.bytes));
  }
  return out;
}

test('guest artefacts: EVTX records and dump headers shipped once per version, resumed by records done, re-read when changed', async () => {
  const topic = await newTopic('artefacts');
  const guests = join(work, 'artefacts', 'guests');
  const vm = join(guests, 'vm113');
  mkdirSync(join(vm, 'Minidump'), { recursive: true });
  const evtx = join(vm, 'System.evtx');
  copyFileSync(join(root, 'test', 'fixtures', 'evtx', 'seed-guest-system.evtx'), evtx);
  const crash = filetimeOf('2017-03-15T05:11:54.9210000Z');
  // A full dump is large: the shipper reads its 8 KiB header only.
  const memory = join(vm, 'MEMORY.DMP');
  writeFileSync(memory, Buffer.concat([writeDumpHeader({ bits: 64, dumpType: 1, systemTime: crash }), Buffer.alloc(1 << 20)]));
  const minidump = join(vm, 'Minidump', '031517-01.dmp');
  writeFileSync(minidump, writeDumpHeader({ bits: 64, dumpType: 4, systemTime: crash }));
  writeFileSync(join(vm, 'notes.txt'), 'collected from vm113 after the freeze\n');
  const past = new Date(Date.now() - 60_000);
  for (const p of [evtx, memory, minidump]) utimesSync(p, past, past);
  const { path, stateDir, host } = writeConfig('artefacts', topic, [{ name: 'guests', type: 'folder', path: guests, recursive: true, format: 'auto' }]);

  const expected = await expectedArtefactRecords([evtx, memory, minidump]);
  const evtxCount = [...expected.keys()].filter((k) => k.startsWith(evtx)).length;
  assert.ok(evtxCount >= 10, `the fixture has ${evtxCount} EVTX records`);

  // 1. First run: every record once (plus the one text line of notes.txt).
  await shipOnce(path);
  let all = await readAll(topic);
  const artefacts = all.filter((m) => m.headers[RAW_HEADERS.format] === 'evtx' || m.headers[RAW_HEADERS.format] === 'dump');
  assert.equal(all.length - artefacts.length, 1, 'notes.txt is tailed as text');
  assert.deepEqual(new Set(artefacts.map(where)), new Set(expected.keys()));
  assert.equal(artefacts.length, expected.size, 'no record twice');
  for (const m of artefacts) assert.ok(m.value.equals(expected.get(where(m)) as Buffer), `${where(m)} carries the reader's bytes`);
  const dumpValues = artefacts.filter((m) => m.headers[RAW_HEADERS.format] === 'dump').map((m) => m.value);
  assert.deepEqual(dumpValues.map((v) => [v.length, v.subarray(0, 8).toString('latin1')]), [
    [8192, 'PAGEDU64'],
    [8192, 'PAGEDU64'],
  ]);
  // What the parser makes of it: bugchecks from both dumps, Windows events with their own ids.
  const states = new SourceStates();
  const events = artefacts.flatMap((m) =>
    parseRecord(rawRecordFromKafka({ topic, partition: 0, offset: '0', timestamp: '0', key: Buffer.from(host), value: m.value, headers: m.headers }), FORMAT_PARSERS, states, { maxRecordBytes: 1 << 20, validate: true }).events,
  );
  assert.equal(events.filter((e) => e.event.dataset === 'windows.dump' && e.windows?.bugcheck?.code === '0x00000101').length, 2);
  assert.ok(events.filter((e) => e.event.dataset === 'windows.system').length >= evtxCount - 5);

  // 2. Unchanged files are not shipped again.
  await shipOnce(path);
  assert.equal(await countIn(topic), all.length, 'a second run ships nothing');

  // 3. A run that stopped after 5 EVTX records resumes with the 6th.
  const state = JSON.parse(readFileSync(join(stateDir, 'positions.json'), 'utf8')) as { artefacts: { path: string; records: number; done: boolean }[] };
  const entry = state.artefacts.find((a) => a.path === evtx);
  assert.ok(entry && entry.done && entry.records === evtxCount, JSON.stringify(state.artefacts));
  entry.records = 5;
  entry.done = false;
  writeFileSync(join(stateDir, 'positions.json'), JSON.stringify(state));
  const before = all.length;
  await shipOnce(path);
  all = await readAll(topic);
  const resumed = all.slice(before);
  const evtxOrder = [...expected.keys()].filter((k) => k.startsWith(evtx));
  assert.deepEqual(resumed.map(where), evtxOrder.slice(5), 'exactly the records after the first 5');

  // 4. A changed EVTX (the guest still writes it) is a new version: read again in full, under the same ids.
  const later = new Date(Date.now() - 10_000);
  utimesSync(evtx, later, later);
  const before2 = all.length;
  await shipOnce(path);
  all = await readAll(topic);
  assert.deepEqual(all.slice(before2).map(where), evtxOrder);
});

test('host metrics: virsh domstats and /proc samples shipped whole, one path per kind, ids unique and deterministic', async () => {
  const topic = await newTopic('metrics');
  const dir = join(work, 'metrics');
  mkdirSync(dir, { recursive: true });
  // Stands in for `virsh domstats --vcpu --cpu-total --raw`: two domains whose counters grow with time.
  const virsh = join(dir, 'virsh.mjs');
  writeFileSync(
    virsh,
    [
      'const t = BigInt(Date.now()) * 1000000n;',
      "for (const name of ['win2022', 'vm7']) process.stdout.write(`Domain: '${name}'\\n  state.state=1\\n  cpu.time=${t}\\n  vcpu.current=2\\n  vcpu.maximum=2\\n` +",
      '  [0, 1].map((i) => `  vcpu.${i}.state=1\\n  vcpu.${i}.time=${t / 4n}\\n  vcpu.${i}.wait=0\\n  vcpu.${i}.delay=${t / 40n}\\n`).join("") + "\\n");',
    ].join('\n'),
  );
  const { path, host } = writeConfig('metrics', topic, [{ name: 'cpu', type: 'metrics', interval_ms: 1_000, virsh: [process.execPath, virsh] }]);
  const shipper = startShipper(path, false);
  try {
    await waitFor(async () => (await countIn(topic)) >= 9, 60_000, () => `three sampling rounds:\n${shipper.stderr.slice(-1_000)}`);
    shipper.child.kill('SIGTERM');
    assert.equal(await shipper.exited, 0, shipper.stderr.slice(-2_000));
  } finally {
    if (shipper.child.exitCode === null) shipper.child.kill('SIGKILL');
  }
  const all = await readAll(topic);
  const byPath = new Map<string, Received[]>();
  for (const m of all) byPath.set(m.headers[RAW_HEADERS.path] as string, [...(byPath.get(m.headers[RAW_HEADERS.path] as string) ?? []), m]);
  assert.deepEqual([...byPath.keys()].sort(), ['host-metrics/domstats', 'host-metrics/host-cpu']);
  for (const m of all) {
    assert.equal(m.headers[RAW_HEADERS.format], 'domstats');
    assert.equal(m.key, host);
    // Every record starts with its sampling instant, and its offset header is built from it.
    const stamp = Date.parse(m.value.toString().split('\n')[0] as string);
    assert.equal(Math.floor(Number(m.headers[RAW_HEADERS.offset]) / 1000), stamp);
  }
  assert.equal(new Set(all.map(where)).size, all.length, 'no two records share fingerprint + offset');
  // Through the parser, in order: rates from the second round on, each event id once.
  const states = new SourceStates();
  const events = all.flatMap(
    (m) => parseRecord(rawRecordFromKafka({ topic, partition: 0, offset: '0', timestamp: '0', value: m.value, headers: m.headers }), FORMAT_PARSERS, states, { maxRecordBytes: 1 << 20, validate: true }).events,
  );
  const vcpu = events.filter((e) => e.event.action === 'vcpu-stats');
  assert.ok(vcpu.length >= 8, `${vcpu.length} vcpu-stats events (2 domains x 2 vCPUs x at least 2 rounds)`);
  assert.ok(events.some((e) => e.event.action === 'host-cpu-pressure'));
  assert.equal(new Set(events.map((e) => e.event.id)).size, events.length);
});

/** Journal export format (systemd.io/JOURNAL_EXPORT_FORMATS) of `count` entries: four units the input ships, one it does not. */
function journalExport(count: number, startUs: bigint): { readonly text: string; readonly shipped: Map<string, { unit: string; timeUs: bigint }> } {
  const units = ['libvirtd.service', 'virtqemud.service', 'virtlogd.service', 'kernel', 'sshd.service'];
  const shipped = new Map<string, { unit: string; timeUs: bigint }>();
  const parts: string[] = [];
  for (let n = 0; n < count; n++) {
    const unit = units[n % units.length] as string;
    const timeUs = startUs + BigInt(n) * 1_000n + 7n;
    const seq = String(n).padStart(7, '0');
    const message =
      unit === 'kernel'
        ? `watchdog: BUG: soft lockup - CPU#${n % 8} stuck for 23s! [qemu-n=${seq}:${1000 + n}]`
        : unit === 'libvirtd.service'
          ? `internal error: End of file from qemu monitor n=${seq}`
          : `unit ${unit} says n=${seq}`;
    const fields = [`__REALTIME_TIMESTAMP=${timeUs}`, `__MONOTONIC_TIMESTAMP=${BigInt(n) * 1_000n + 1n}`, '_BOOT_ID=0123456789abcdef0123456789abcdef', '_HOSTNAME=hv-sc7', `MESSAGE=${message}`, 'PRIORITY=3'];
    if (unit === 'kernel') fields.push('_TRANSPORT=kernel');
    else fields.push('_TRANSPORT=journal', `_SYSTEMD_UNIT=${unit}`, `SYSLOG_IDENTIFIER=${unit.replace('.service', '')}`);
    if (unit === 'libvirtd.service') fields.push('CODE_FUNC=qemuMonitorIO', 'CODE_LINE=697');
    parts.push(`${fields.join('\n')}\n\n`);
    if (unit !== 'sshd.service') shipped.set(seq, { unit, timeUs });
  }
  return { text: parts.join(''), shipped };
}

test('journald: a journal file read with journalctl --follow, SIGKILLed, restarted: resumed from its cursor, nothing lost, ids once', async () => {
  const topic = await newTopic('journald');
  const dir = join(work, 'journald');
  mkdirSync(dir, { recursive: true });
  const journal = join(dir, 'test.journal');
  const count = 20_000;
  const { text, shipped } = journalExport(count, 1_489_554_234_000_000n);
  // systemd-journal-remote (Debian package systemd-journal-remote) writes a real journal file from export format.
  ensureDebianTool(JOURNAL_REMOTE);
  const made = spawnSync(JOURNAL_REMOTE.binary, ['-o', journal, '-'], { input: text, encoding: 'utf8' });
  assert.equal(made.status, 0, `systemd-journal-remote: ${made.stderr}`);
  const { path } = writeConfig('journald', topic, [{ name: 'journal', type: 'journald', path: journal }]);
  const seqOf = (m: Received): string => /n=(\d{7})/.exec(m.value.toString())?.[1] ?? '?';
  const distinct = async (): Promise<number> => new Set((await readAll(topic)).map(seqOf)).size;

  const first = startShipper(path, false);
  await waitFor(async () => (await countIn(topic)) >= 4_000, 120_000, () => `4000 entries before the kill:\n${first.stderr.slice(-1_000)}`);
  first.child.kill('SIGKILL');
  await first.exited;
  const atKill = await countIn(topic);
  const second = startShipper(path, false);
  try {
    await waitFor(async () => (await countIn(topic)) >= shipped.size && (await distinct()) >= shipped.size, 180_000, () => `all ${shipped.size} entries:\n${second.stderr.slice(-1_000)}`);
    await sleep(1_000);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0, second.stderr.slice(-2_000));
  } finally {
    if (second.child.exitCode === null) second.child.kill('SIGKILL');
  }
  assert.match(second.stderr, /reading the journal after the saved cursor/);

  const all = await readAll(topic);
  const cursorOf = new Map<string, string>();
  for (const m of all) {
    const seq = seqOf(m);
    const expected = shipped.get(seq);
    assert.ok(expected, `entry ${seq} (${m.value.toString()}) is not one the input ships`);
    assert.equal(m.headers[RAW_HEADERS.format], expected.unit === 'kernel' ? 'kernel' : 'libvirtd');
    assert.equal(m.headers[RAW_HEADERS.path], `journald/${expected.unit}`);
    assert.equal(m.headers[RAW_HEADERS.time], new Date(Number(expected.timeUs / 1000n)).toISOString());
    const cursor = m.headers[RAW_HEADERS.sourceId] as string;
    assert.match(cursor, /^s=[0-9a-f]+;i=[0-9a-f]+;b=0123456789abcdef0123456789abcdef;/);
    const earlier = cursorOf.get(seq);
    if (earlier !== undefined) assert.equal(cursor, earlier, 'a re-sent entry keeps its cursor (and so its event id)');
    cursorOf.set(seq, cursor);
  }
  assert.equal(cursorOf.size, shipped.size, 'every entry arrived');
  const duplicates = all.length - shipped.size;
  process.stderr.write(`shipper journald test: ${shipped.size} entries, ${atKill} in Kafka at the SIGKILL, ${duplicates} re-sent after the restart\n`);
  assert.ok(duplicates <= 500, `duplicates (${duplicates}) exceed the unacknowledged batch (batch_max_records 500)`);

  // The parser: the journal's time, the unit's format, one event id per entry whatever was re-sent.
  const states = new SourceStates();
  const events = all.flatMap(
    (m) => parseRecord(rawRecordFromKafka({ topic, partition: 0, offset: '0', timestamp: '0', value: m.value, headers: m.headers }), FORMAT_PARSERS, states, { maxRecordBytes: 1 << 20, validate: true }).events,
  );
  assert.equal(events.length, all.length, 'every record parses');
  assert.equal(new Set(events.map((e) => e.event.id)).size, shipped.size, 'one event id per journal entry');
  const eof = events.find((e) => e.message === 'internal error: End of file from qemu monitor n=0000000');
  assert.equal(eof?.['@timestamp'], '2017-03-15T05:03:54.000Z');
  assert.equal(eof?.hangwatch.time.basis, 'explicit');
  assert.equal(eof?.log?.origin?.function, 'qemuMonitorIO');
  assert.equal(new Set(events.filter((e) => e.event.action === 'soft-lockup').map((e) => e.event.id)).size, [...shipped.values()].filter((v) => v.unit === 'kernel').length);

  // A clean restart after everything was acknowledged sends nothing again.
  const third = startShipper(path, false);
  try {
    await waitFor(() => /reading the journal after the saved cursor/.test(third.stderr), 60_000, () => `the third start:\n${third.stderr.slice(-1_000)}`);
    await sleep(3_000);
    third.child.kill('SIGTERM');
    assert.equal(await third.exited, 0, third.stderr.slice(-2_000));
  } finally {
    if (third.child.exitCode === null) third.child.kill('SIGKILL');
  }
  assert.equal(await countIn(topic), all.length, 'no entry twice after a clean restart');
});
