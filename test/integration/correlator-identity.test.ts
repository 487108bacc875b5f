// Issue 13 end to end against the real Kafka: a Windows guest's Winlogbeat documents reach Kafka BEFORE its host's
// qemu log (with the command line's mac=). The parser and correlator services (real processes) emit them
// unplaced first, then the correlator learns the MAC, publishes it on hangwatch.identity.v1, re-emits the held
// records on the hypervisor with the same event.id, and they join the domain's incident. Incidents of one
// hypervisor are all on one partition. Run through scripts/with-stack.ts (HANGWATCH_KAFKA_BROKERS).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Partitioners, type Consumer, type Kafka, type Producer } from 'kafkajs';
import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { createKafka } from '../../shared/clients/kafka.js';
import type { EcsEvent } from '../../shared/schema/event.js';
import type { Incident } from '../../shared/schema/incident.js';
import { RAW_HEADERS, TOPICS } from '../../shared/topics.js';
import { readMacRecord } from '../../services/correlator/adapters/identity-topic.js';
import { ownRecords, readDocs } from '../unit/parser-peer/peer-fixtures.js';

const config = loadConfig('', COMMON_SCHEMA, process.env);
const run = randomUUID().slice(0, 8);
const host = `sc7-id-${run}`;
const computer = `WIN7-VM113-${run}`.toUpperCase();
// This run's own MAC and computer name: the identity topic and the event ids are shared with every other run.
const macHex = run.slice(0, 6);
const mac = `52:54:00:${macHex.slice(0, 2)}:${macHex.slice(2, 4)}:${macHex.slice(4, 6)}`;
const topic = { raw: `it-id-raw-${run}`, winlogbeat: `it-id-winlogbeat-${run}` };
const root = join(import.meta.dirname, '..', '..');

let kafka: Kafka;
let producer: Producer;
let watcher: Consumer;
const services: ChildProcess[] = [];
/** Every version of this run's Winlogbeat events seen on the events topic, in order, by event.id. */
const beatVersions = new Map<string, EcsEvent[]>();
const incidents = new Map<string, Incident>();
const incidentPartitions = new Set<number>();
let macRecordSeen = false;

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function startService(name: 'parser' | 'correlator', env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [join(root, 'bin', 'hangwatch.js'), 'service', name], {
    env: { ...process.env, HANGWATCH_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  services.push(child);
  return child;
}

function ours(text: string): string {
  return text
    .replace(/WIN7-VM113/g, computer)
    .replace(/52-54-00-A6-3A-68/g, mac.toUpperCase().replace(/:/g, '-'))
    .replace(/52:54:00:a6:3a:68/g, mac)
    .replace(/hostname: sc7(?="|$)/g, `hostname: ${host}`);
}

before(async () => {
  kafka = createKafka(config, `it-identity-${run}`);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: Object.values(topic).map((t) => ({ topic: t, numPartitions: 1, replicationFactor: 1 })) });
  await admin.disconnect();
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  watcher = kafka.consumer({ groupId: `it-identity-watch-${run}`, allowAutoTopicCreation: false });
  await watcher.connect();
  await watcher.subscribe({ topics: [TOPICS.events, TOPICS.incidents, TOPICS.identity], fromBeginning: false });
  const joined = new Promise((resolve) => watcher.on(watcher.events.GROUP_JOIN, resolve));
  await watcher.run({
    eachMessage: async ({ topic: from, partition, message }) => {
      if (from === TOPICS.identity) {
        const record = readMacRecord(message);
        if (record?.hypervisor === host && record.mac === mac) macRecordSeen = true;
        return;
      }
      if (from === TOPICS.incidents) {
        if (message.headers?.['hw-hypervisor']?.toString() !== host || !message.key) return;
        incidentPartitions.add(partition);
        if (message.value === null) incidents.delete(message.key.toString());
        else incidents.set(message.key.toString(), JSON.parse(message.value.toString()) as Incident);
        return;
      }
      if (!message.value) return;
      const event = JSON.parse(message.value.toString()) as EcsEvent;
      if (event.event.dataset !== 'windows.winlogbeat' || event.winlog?.computer_name !== computer) return;
      const list = beatVersions.get(event.event.id) ?? [];
      list.push(event);
      beatVersions.set(event.event.id, list);
    },
  });
  await joined;
  await new Promise((r) => setTimeout(r, 1_000));
  const common = { HANGWATCH_KAFKA_BROKERS: config.KAFKA_BROKERS.join(',') };
  startService('correlator', { ...common, HANGWATCH_CORRELATOR_GROUP_ID: `it-identity-correlator-${run}`, HANGWATCH_CORRELATOR_HTTP_PORT: '0' });
  startService('parser', {
    ...common,
    HANGWATCH_PARSER_GROUP_ID: `it-identity-parser-${run}`,
    HANGWATCH_PARSER_HTTP_PORT: '0',
    HANGWATCH_PARSER_INPUT_TOPICS: topic.raw,
    HANGWATCH_PARSER_WINLOGBEAT_TOPICS: topic.winlogbeat,
  });
});

after(async () => {
  for (const child of services) {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }
  await watcher?.disconnect();
  await producer?.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(topic) }).catch(() => undefined);
  await admin.disconnect();
});

