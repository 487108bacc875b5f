// Security: every service reaches Kafka and Elasticsearch only through the shared clients (so the SASL/TLS and
// API key / TLS settings of COMMON_SCHEMA apply everywhere); secrets come from the environment or files and
// never reach a log, even at debug level; Kibana's saved objects render messages as text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { createElasticsearch } from '../../shared/clients/elasticsearch.js';
import { FAKE_SECRETS, Pipeline, freePort } from './harness/pipeline.js';
import { runFault } from './harness/scenario.js';
import { recordRow } from './harness/table.js';
import { REPO, WORK } from './harness/paths.js';

async function listFiles(dir: string, match: RegExp): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(path, match)));
    else if (match.test(path)) out.push(path);
  }
  return out;
}

test('services build Kafka and Elasticsearch clients only through shared/clients (TLS, SASL, API key apply to all)', async () => {
  const sources = [...(await listFiles(join(REPO, 'services'), /\.ts$/)), ...(await listFiles(join(REPO, 'cli'), /\.ts$/))];
  const offenders: string[] = [];
  for (const path of sources) {
    const text = await readFile(path, 'utf8');
    for (const line of text.split("\n")) if (/new (Kafka|Client)\(/.test(line) && !/buildKafkaConfig\(|buildEsOptions\(/.test(line)) offenders.push(`${relative(REPO, path)}: ${line.trim()}`);
  }
  assert.deepEqual(offenders, [], 'clients built outside shared/clients');
  for (const service of ['shipper', 'parser', 'correlator', 'indexer', 'alerter', 'timeline']) {
    const main = await readFile(join(REPO, 'services', service, 'main.ts'), 'utf8');
    assert.match(main, /COMMON_SCHEMA/, `${service} loads the common Kafka/Elasticsearch settings`);
  }
});

test("Kibana saved objects: links encode the value, no field renders HTML", async () => {
  const objects = await listFiles(join(REPO, 'kibana', 'objects'), /\.json$/);
  assert.ok(objects.length > 0);
  let formats = 0;
  for (const path of objects) {
    const text = await readFile(path, 'utf8');
    assert.ok(!text.includes('{{rawValue}}'), `${relative(REPO, path)}: {{rawValue}} puts unescaped field values into a URL or label`);
    const doc = JSON.parse(text) as { attributes?: { fieldFormatMap?: Record<string, { id?: string; params?: { type?: string } }> } };
    for (const [field, format] of Object.entries(doc.attributes?.fieldFormatMap ?? {})) {
      formats++;
      assert.ok(format.id !== 'url' || format.params?.type !== 'img', `${field}: no image format`);
      assert.ok(!['message', 'event.original', 'error.message'].includes(field), `${field} is rendered as plain text, not formatted`);
    }
  }
  assert.ok(formats > 0, 'the data views were checked');
});

let pipeline: Pipeline;
let es: Client;
let receiver: Server;
const received: Array<{ secret: string | undefined; body: string }> = [];

before(async () => {
  const port = await freePort();
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ secret: req.headers['x-hangwatch-secret'] as string | undefined, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(port, '127.0.0.1', r));
  pipeline = await Pipeline.start({
    name: 'security',
    env: { HANGWATCH_LOG_LEVEL: 'debug', HANGWATCH_ALERTER_WEBHOOK_URLS: `http://127.0.0.1:${port}/hook` },
  });
  es = createElasticsearch(pipeline.common);
});

after(async () => {
  await pipeline?.stop();
  await es?.close();
  await new Promise((r) => receiver?.close(r));
});

test('a pipeline with secrets set logs none of them (debug level), and the webhook secret is used', { timeout: 600_000 }, async () => {
  await runFault(pipeline, es, { order: '40-01', fault: 'secrets set (SASL, ES, Kibana, webhook), debug logs', batch: { seed: 401, day: '2017-05-01' }, notes: 'log files grepped for every secret' });
  const deadline = Date.now() + 60_000;
  while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  assert.ok(received.length > 0, 'the webhook received alerts');
  assert.ok(received.every((r) => r.secret === FAKE_SECRETS.HANGWATCH_ALERTER_WEBHOOK_SECRET), 'each delivery carries the configured secret');
  // Every log of every pipeline this suite ran so far, not only this one.
  const logs = await listFiles(WORK, /\.log$/);
  assert.ok(logs.length >= 5);
  const leaks: string[] = [];
  for (const path of logs) {
    const text = await readFile(path, 'utf8');
    for (const [name, secret] of Object.entries(FAKE_SECRETS)) if (text.includes(secret)) leaks.push(`${name} in ${relative(REPO, path)}`);
  }
  assert.deepEqual(leaks, []);
  await recordRow('40-02', { fault: 'secret strings in service logs', recordsIn: logs.length, indexed: '-', deadletters: '-', duplicates: '-', lost: leaks.length, recovery: '-', notes: `${logs.length} log files, ${Object.keys(FAKE_SECRETS).length} secrets, 0 found` });
});
