import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Client } from '@elastic/elasticsearch';
import { createElasticsearch } from '../../shared/clients/elasticsearch.js';
import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { startHealthServer } from '../../shared/http/health-server.js';
import { fileEventId } from '../../shared/identity.js';
import { createLogger } from '../../shared/logger.js';
import { MetricsRegistry } from '../../shared/metrics.js';
import type { EcsEvent } from '../../shared/schema/event.js';
import { parseZone } from '../../shared/time.js';
import { alertsMapping, eventsMapping, incidentsMapping } from '../../services/indexer/core/templates.js';
import { EsSource } from '../../services/timeline/adapters/es-source.js';
import { buildTimelineRoute } from '../../services/timeline/adapters/http-timeline.js';
import { readSeedEvents, readSeedIncident, SEED_DIR } from '../unit/timeline/seed-fixture.js';

// `hangwatch timeline --source es` against the real local Elasticsearch: the seed fixture plus 12,000 generated
// host-wide libvirtd events in the incident's window (past the 10,000 a from+size search can reach) and noise
// that must stay out, in indices of this test's own prefix with the indexer's mappings; deleted afterwards.

const common = loadConfig('', COMMON_SCHEMA, process.env);
const PREFIX = `hwtest-timeline-${process.pid}-${Date.now().toString(36)}`;
const INDEX = { events: `${PREFIX}-events-*`, incidents: `${PREFIX}-incidents`, alerts: `${PREFIX}-alerts` };
const GENERATED = 12_000;
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'hangwatch.js');
const ENV = {
  ...process.env,
  HANGWATCH_ES_URL: common.ES_URL,
  HANGWATCH_TIMELINE_EVENTS_INDEX: INDEX.events,
  HANGWATCH_TIMELINE_INCIDENTS_INDEX: INDEX.incidents,
  HANGWATCH_TIMELINE_ALERTS_INDEX: INDEX.alerts,
  HANGWATCH_TIMELINE_PAGE_SIZE: '1000',
};
let client: Client;

/** Host-wide libvirtd lines on the incident's hypervisor, every 150 ms from 05:20Z, and noise on sc8 / vm105. */
function generateEvents(): { inScope: EcsEvent[]; noise: EcsEvent[] } {
  const start = Date.parse('2017-03-15T05:20:00.000Z');
  const make = (i: number, hypervisor: string, domain?: string): EcsEvent => ({
    '@timestamp': new Date(start + i * 150).toISOString(),
    event: { id: fileEventId(hypervisor, `gen-${domain ?? 'host'}`, i * 160), dataset: 'libvirt.daemon', kind: 'event', action: 'storage-permission' },
    log: { level: 'warning', offset: i * 160, file: { path: '/var/log/libvirt/libvirtd.log' } },
    host: { name: hypervisor },
    message: `ignoring permission error for '/media/vmpool/gen-${i}.img'`,
    libvirt: { hypervisor, ...(domain ? { domain: { name: domain } } : {}) },
    hangwatch: { time: { basis: 'explicit' }, parse: { grammar: 'libvirtd' } },
  });
  const inScope = Array.from({ length: GENERATED }, (_, i) => make(i, 'sc7'));
  const noise = Array.from({ length: 500 }, (_, i) => [make(i, 'sc8'), make(i, 'sc7', 'vm105')]).flat();
  return { inScope, noise };
}

async function bulkIndex(docs: { index: string; id: string; doc: unknown }[]): Promise<void> {
  for (let i = 0; i < docs.length; i += 2_000) {
    const operations = docs.slice(i, i + 2_000).flatMap((d) => [{ index: { _index: d.index, _id: d.id } }, d.doc]);
    const response = await client.bulk({ operations, refresh: false });
    assert.equal(response.errors, false, JSON.stringify(response.items.find((it) => it.index?.error)?.index?.error));
  }
}

function eventsIndexOf(e: EcsEvent): string {
  return `${PREFIX}-events-${e['@timestamp'].slice(0, 10).replace(/-/g, '.')}`;
}

function runCli(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'timeline', ...args], { env: ENV });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? 1, stdout, stderr }));
  });
}

const parseJsonl = (text: string) => text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, string | number>);

