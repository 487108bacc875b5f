// The alerter against the real Kafka and a local webhook receiver: a sequence of incidents yields exactly the
// expected alert episodes on the alerts topic and at the receiver, across a restart in the middle, with a
// silence honoured and a failing first delivery retried. Run through scripts/with-stack.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Kafka, Producer } from 'kafkajs';
import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { createKafka } from '../../shared/clients/kafka.js';
import { createLogger } from '../../shared/logger.js';
import type { Alert } from '../../shared/schema/alert.js';
import type { Incident } from '../../shared/schema/incident.js';
import { alertId } from '../../shared/identity.js';
import { startAlerter, type StartedAlerter } from '../../services/alerter/main.js';
import { startTopicReader } from '../../services/alerter/adapters/topic-reader.js';
import { buildSilence, silenceRecordKey } from '../../services/alerter/core/silence.js';

const common = loadConfig('', COMMON_SCHEMA, process.env);
const run = randomUUID().slice(0, 8);
const topics = { incidents: `hw-it-alerter-${run}.incidents`, alerts: `hw-it-alerter-${run}.alerts`, silences: `hw-it-alerter-${run}.silences` };
const RULE = 'recurring-watchdog-vm';
const HOST = `sc7-${run}`;
const T0 = Date.UTC(2017, 2, 15, 0, 0, 0);
const HOUR = 3_600_000;
const SECRET = `s3cret-${run}`;

interface Received {
  readonly alert: Alert;
  readonly headers: IncomingHttpHeaders;
}
const received: Received[] = [];
let requests = 0;
let receiver: Server;
let receiverUrl: string;
let kafka: Kafka;
let producer: Producer;
let running: StartedAlerter | undefined;
const logger = createLogger({ name: 'alerter-it', level: 'warn' });

function incident(id: string, hoursAfterT0: number, domain: string): Incident {
  const ts = new Date(T0 + hoursAfterT0 * HOUR).toISOString();
  return {
    '@timestamp': ts,
    incident: {
      id: `${run}-${id}`,
      kind: 'bugcheck',
      diagnosis: [{ code: 'missing-hyperv-enlightenments', confidence: 0.9, summary: 'no hv_relaxed', remediation: "<hyperv><relaxed state='on'/></hyperv>" }],
      evidence: [],
      window: { gte: ts, lte: ts },
      clock: {},
    },
    libvirt: { domain: { name: domain }, hypervisor: HOST },
    windows: { bugcheck: { code: '0x00000101', name: 'CLOCK_WATCHDOG_TIMEOUT' } },
  };
}

async function produce(...items: (Incident | { tombstone: string })[]): Promise<void> {
  await producer.send({
    topic: topics.incidents,
    acks: -1,
    messages: items.map((i) => ('tombstone' in i ? { key: `${run}-${i.tombstone}`, value: null } : { key: i.incident.id, value: JSON.stringify(i), headers: { 'schema-version': '1' } })),
  });
}

