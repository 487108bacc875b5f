// The indexer while Elasticsearch is stopped for 30 s mid-stream and started again (infra/stack.ts, only
// Elasticsearch; Kafka and the other services stay up): consumption pauses, bulk requests are retried with
// backoff, and at the end every event is indexed exactly once. Elasticsearch is started again in `after` even
// when the test fails (the stack is shared). Run through scripts/with-stack.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import type { Kafka, Producer } from 'kafkajs';
import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { createElasticsearch } from '../../shared/clients/elasticsearch.js';
import { createKafka } from '../../shared/clients/kafka.js';
import { eventsIndexFor } from '../../shared/topics.js';
import { createStackContext, stackDown, stackStatus, stackUp, type StackContext } from '../../infra/stack.js';
import { installTemplates } from '../../services/indexer/adapters/install-templates.js';
import { buildEventMessage, uniqueDay } from '../../bench/indexer-events.js';
import { cleanUp, countDocs, createTopic, deleteTopic, produceAll, startInProcessIndexer, waitFor } from '../../bench/indexer-harness.js';

const config = loadConfig('', COMMON_SCHEMA, process.env);
const run = randomUUID().slice(0, 8);
const OUTAGE_MS = 30_000;
const progress = (m: string): void => {
  process.stderr.write(`indexer-outage: ${m}\n`);
};

let kafka: Kafka;
let es: Client;
let producer: Producer;
let stack: StackContext;
const topic = `hw-it-indexer-outage-${run}`;
const day = uniqueDay(run, 'outage');
const index = eventsIndexFor(`${day}T00:00:00.000Z`);

async function esRunning(): Promise<boolean> {
  const status = await stackStatus(stack);
  return status.services.find((s) => s.name === 'elasticsearch')?.state === 'running';
}

before(async () => {
  stack = createStackContext(progress);
  kafka = createKafka(config, `it-indexer-outage-${run}`);
  es = createElasticsearch(config);
  await installTemplates(es);
  await createTopic(kafka, topic, 2);
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
});

after(async () => {
  // Whatever happened: Elasticsearch runs again for everyone else.
  if (!(await esRunning())) await stackUp(stack);
  await producer?.disconnect();
  await cleanUp(es, [index], topic).catch(() => undefined);
  await deleteTopic(kafka, topic);
  await es?.close();
});

test('Elasticsearch stopped for 30 s mid-stream: the full count, no duplicates, nothing dead-lettered', { timeout: 900_000 }, async () => {
  const total = 60_000;
  const perSecond = 1500;
  const indexer = await startInProcessIndexer({ kafka, es, topic, kind: 'events', groupId: `hw-it-indexer-outage-${run}` });
  // Produce steadily for ~40 s in the background, so records keep arriving before, during and after the outage.
  let produced = 0;
  const producing = (async () => {
    while (produced < total) {
      const start = Date.now();
      const batch = Array.from({ length: Math.min(perSecond, total - produced) }, (_, k) => buildEventMessage({ run, day }, produced + k));
      await produceAll(producer, topic, batch);
      produced += batch.length;
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - start))));
    }
  })();
  let outageEnded = false;
  try {
    await waitFor(() => indexer.totals().indexed >= 5000, 120_000, 'the indexer to index a first part');
    progress(`stopping Elasticsearch after ${indexer.totals().indexed} documents`);
    await stackDown(stack, { purge: false, only: ['elasticsearch'] });
    const indexedWhenStopped = indexer.totals().indexed;
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    assert.ok(indexer.totals().indexed <= indexedWhenStopped + 5000, 'nothing (beyond requests in flight) was acknowledged while it was down');
    progress('starting Elasticsearch again');
    await stackUp(stack);
    outageEnded = true;
    await producing;
    await waitFor(() => indexer.totals().received >= total, 600_000, 'every produced event to be consumed after the restart');
  } finally {
    if (!outageEnded && !(await esRunning())) await stackUp(stack);
    await producing.catch(() => undefined);
    await indexer.stop();
  }
  const totals = indexer.totals();
  assert.equal(totals.indexed, total);
  assert.equal(totals.deadlettered, 0);
  assert.equal(await countDocs(es, index), total, 'exactly the produced events: none lost, none twice');
});
