import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHealthServer, type HealthServer } from '../../../shared/http/health-server.js';
import { createLogger } from '../../../shared/logger.js';
import { MetricsRegistry } from '../../../shared/metrics.js';
import { parseZone } from '../../../shared/time.js';
import { DirSource } from '../../../services/timeline/adapters/dir-source.js';
import { buildTimelineRoute } from '../../../services/timeline/adapters/http-timeline.js';
import { createTokenCheck } from '../../../services/timeline/core/export-access.js';
import { GENERATED_MS, readSeedIncident, SEED_DIR } from './seed-fixture.js';

// GET /timeline behind the token on the shared health server (the analyze-folder source, no Elasticsearch): one
// server that takes the header only, one that also takes the query parameter.

const TOKEN = '7c4e2a9f1b3d5e8a0c6f2b4d9e1a3c5f7b0d2e4a6c8f1b3d';
const servers: HealthServer[] = [];
let headerOnly: string;
let withQuery: string;
const metrics = new MetricsRegistry();

async function start(acceptQuery: boolean, registry: MetricsRegistry): Promise<string> {
  const route = buildTimelineRoute({
    source: new DirSource(SEED_DIR),
    defaultZone: parseZone('UTC'),
    logger: createLogger({ name: 'test', level: 'silent' }),
    metrics: registry,
    now: () => GENERATED_MS,
    checkToken: createTokenCheck(TOKEN, { acceptQuery }),
  });
  const server = await startHealthServer({ port: 0, metrics: registry, ready: () => true, handle: route });
  servers.push(server);
  return `http://127.0.0.1:${server.port}`;
}

before(async () => {
  headerOnly = await start(false, metrics);
  withQuery = await start(true, new MetricsRegistry());
});

after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

test('an export without the token is 401 with a Bearer challenge, and reads nothing', async () => {
  const id = readSeedIncident().incident.id;
  const res = await fetch(`${headerOnly}/timeline?incident=${id}`);
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="hangwatch-timeline"');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'HW_UNAUTHORIZED');
  assert.match(body.error.message, /Authorization: Bearer/);
  // Refused before anything else: an unknown incident or a bad format is not revealed either.
  for (const query of ['incident=nope', 'format=pdf', '']) {
    const other = await fetch(`${headerOnly}/timeline?${query}`);
    assert.equal(other.status, 401, query);
    await other.text();
  }
  const post = await fetch(`${headerOnly}/timeline?incident=${id}`, { method: 'POST' });
  assert.equal(post.status, 401);
  await post.text();
});

test('the right bearer token gets the export; a wrong one is 401 invalid_token', async () => {
  const id = readSeedIncident().incident.id;
  const ok = await fetch(`${headerOnly}/timeline?incident=${id}&format=csv`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('referrer-policy'), 'no-referrer');
  assert.match(await ok.text(), /^message,datetime,timestamp_desc,timestamp,/);

  const wrong = await fetch(`${headerOnly}/timeline?incident=${id}`, { headers: { authorization: `Bearer ${TOKEN.replace(/^./, '0')}` } });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get('www-authenticate'), 'Bearer realm="hangwatch-timeline", error="invalid_token"');
  assert.ok(!(await wrong.text()).includes(TOKEN));

  const basic = await fetch(`${headerOnly}/timeline?incident=${id}`, { headers: { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` } });
  assert.equal(basic.status, 401);
  await basic.text();

  // Behind the token, the route's own answers are unchanged.
  const missing = await fetch(`${headerOnly}/timeline?incident=nope`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(missing.status, 404);
  await missing.text();
});

test('the query parameter opens the export only where the operator turned it on', async () => {
  const id = readSeedIncident().incident.id;
  const refused = await fetch(`${headerOnly}/timeline?incident=${id}&token=${TOKEN}`);
  assert.equal(refused.status, 401);
  assert.match(((await refused.json()) as { error: { message: string } }).error.message, /TOKEN_IN_URL/);

  const link = await fetch(`${withQuery}/timeline?incident=${id}&format=html&token=${TOKEN}`);
  assert.equal(link.status, 200);
  assert.equal(link.headers.get('referrer-policy'), 'no-referrer');
  const html = await link.text();
  assert.match(html, /id="hang-marker"/);
  assert.ok(!html.includes(TOKEN), 'the page does not repeat the token');

  const header = await fetch(`${withQuery}/timeline?incident=${id}&format=md`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(header.status, 200);
  await header.text();
});

test('/healthz, /readyz and /metrics stay open; refusals are counted by reason', async () => {
  assert.equal((await fetch(`${headerOnly}/healthz`)).status, 200);
  assert.equal((await fetch(`${headerOnly}/readyz`)).status, 200);
  const text = await (await fetch(`${headerOnly}/metrics`)).text();
  assert.match(text, /hangwatch_timeline_unauthorized_total/);
  assert.ok(metrics.value('hangwatch_timeline_unauthorized_total', { reason: 'missing' }) >= 4);
  assert.ok(metrics.value('hangwatch_timeline_unauthorized_total', { reason: 'wrong' }) >= 1);
  assert.ok(metrics.value('hangwatch_timeline_unauthorized_total', { reason: 'not-bearer' }) >= 1);
  assert.ok(metrics.value('hangwatch_timeline_unauthorized_total', { reason: 'query-disabled' }) >= 1);
});
