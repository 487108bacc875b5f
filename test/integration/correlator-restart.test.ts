// The correlator service against the real Kafka: killed (SIGKILL) mid-stream and restarted, it converges on the
// same incident set as an uninterrupted run (correlateAll, which the unit tests prove equal to any streaming
// order within the lateness bound). Run through scripts/with-stack.ts (HANGWATCH_KAFKA_BROKERS).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { createKafka } from '../../shared/clients/kafka.js';
import type { EcsEvent } from '../../shared/schema/event.js';
import type { Incident } from '../../shared/schema/incident.js';
import { TOPICS } from '../../shared/topics.js';
import { correlateAll, sortIncidents } from '../../services/correlator/core/index.js';
import { fleetScenario } from '../unit/correlator/fleet-scenario.js';

const config = loadConfig('', COMMON_SCHEMA, process.env);
const run = randomUUID().slice(0, 8);
const groupId = `hw-it-correlator-${run}`;
const root = join(import.meta.dirname, '..', '..');

let kafka: Kafka;
let producer: Producer;
let watcher: Consumer;
const folded = new Map<string, Incident>();
const ourHosts = new Set<string>();

/** The fleet with this run's hypervisor names and event ids, so runs never see each other's records. */
function runEvents(): EcsEvent[] {
  return fleetScenario().map((e) => {
    const hypervisor = `${e.libvirt?.hypervisor}-${run}`;
    ourHosts.add(hypervisor);
    const id = createHash('sha256').update(`${run}|${e.event.id}`).digest('hex').slice(0, 32);
    return { ...e, event: { ...e.event, id }, libvirt: { ...e.libvirt, hypervisor } };
  });
}

function startService(): ChildProcess {
  const child = spawn(process.execPath, [join(root, 'bin', 'hangwatch.js'), 'service', 'correlator'], {
    env: { ...process.env, HANGWATCH_CORRELATOR_GROUP_ID: groupId, HANGWATCH_CORRELATOR_HTTP_PORT: '0', HANGWATCH_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function produce(events: readonly EcsEvent[]): Promise<void> {
  await producer.send({
    topic: TOPICS.events,
    acks: -1,
    messages: events.map((e) => ({ key: e.libvirt?.hypervisor ?? '', value: JSON.stringify(e), headers: { 'schema-version': '1' } })),
  });
}

before(async () => {
  kafka = createKafka(config, 'it-correlator');
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  watcher = kafka.consumer({ groupId: `${groupId}-watch`, allowAutoTopicCreation: false });
  await watcher.connect();
  await watcher.subscribe({ topic: TOPICS.incidents, fromBeginning: false });
  await watcher.run({
    eachMessage: async ({ message }) => {
      const host = message.headers?.['hw-hypervisor']?.toString() ?? '';
      if (!ourHosts.has(host) || !message.key) return;
      if (message.value === null) folded.delete(message.key.toString());
      else folded.set(message.key.toString(), JSON.parse(message.value.toString()) as Incident);
    },
  });
  // The watcher must be positioned before anything is produced.
  await new Promise((r) => setTimeout(r, 3_000));
});

after(async () => {
  await watcher?.disconnect();
  await producer?.disconnect();
});

test('SIGKILL mid-stream + restart converges on the uninterrupted incident set', { timeout: 240_000 }, async () => {
  const events = runEvents();
  const expected = sortIncidents(correlateAll(events, {}).incidents);
  assert.equal(expected.length, 5);
  // In time order per host, as the shipper and parser deliver them.
  const ordered = [...events].sort((a, b) => (a['@timestamp'] < b['@timestamp'] ? -1 : a['@timestamp'] > b['@timestamp'] ? 1 : 0));
  const cut = Math.floor(ordered.length / 2);
  let service = startService();
  try {
    await produce(ordered.slice(0, cut));
    await waitFor(() => folded.size > 0, 90_000, 'a first incident from the first process');
    service.kill('SIGKILL');
    await new Promise((r) => service.once('exit', r));
    await produce(ordered.slice(cut));
    service = startService();
    const expectedJson = JSON.stringify(expected);
    await waitFor(() => JSON.stringify(sortIncidents([...folded.values()])) === expectedJson, 120_000, 'the restarted service to converge');
    assert.deepEqual(sortIncidents([...folded.values()]), expected);
  } finally {
    service.kill('SIGTERM');
    await new Promise((r) => (service.exitCode !== null ? r(undefined) : service.once('exit', r)));
  }
});
