// The whole pipeline (shipper, parser, correlator, indexer, alerter as processes) against the real Kafka and
// Elasticsearch: an undisturbed batch, then each service SIGKILLed while a batch streams through it and
// restarted. Every record ends indexed or dead-lettered exactly once, with the offline analysis' incidents
// and alerts. The pipeline runs at debug level with every secret set (harness/pipeline.ts FAKE_SECRETS) and a
// webhook receiver: the last test checks that no log of the suite holds a secret and that the webhook secret
// is sent. Run through scripts/with-stack.ts (npm run test:faults).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { relative } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { INDICES } from '../../shared/topics.js';
import { createElasticsearch } from '../../shared/clients/elasticsearch.js';
import { FAKE_SECRETS, Pipeline, freePort, type PipelineService } from './harness/pipeline.js';
import { listFiles } from './harness/list-files.js';
import { REPO, WORK } from './harness/paths.js';
import { recordRow } from './harness/table.js';
import { runFault, until } from './harness/scenario.js';
import { SIZES, TIME_SCALE, formatSize } from './harness/mode.js';
import { countRecords } from './harness/corpus.js';

let pipeline: Pipeline;
let es: Client;
let receiver: Server;
const received: Array<{ secret: string | undefined; body: string }> = [];
// Chat webhooks carry their token in the URL's path or query (Slack, Teams): neither may reach a log or a metric.
const WEBHOOK_PATH_TOKEN = 'whpathtoken7f3a9c';
const WEBHOOK_QUERY_TOKEN = 'whquerytoken51e0d2';

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
    name: 'kill',
    env: { HANGWATCH_LOG_LEVEL: 'debug', HANGWATCH_ALERTER_WEBHOOK_URLS: `http://127.0.0.1:${port}/services/T000/${WEBHOOK_PATH_TOKEN}?sig=${WEBHOOK_QUERY_TOKEN}` },
  });
  es = createElasticsearch(pipeline.common);
});

after(async () => {
  await pipeline?.stop();
  await es?.close();
  await new Promise((r) => receiver?.close(r));
});

// Batches fed to one alerter go forward in event time (incidents older than its allowed lateness do not count).
const days = ['2017-03-10', '2017-03-12', '2017-03-14', '2017-03-16', '2017-03-18', '2017-03-20'];
const volume = `2 hosts, libvirtd padded to ${formatSize(SIZES.libvirtdLines, 'count')} lines each`;

test('undisturbed batch: the pipeline ends with what the offline analysis finds', { timeout: 600_000 * TIME_SCALE }, async () => {
  await runFault(pipeline, es, { order: '20-00', fault: 'none (baseline)', batch: { seed: 101, day: days[0] as string, libvirtdLines: SIZES.libvirtdLines }, notes: volume });
});

test('hostile records in a batch (generator --hostile): dead letters with reasons in Elasticsearch, the rest indexed', { timeout: 600_000 * TIME_SCALE }, async () => {
  const result = await runFault(pipeline, es, {
    order: '20-06',
    fault: 'hostile records mixed into a batch',
    batch: { seed: 110, day: '2017-03-22', hostile: true },
    notes: 'invalid UTF-8, NUL bytes, 70 KiB line, truncated line, bad level, CRLF, malformed XML, entity bomb',
  });
  assert.ok(result.observation.deadletters > 0, 'the hostile records are dead letters');
  const letters = await es.search<{ error: { code: string; message: string } }>({ index: INDICES.deadletter, size: 100, query: { prefix: { 'log.file.path': `${result.batch.dir}/` } } });
  for (const hit of letters.hits.hits) {
    assert.match(hit._source?.error.code ?? '', /^HW_[A-Z_]+$/, 'each dead letter names its reason');
    assert.ok((hit._source?.error.message ?? '').length > 0);
  }
});

