// The parser service against the real Kafka with peer shippers' topics (issues 13 and 14): Filebeat, Vector and
// rsyslog documents normalize to the same events as our shipper's raw records for the same lines, and Winlogbeat
// documents next to the host's qemu log give the correlator the same incident as the event XML path.
// Run through scripts/with-stack.ts (HANGWATCH_KAFKA_BROKERS). Every topic but hangwatch.* is this run's own.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { createKafka } from '../../shared/clients/kafka.js';
import { createLogger } from '../../shared/logger.js';
import { MetricsRegistry } from '../../shared/metrics.js';
import type { DeadLetter } from '../../shared/schema/deadletter.js';
import type { EcsEvent } from '../../shared/schema/event.js';
import type { Incident } from '../../shared/schema/incident.js';
import { RAW_HEADERS, TOPICS } from '../../shared/topics.js';
import { correlateAll } from '../../services/correlator/core/index.js';
import { startKafkaParser, type KafkaParser } from '../../services/parser/adapters/kafka-parser.js';
import { parseRecord, SourceStates } from '../../services/parser/core/parse-record.js';
import { buildTopicBindings } from '../../services/parser/core/peer/topic-bindings.js';
import { FORMAT_PARSERS } from '../../services/parser/core/registry.js';
import { ownRecords, PARSE_OPTIONS, readDocs, SOURCE_FILES, withoutProvenance } from '../unit/parser-peer/peer-fixtures.js';

const config = loadConfig('', COMMON_SCHEMA, process.env);
const run = randomUUID().slice(0, 8);
const host = `sc7-${run}`;
const topic = { raw: `it-raw-${run}`, filebeat: `it-filebeat-${run}`, vector: `it-vector-${run}`, rsyslog: `it-rsyslog-${run}`, winlogbeat: `it-winlogbeat-${run}` };
const XML = join(import.meta.dirname, '..', 'grammars', 'fixtures', 'winevent-xml', 'wevtutil-system-zh-CN-seed-guest.xml');

let kafka: Kafka;
let producer: Producer;
let watcher: Consumer;
let parser: KafkaParser;
// At least once: a rebalance may redeliver a batch. Deterministic ids make that one event per id (and shipper:
// Filebeat and rsyslog give the same ids for the same line on purpose).
const received = new Map<string, EcsEvent>();
const events: EcsEvent[] = [];
const letters: DeadLetter[] = [];

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** This run's host name in a fixture document (host fields and the message's own `sc7`). */
function ourHost(doc: string): string {
  return doc.replace(/"sc7"/g, JSON.stringify(host)).replace(/ sc7 kernel:/g, ` ${host} kernel:`).replace(/hostname: sc7(?="|$)/g, `hostname: ${host}`);
}

async function produceRaw(path: string): Promise<void> {
  const records = ownRecords(path, '2017-03-16T03:00:00.000Z');
  await producer.send({
    topic: topic.raw,
    acks: -1,
    messages: records.map((r) => ({
      key: host,
      value: Buffer.from(ourHost(Buffer.from(r.bytes).toString('utf8'))),
      headers: {
        [RAW_HEADERS.host]: host,
        [RAW_HEADERS.path]: r.path,
        [RAW_HEADERS.format]: 'auto',
        [RAW_HEADERS.fingerprint]: r.fingerprint,
        [RAW_HEADERS.offset]: String(r.offset),
        [RAW_HEADERS.created]: r.created,
        [RAW_HEADERS.mtime]: r.mtime ?? r.created,
      },
    })),
  });
}

async function produceDocs(to: string, docs: readonly string[]): Promise<void> {
  await producer.send({ topic: to, acks: -1, messages: docs.map((value) => ({ key: null, value })) });
}

before(async () => {
  kafka = createKafka(config, `it-parser-${run}`);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: Object.values(topic).map((t) => ({ topic: t, numPartitions: 1, replicationFactor: 1 })) });
  await admin.disconnect();
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  watcher = kafka.consumer({ groupId: `it-parser-watch-${run}`, allowAutoTopicCreation: false });
  await watcher.connect();
  await watcher.subscribe({ topics: [TOPICS.events, TOPICS.deadletter], fromBeginning: false });
  const joined = new Promise((resolve) => watcher.on(watcher.events.GROUP_JOIN, resolve));
  await watcher.run({
    eachMessage: async ({ topic: from, message }) => {
      if (!message.value) return;
      if (from === TOPICS.deadletter) {
        const letter = JSON.parse(message.value.toString()) as DeadLetter;
        if (letter.kafka && Object.values(topic).includes(letter.kafka.topic)) letters.push(letter);
        return;
      }
      const event = JSON.parse(message.value.toString()) as EcsEvent;
      const key = message.key?.toString();
      const id = `${event.hangwatch.source?.shipper ?? 'ours'}|${event.event.id}`;
      if ((key === host || event.libvirt?.hypervisor === host) && !received.has(id)) {
        received.set(id, event);
        events.push(event);
      }
    },
  });
  await joined;
  // Positioned at the end of the topics before anything is produced.
  await new Promise((r) => setTimeout(r, 1_000));
  parser = await startKafkaParser({
    kafka,
    groupId: `it-parser-${run}`,
    topics: buildTopicBindings({
      hangwatch: [topic.raw],
      peers: { filebeat: [topic.filebeat], vector: [topic.vector], rsyslog: [topic.rsyslog], winlogbeat: [topic.winlogbeat] },
      formats: [],
    }),
    registry: FORMAT_PARSERS,
    parseOptions: PARSE_OPTIONS,
    logger: createLogger({ name: 'it-parser', level: 'warn' }),
    metrics: new MetricsRegistry(),
  });
});