before(async () => {
  client = createElasticsearch(common);
  const settings = { number_of_shards: 2, number_of_replicas: 0 };
  for (const day of ['2017.03.15', '2017.03.16']) await client.indices.create({ index: `${PREFIX}-events-${day}`, settings, mappings: eventsMapping() });
  await client.indices.create({ index: INDEX.incidents, settings, mappings: incidentsMapping() });
  await client.indices.create({ index: INDEX.alerts, settings, mappings: alertsMapping() });
  const { inScope, noise } = generateEvents();
  const events = [...readSeedEvents(), ...inScope, ...noise];
  await bulkIndex(events.map((e) => ({ index: eventsIndexOf(e), id: e.event.id, doc: e })));
  const incident = readSeedIncident();
  await bulkIndex([{ index: INDEX.incidents, id: incident.incident.id, doc: incident }]);
  await client.indices.refresh({ index: `${PREFIX}-*` });
});

after(async () => {
  await client.indices.delete({ index: `${PREFIX}-*`, allow_no_indices: true, expand_wildcards: 'all' }).catch(() => undefined);
  await client.close();
});

test('--source es exports every event of the incident past 10,000 hits, in the order the analyze folder gives', async () => {
  const id = readSeedIncident().incident.id;
  const [es, dir] = await Promise.all([
    runCli(['--incident', id, '--source', 'es', '--format', 'jsonl', '--tz', 'Asia/Shanghai']),
    runCli(['--incident', id, '--source', SEED_DIR, '--format', 'jsonl', '--tz', 'Asia/Shanghai']),
  ]);
  assert.equal(es.status, 0, es.stderr);
  assert.equal(dir.status, 0, dir.stderr);
  const esRows = parseJsonl(es.stdout);
  const dirRows = parseJsonl(dir.stdout);
  assert.equal(esRows.length, dirRows.length + GENERATED, 'fixture rows + every generated event, no noise');
  assert.equal(new Set(esRows.map((r) => r['event.id'])).size, esRows.length, 'no duplicates across pages');
  const times = esRows.map((r) => Number(r.timestamp));
  assert.deepEqual(times, [...times].sort((a, b) => a - b));
  assert.ok(!esRows.some((r) => r['libvirt.hypervisor'] === 'sc8' || r['libvirt.domain.name'] === 'vm105'), 'other hosts and domains stay out');
  const generatedIds = new Set(generateEvents().inScope.map((e) => e.event.id));
  const fixtureRows = esRows.filter((r) => !generatedIds.has(String(r['event.id'])));
  assert.deepEqual(fixtureRows, dirRows, 'Elasticsearch and the analyze folder give the same rows in the same order');
  assert.match(es.stderr, new RegExp(`timeline: ${esRows.length} rows`));
});

test('--domain over Elasticsearch finds the hypervisor by aggregation and matches the analyze folder', async () => {
  const args = ['--domain', 'vm113', '--from', '2017-03-15T00:00:00Z', '--to', '2017-03-15T05:19:59Z', '--format', 'csv'];
  const [es, dir] = await Promise.all([runCli([...args, '--source', 'es']), runCli([...args, '--source', SEED_DIR])]);
  assert.equal(es.status, 0, es.stderr);
  assert.equal(es.stdout, dir.stdout);
  assert.match(es.stdout, /CLOCK_WATCHDOG_TIMEOUT/);
});

test('the timeline service serves the incident from Elasticsearch and reports ready', async () => {
  const metrics = new MetricsRegistry();
  const source = new EsSource(client, { eventsIndex: INDEX.events, incidentsIndex: INDEX.incidents, alertsIndex: INDEX.alerts, pageSize: 5_000, keepAlive: '30s', url: common.ES_URL });
  const server = await startHealthServer({
    port: 0,
    metrics,
    ready: () => source.ping(),
    handle: buildTimelineRoute({ source, defaultZone: parseZone('UTC'), logger: createLogger({ name: 'test', level: 'silent' }), metrics, now: () => 0 }),
  });
  try {
    const base = `http://127.0.0.1:${server.port}`;
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    const res = await fetch(`${base}/timeline?incident=${readSeedIncident().incident.id}&format=csv&tz=Asia/Shanghai`);
    assert.equal(res.status, 200);
    const lines = (await res.text()).trimEnd().split('\r\n');
    assert.ok(lines.length > GENERATED + 10, `${lines.length} lines`);
    assert.equal((await fetch(`${base}/timeline?incident=missing`)).status, 404);
  } finally {
    await server.close();
  }
});

test('an unreachable Elasticsearch is a clear, non-zero failure', async () => {
  const child = await new Promise<{ status: number; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [BIN, 'timeline', '--incident', 'x', '--source', 'es'], { env: { ...ENV, HANGWATCH_ES_URL: 'http://127.0.0.1:9' } });
    let stderr = '';
    p.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    p.on('close', (status) => resolve({ status: status ?? 1, stderr }));
  });
  assert.equal(child.status, 1);
  assert.match(child.stderr, /HW_ES_UNAVAILABLE/);
});