function env(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HANGWATCH_ALERTER_RULES_DIR: join(import.meta.dirname, '..', '..', 'rules'),
    HANGWATCH_ALERTER_GROUP_ID: `hw-it-alerter-${run}`,
    HANGWATCH_ALERTER_INCIDENTS_TOPIC: topics.incidents,
    HANGWATCH_ALERTER_ALERTS_TOPIC: topics.alerts,
    HANGWATCH_ALERTER_SILENCES_TOPIC: topics.silences,
    HANGWATCH_ALERTER_HTTP_PORT: '0',
    HANGWATCH_ALERTER_IDLE_CLOSE_AFTER_MS: '0',
    HANGWATCH_ALERTER_WEBHOOK_URLS: receiverUrl,
    HANGWATCH_ALERTER_WEBHOOK_SECRET: SECRET,
    HANGWATCH_ALERTER_WEBHOOK_BACKOFF_INITIAL_MS: '20',
    HANGWATCH_ALERTER_WEBHOOK_BACKOFF_MAX_MS: '100',
    HANGWATCH_ALERTER_TIMELINE_BASE_URL: 'http://timeline.test:8790',
    HANGWATCH_LOG_LEVEL: 'warn',
  };
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received: ${received.map(describe).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function readAlertsTopic(): Promise<Alert[]> {
  const alerts: Alert[] = [];
  const reader = await startTopicReader({
    kafka,
    topic: topics.alerts,
    groupPrefix: `hw-it-alerter-${run}-check`,
    logger,
    follow: false,
    onMessage: (m) => {
      if (m.value) alerts.push(JSON.parse(m.value.toString('utf8')) as Alert);
    },
  });
  await reader.caughtUp;
  return alerts.sort((a, b) => a['@timestamp'].localeCompare(b['@timestamp']) || a.alert.id.localeCompare(b.alert.id));
}

function describe(r: Received | Alert): string {
  const a = 'alert' in r && 'headers' in r ? r.alert : (r as Alert);
  return `${a.alert.key.replace(`-${run}`, '')} ${a.alert.state} n=${a.alert.count}`;
}

before(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      // The very first delivery fails: the alerter must retry it, not lose it.
      if (requests === 1) {
        res.writeHead(503).end();
        return;
      }
      received.push({ alert: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Alert, headers: req.headers });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  kafka = createKafka(common, `alerter-it-${run}`);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: topics.incidents, numPartitions: 3 },
      { topic: topics.alerts, numPartitions: 3 },
      { topic: topics.silences, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
    ],
  });
  await admin.disconnect();
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
});