test('Winlogbeat before the qemu log: re-emitted on the hypervisor with the same event.id, and in the incident', { timeout: 240_000 }, async () => {
  const docs = readDocs('winlogbeat-7.17-system-vm113.ndjson').map(ours);
  await producer.send({ topic: topic.winlogbeat, acks: -1, messages: docs.map((value) => ({ key: null, value })) });
  await waitFor(() => beatVersions.size >= docs.length, 120_000, 'the unplaced Winlogbeat events');
  const first = [...beatVersions.values()].map((list) => list[0]!);
  for (const e of first) {
    assert.equal(e.libvirt?.hypervisor, undefined);
    assert.equal(e.hangwatch.attribution, 'unresolved');
  }

  // Now the host's qemu log through our shipper's path: its command line carries this run's MAC.
  const records = ownRecords('/var/log/libvirt/qemu/vm113.log', '2017-03-16T03:00:00.000Z');
  await producer.send({
    topic: topic.raw,
    acks: -1,
    messages: records.map((r) => ({
      key: host,
      value: Buffer.from(ours(Buffer.from(r.bytes).toString('utf8'))),
      headers: {
        [RAW_HEADERS.host]: host,
        [RAW_HEADERS.path]: r.path,
        [RAW_HEADERS.format]: 'auto',
        [RAW_HEADERS.fingerprint]: `${r.fingerprint}-${run}`,
        [RAW_HEADERS.offset]: String(r.offset),
        [RAW_HEADERS.created]: r.created,
        [RAW_HEADERS.mtime]: r.mtime ?? r.created,
      },
    })),
  });
  const placed = (e: EcsEvent): boolean => e.libvirt?.hypervisor === host && e.libvirt.domain?.name === 'vm113' && e.hangwatch.attribution === 'mac';
  await waitFor(() => [...beatVersions.values()].every((list) => list.some(placed)), 120_000, 'the Winlogbeat events re-emitted on the hypervisor');
  assert.equal(beatVersions.size, docs.length); // the same event ids, no new ones
  await waitFor(() => [...incidents.values()].some((i) => i.libvirt.domain.name === 'vm113'), 60_000, "vm113's incident");
  const incident = [...incidents.values()].find((i) => i.libvirt.domain.name === 'vm113')!;
  assert.equal(incident.incident.kind, 'bugcheck');
  assert.equal(incident.windows?.bugcheck?.name, 'CLOCK_WATCHDOG_TIMEOUT');
  assert.equal(incident.incident.diagnosis[0]?.code, 'missing-hyperv-enlightenments');
  const beatIds = new Set(beatVersions.keys());
  assert.ok(incident.incident.evidence.filter((e) => beatIds.has(e.event.id)).length >= 3);
  assert.ok(macRecordSeen, 'the placement was published on the identity topic');

  // One hypervisor, one partition: the one kafkajs' default partitioner gives the hypervisor as a key.
  const admin = kafka.admin();
  await admin.connect();
  const metadata = await admin.fetchTopicMetadata({ topics: [TOPICS.incidents] });
  await admin.disconnect();
  const partitionMetadata = metadata.topics[0]!.partitions.map((p) => ({ ...p, partitionId: p.partitionId }));
  const expected = Partitioners.DefaultPartitioner()({ topic: TOPICS.incidents, partitionMetadata, message: { key: host, value: null } });
  assert.deepEqual([...incidentPartitions], [expected]);
});
