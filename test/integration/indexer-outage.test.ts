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
import { cleanUp, countDocs, createTopic, deadLettersOf, deleteTopic, produceAll, startInProcessIndexer, waitFor } from '../../bench/indexer-harness.js';

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
// Refused as a client: a write block makes Elasticsearch answer every bulk item 403 (cluster_block_exception),
// as an API key without the index privilege does. A cluster without security (this stack's) can give no 401.
const refusedTopic = `hw-it-indexer-refused-${run}`;
const refusedDay = uniqueDay(run, 'refused');
const refusedIndex = eventsIndexFor(`${refusedDay}T00:00:00.000Z`);

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
  await createTopic(kafka, refusedTopic, 1);
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
});

after(async () => {
  // Whatever happened: Elasticsearch runs again for everyone else.
  if (!(await esRunning())) await stackUp(stack);
  await producer?.disconnect();
  await cleanUp(es, [index], topic).catch(() => undefined);
  await deleteTopic(kafka, topic);
  await cleanUp(es, [refusedIndex], refusedTopic).catch(() => undefined);
  await deleteTopic(kafka, refusedTopic);
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

test('Elasticsearch refuses the writes (403) for 15 s: held, not dead-lettered or counted lost, all indexed once it accepts', { timeout: 300_000 }, async () => {
  const total = 2000;
  await es.indices.create({ index: refusedIndex });
  await es.indices.putSettings({ index: refusedIndex, settings: { 'index.blocks.write': true } });
  await produceAll(producer, refusedTopic, Array.from({ length: total }, (_, k) => buildEventMessage({ run, day: refusedDay }, k)));
  const indexer = await startInProcessIndexer({ kafka, es, topic: refusedTopic, kind: 'events', groupId: `hw-it-indexer-refused-${run}` });
  try {
    await waitFor(() => indexer.elasticsearchDown(), 120_000, 'the indexer to report the refusal as an outage');
    assert.equal(indexer.ready(), false, 'not ready while Elasticsearch refuses the writes');
    await new Promise((r) => setTimeout(r, 15_000));
    const during = indexer.totals();
    assert.equal(indexer.elasticsearchDown(), true, 'still held after 15 s');
    assert.equal(during.indexed, 0, 'nothing acknowledged while refused');
    assert.equal(during.deadlettered, 0, 'a refusal is not a bad document');
    assert.equal(during.lost, 0);
    assert.equal((await deadLettersOf(es, refusedTopic)).length, 0, 'no dead letter written for the refused batch');
    await es.indices.putSettings({ index: refusedIndex, settings: { 'index.blocks.write': false } });
    await waitFor(() => indexer.totals().indexed >= total, 120_000, 'every event indexed once writes are accepted again');
    assert.equal(indexer.ready(), true, 'ready again');
  } finally {
    await es.indices.putSettings({ index: refusedIndex, settings: { 'index.blocks.write': false } }).catch(() => undefined);
    await indexer.stop();
  }
  assert.equal(indexer.totals().deadlettered, 0);
  assert.equal(await countDocs(es, refusedIndex), total, 'exactly the produced events');
});