after(async () => {
  await parser?.stop();
  await watcher?.disconnect();
  await producer?.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(topic) }).catch(() => undefined);
  await admin.disconnect();
});

test('Filebeat, Vector and rsyslog documents give the events our shipper gives for the same lines', { timeout: 120_000 }, async () => {
  for (const path of SOURCE_FILES) await produceRaw(path);
  await produceDocs(topic.filebeat, readDocs('filebeat-7.17-log-input.ndjson').map(ourHost));
  await produceDocs(topic.vector, readDocs('vector-0.34-file-json.ndjson').map(ourHost));
  await produceDocs(topic.rsyslog, readDocs('rsyslog-8.24-imfile-hangwatch-template.ndjson').map(ourHost));
  await produceDocs(topic.filebeat, ['{"message": "cut short']);
  const lines = SOURCE_FILES.reduce((n, p) => n + ownRecords(p, '2017-03-16T03:00:00.000Z').length, 0);
  await waitFor(() => events.length >= 4 * lines && letters.length >= 1, 90_000, `${4 * lines} events and a dead letter`);
  const by = (shipper: string | undefined): EcsEvent[] => events.filter((e) => e.hangwatch.source?.shipper === shipper && e.event.dataset !== 'windows.winlogbeat');
  const ours = by(undefined);
  assert.equal(ours.length, lines);
  const key = (e: EcsEvent): string => `${e.log?.file?.path}|${e.event.original}`;
  const expected = ours.sort((a, b) => (key(a) < key(b) ? -1 : 1)).map(withoutProvenance);
  for (const shipper of ['filebeat', 'vector', 'rsyslog']) {
    const got = by(shipper);
    assert.equal(got.length, lines, shipper);
    assert.deepEqual(got.sort((a, b) => (key(a) < key(b) ? -1 : 1)).map(withoutProvenance), expected, shipper);
    assert.ok(got.every((e) => e.libvirt?.hypervisor === host));
  }
  assert.equal(letters[0]?.error.code, 'HW_JSON_MALFORMED');
  assert.equal(letters[0]?.kafka?.topic, topic.filebeat);
});

test('Winlogbeat documents straight from the guest: the same incident as the event XML path', { timeout: 120_000 }, async () => {
  // The qemu log through our shipper: its command line places MAC 52:54:00:a6:3a:68 (vm113) on this host.
  await waitFor(() => events.some((e) => e.event.action === 'vm-config'), 60_000, 'the qemu command line event');
  const docs = readDocs('winlogbeat-7.17-system-vm113.ndjson');
  await produceDocs(topic.winlogbeat, docs);
  await waitFor(() => events.filter((e) => e.event.dataset === 'windows.winlogbeat').length >= docs.length, 60_000, 'the Winlogbeat events');
  const beat = events.filter((e) => e.event.dataset === 'windows.winlogbeat');
  assert.ok(beat.every((e) => e.libvirt?.hypervisor === host && e.hangwatch.attribution === undefined && e.hangwatch.clock?.skew_ms !== undefined));
  const qemu = events.filter((e) => e.event.dataset === 'libvirt.qemu' && e.hangwatch.source?.shipper === undefined);
  assert.ok(qemu.length > 0);

  // The same guest records as event XML collected into the hypervisor's guests/<domain>/ folder.
  const recordIds = new Set(beat.map((e) => e.winlog?.record_id));
  const xmlRecord = { bytes: readFileSync(XML), host, path: `/collected/${host}/guests/vm113/System.xml`, format: 'winevent-xml' as const, fingerprint: 'xml', offset: 0, created: '2017-03-16T03:00:00.000Z' };
  const xml = parseRecord(xmlRecord, FORMAT_PARSERS, new SourceStates(), PARSE_OPTIONS).events.filter((e) => recordIds.has(e.winlog?.record_id));
  assert.equal(xml.length, docs.length);

  const viaXml = correlateAll([...qemu, ...xml], {}).incidents;
  const viaBeat = correlateAll([...qemu, ...beat], {}).incidents;
  assert.ok(viaXml.length >= 1);
  const summary = (i: Incident): unknown => ({
    id: i.incident.id,
    kind: i.incident.kind,
    at: i['@timestamp'],
    domain: i.libvirt?.domain?.name,
    hypervisor: i.libvirt?.hypervisor,
    bugcheck: i.windows?.bugcheck,
    diagnosis: i.incident.diagnosis.map((d) => d.code),
    evidence: i.incident.evidence.map((e) => e.event.id),
  });
  assert.deepEqual(viaBeat.map(summary), viaXml.map(summary));
  assert.equal(viaBeat[0]?.libvirt?.domain?.name, 'vm113');
  assert.equal(viaBeat[0]?.incident.kind, 'bugcheck');
  assert.equal(viaBeat[0]?.windows?.bugcheck?.name, 'CLOCK_WATCHDOG_TIMEOUT');
  assert.equal(viaBeat[0]?.incident.diagnosis[0]?.code, 'missing-hyperv-enlightenments');
});
