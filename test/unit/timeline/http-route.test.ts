import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHealthServer, type HealthServer } from '../../../shared/http/health-server.js';
import { createLogger } from '../../../shared/logger.js';
import { MetricsRegistry } from '../../../shared/metrics.js';
import { parseZone } from '../../../shared/time.js';
import { DirSource } from '../../../services/timeline/adapters/dir-source.js';
import { buildTimelineRoute } from '../../../services/timeline/adapters/http-timeline.js';
import { HTML_CSP } from '../../../services/timeline/core/render-html.js';
import { GENERATED_MS, readSeedIncident, SEED_DIR } from './seed-fixture.js';

// The service's GET /timeline on the shared health server, fed by the analyze-folder source (the Elasticsearch
// source is exercised in test/integration/timeline-es.test.ts).

let server: HealthServer;
let base: string;
const metrics = new MetricsRegistry();

before(async () => {
  const route = buildTimelineRoute({ source: new DirSource(SEED_DIR), defaultZone: parseZone('UTC'), logger: createLogger({ name: 'test', level: 'silent' }), metrics, now: () => GENERATED_MS });
  server = await startHealthServer({ port: 0, metrics, ready: () => true, handle: route });
  base = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server.close();
});

test('GET /timeline renders each format with its content type', async () => {
  const id = readSeedIncident().incident.id;
  const html = await fetch(`${base}/timeline?incident=${id}&tz=Asia/Shanghai`);
  assert.equal(html.status, 200);
  assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(html.headers.get('content-security-policy'), HTML_CSP);
  const body = await html.text();
  assert.match(body, /id="hang-marker"/);
  assert.match(body, /2017-03-15T13:11:54\.777\+08:00/);

  const csv = await fetch(`${base}/timeline?incident=${id}&format=csv`);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
  assert.match(await csv.text(), /^message,datetime,timestamp_desc,timestamp,/);

  const jsonl = await fetch(`${base}/timeline?incident=${id}&format=jsonl&tz=%2B08:00`);
  const first = JSON.parse((await jsonl.text()).split('\n')[0]!) as { datetime: string };
  assert.match(first.datetime, /\+08:00$/);
  assert.ok(metrics.value('hangwatch_timeline_rows_total') > 0);
  assert.equal(metrics.value('hangwatch_timeline_requests_total', { format: 'csv', status: '200' }), 1);
});

test('GET /timeline answers 404 for an unknown incident and 400 for bad parameters', async () => {
  const missing = await fetch(`${base}/timeline?incident=nope`);
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'HW_NOT_FOUND');
  for (const query of ['format=pdf&incident=x', 'tz=Mars/Olympus&incident=x', 'domain=vm113', '']) {
    const res = await fetch(`${base}/timeline?${query}`);
    assert.equal(res.status, 400, query);
    await res.text();
  }
  const post = await fetch(`${base}/timeline?incident=x`, { method: 'POST' });
  assert.equal(post.status, 405);
  await post.text();
});

test('health endpoints answer next to the route', async () => {
  assert.equal((await fetch(`${base}/healthz`)).status, 200);
  assert.equal((await fetch(`${base}/readyz`)).status, 200);
  const m = await (await fetch(`${base}/metrics`)).text();
  assert.match(m, /# TYPE hangwatch_timeline_requests_total counter/);
});