after(async () => {
  await running?.stop();
  await producer?.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => {});
  await admin.deleteGroups([`hw-it-alerter-${run}`]).catch(() => {});
  await admin.disconnect();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

test('alert episodes are exact across an alerter restart: nothing re-fired, nothing lost, silences honoured', async () => {
  // Phase 1: vm105 hangs twice within 24h -> one open.
  let alerter: StartedAlerter = await startAlerter(env(), logger);
  running = alerter;
  await produce(incident('a', 0, 'vm105'), incident('b', 1, 'vm105'), incident('c', 10, 'vm200'));
  await waitFor(() => received.length === 1, 60_000, 'the first open at the receiver');
  const metrics = await (await fetch(`http://127.0.0.1:${alerter.httpPort}/metrics`)).text();
  assert.match(metrics, /hangwatch_alerter_incidents_received_total\{kind="upsert"\} 3/);
  assert.match(metrics, /hangwatch_alerter_alerts_total\{rule="recurring-watchdog-vm",state="open"\} 1/);
  assert.equal((await fetch(`http://127.0.0.1:${alerter.httpPort}/readyz`)).status, 200);
  await alerter.stop();

  // Phase 2, while stopped: a third hang of vm105, a redelivered (refined) b, a second hang of vm200, a
  // duplicate incident x of vm200 that the correlator then merges away (tombstone), and a silence for vm300.
  await produce(incident('d', 2, 'vm105'), incident('b', 1, 'vm105'), incident('e', 11, 'vm200'), incident('x', 11.5, 'vm200'), { tombstone: 'x' });
  const silence = buildSilence(RULE, `${HOST}/vm300`, Date.now(), 2 * HOUR, 'integration test');
  await producer.send({ topic: topics.silences, acks: -1, messages: [{ key: silenceRecordKey(RULE, `${HOST}/vm300`), value: JSON.stringify(silence) }] });

  // Phase 3: restart; then time moves on three days (closing both episodes) and vm300 opens, silenced.
  alerter = await startAlerter(env(), logger);
  running = alerter;
  await waitFor(() => received.some((r) => r.alert.alert.state === 'updated') && received.filter((r) => r.alert.alert.state === 'open').length === 2, 60_000, 'the update and the second open after the restart');
  await produce(incident('f', 72, 'vm300'), incident('g', 72.5, 'vm300'));
  const closes = (): number => received.filter((r) => r.alert.alert.state === 'closed').length;
  await waitFor(() => closes() === 2, 60_000, 'both closes');
  await waitFor(() => alerter.ready(), 30_000, 'readiness');
  let topicAlerts: Alert[] = [];
  const isComplete = (alerts: Alert[]): boolean => alerts.filter((a) => a.alert.state === 'closed').length === 2 && alerts.some((a) => a.alert.key.endsWith('vm300'));
  for (let i = 0; i < 50 && !isComplete(topicAlerts); i++) {
    topicAlerts = await readAlertsTopic();
    if (!isComplete(topicAlerts)) await new Promise((r) => setTimeout(r, 200));
  }
  await alerter.stop();
  running = undefined;

  // Partitions are read concurrently; the reorder buffer evaluates in event-time order, so the sequence is exact.
  const id105 = alertId(RULE, `${HOST}/vm105`, `${run}-a`);
  const id200 = alertId(RULE, `${HOST}/vm200`, `${run}-c`);
  const id300 = alertId(RULE, `${HOST}/vm300`, `${run}-f`);
  const change = (a: Alert): string => `${a.alert.id}|${a.alert.state}|${a['@timestamp']}|${a.alert.count}`;
  assert.equal(new Set(topicAlerts.map(change)).size, topicAlerts.length, 'no state change produced twice');
  assert.deepEqual(topicAlerts.map(describe), [
    'sc7/vm105 open n=2',
    'sc7/vm105 updated n=3',
    'sc7/vm200 open n=2',
    'sc7/vm105 closed n=3',
    'sc7/vm200 closed n=2',
    'sc7/vm300 open n=2',
  ]);
  assert.deepEqual([...new Set(topicAlerts.map((a) => a.alert.id))].sort(), [id105, id200, id300].sort());
  const episode = (id: string, state: string): Alert[] => topicAlerts.filter((a) => a.alert.id === id && a.alert.state === state);
  for (const id of [id105, id200]) {
    assert.equal(episode(id, 'open').length, 1);
    assert.equal(episode(id, 'closed').length, 1);
  }
  assert.deepEqual(episode(id105, 'open')[0]?.alert.incidents, [`${run}-a`, `${run}-b`]);
  assert.deepEqual(episode(id105, 'updated').map((a) => a.alert.incidents), [[`${run}-a`, `${run}-b`, `${run}-d`]]);
  const closed105 = episode(id105, 'closed')[0];
  const closed200 = episode(id200, 'closed')[0];
  assert.deepEqual(closed105?.alert.incidents, [`${run}-a`, `${run}-b`, `${run}-d`]);
  assert.equal(closed105?.['@timestamp'], new Date(T0 + 49 * HOUR).toISOString()); // b + 24h window + 24h quiet
  assert.deepEqual(closed200?.alert.incidents, [`${run}-c`, `${run}-e`]); // x was merged away (tombstone)
  assert.equal(closed200?.alert.count, 2);
  assert.equal(closed200?.['@timestamp'], new Date(T0 + 58 * HOUR).toISOString());
  assert.deepEqual(episode(id300, 'open').map((a) => a.alert.count), [2]);

  // The receiver got every state change except the silenced vm300 one, each once, with secret and ids; per
  // episode in the order of its state changes.
  const notified = topicAlerts.filter((a) => a.alert.id !== id300);
  assert.deepEqual(received.map((r) => change(r.alert)).sort(), notified.map(change).sort());
  for (const id of [id105, id200]) {
    const states = received.filter((r) => r.alert.alert.id === id).map((r) => r.alert.alert.state);
    assert.equal(states[0], 'open');
    assert.equal(states.at(-1), 'closed');
  }
  assert.equal(requests, received.length + 1); // every delivery once, plus the 503 that was retried
  for (const r of received) {
    assert.equal(r.headers['x-hangwatch-secret'], SECRET);
    assert.equal(r.headers['x-hangwatch-alert-id'], r.alert.alert.id);
    assert.equal(r.headers['x-hangwatch-alert-state'], r.alert.alert.state);
  }
  const open105 = received.find((r) => r.alert.alert.id === id105)?.alert;
  assert.equal(open105?.hangwatch?.links.timeline, `http://timeline.test:8790/timeline?incident=${run}-b&format=html`);
  assert.match(open105?.message ?? '', /^vm105 on sc7-\w+ hit CLOCK_WATCHDOG_TIMEOUT 2 times in 24h; top diagnosis missing-hyperv-enlightenments: <hyperv><relaxed state='on'\/><\/hyperv>$/);
});