/** How far each service has got: a kill strikes once it has handled some of the batch (mid-stream). */
const PROGRESS: Record<PipelineService, string> = {
  shipper: 'hangwatch_shipper_records_total',
  parser: 'hangwatch_parser_records_received_total',
  correlator: 'hangwatch_correlator_events_received_total',
  indexer: 'hangwatch_indexer_indexed_total',
  alerter: 'hangwatch_alerter_incidents_received_total',
};

const victims: PipelineService[] = ['shipper', 'parser', 'correlator', 'indexer', 'alerter'];
victims.forEach((victim, i) => {
  test(`SIGKILL of the ${victim} mid-stream, then restart`, { timeout: 600_000 * TIME_SCALE }, async () => {
    await runFault(pipeline, es, {
      order: `20-0${i + 1}`,
      fault: `SIGKILL ${victim} mid-stream + restart`,
      batch: { seed: 102 + i, day: days[i + 1] as string, libvirtdLines: SIZES.libvirtdLines },
      notes: volume,
      strike: async ({ pipeline: p, batch }) => {
        const start = await p.metric(victim, PROGRESS[victim]);
        await until(async () => (await p.metric(victim, PROGRESS[victim])) > start, 120_000, `${victim} to make progress`);
        const done = (await p.metric(victim, PROGRESS[victim])) - start;
        await p.kill(victim, 'SIGKILL');
        const records = countRecords(batch.expected);
        // Mid-stream, checked: the victim had handled part of the batch, not all of it. (The alerter's count is
        // of incident versions, which may exceed the incidents: only reported.)
        if (victim !== 'alerter') assert.ok(done < records, `${victim} was killed after it had handled the whole batch (${done} of ${records})`);
        await p.restart(victim);
        return `killed after ${done} ${victim === 'alerter' ? 'incident versions' : 'records'} of ${records} (${PROGRESS[victim]})`;
      },
    });
  });
});

test('secrets (SASL, ES, Kibana, webhook) set on every service, debug logs: no log holds one, the webhook secret is sent', { timeout: 120_000 * TIME_SCALE }, async () => {
  const deadline = Date.now() + 60_000;
  while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  assert.ok(received.length > 0, 'the webhook received alerts');
  assert.ok(received.every((r) => r.secret === FAKE_SECRETS.HANGWATCH_ALERTER_WEBHOOK_SECRET), 'each delivery carries the configured secret');
  // Every log of every pipeline this suite ran so far (this one at debug level, killed and restarted), not only this one.
  const logs = await listFiles(WORK, /\.log$/);
  assert.ok(logs.length >= 5);
  const leaks: string[] = [];
  for (const path of logs) {
    const text = await readFile(path, 'utf8');
    for (const [name, secret] of Object.entries(FAKE_SECRETS)) if (text.includes(secret)) leaks.push(`${name} in ${relative(REPO, path)}`);
    for (const token of [WEBHOOK_PATH_TOKEN, WEBHOOK_QUERY_TOKEN]) if (text.includes(token)) leaks.push(`webhook URL token in ${relative(REPO, path)}`);
  }
  // Every service's /metrics text too: the alerter labels its webhook counters.
  for (const service of ['parser', 'correlator', 'indexer', 'alerter'] as const) {
    const metrics = await fetch(`http://127.0.0.1:${pipeline.port(service)}/metrics`).then((r) => r.text()).catch(() => '');
    for (const [name, secret] of [...Object.entries(FAKE_SECRETS), ['webhook path token', WEBHOOK_PATH_TOKEN], ['webhook query token', WEBHOOK_QUERY_TOKEN]]) {
      if (metrics.includes(secret as string)) leaks.push(`${name} in ${service} /metrics`);
    }
  }
  assert.deepEqual(leaks, []);
  await recordRow('20-09', {
    fault: 'secret strings in service logs (debug level)',
    recordsIn: logs.length,
    indexed: '-',
    deadletters: '-',
    duplicates: '-',
    lost: leaks.length,
    recovery: '-',
    notes: `${logs.length} log files, ${Object.keys(FAKE_SECRETS).length} secrets, 0 found; ${received.length} webhook deliveries, each with the secret header`,
  });
});
