// The indexer against the real Kafka and Elasticsearch (run through scripts/with-stack.ts): 100k events give
// exactly 100k documents, a replay from offset 0 (new group) still 100k, a conflicting document lands in the
// dead-letter index with the reason and the original while the rest go on; re-timed events leave no copy in
// their old day's index; incident updates replace and tombstones delete. Each run has its own topic, its own
// daily indices (a day nobody else writes) and ids, and removes them afterwards.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import type { Kafka, Message, Producer } from 'kafkajs';
import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { createElasticsearch } from '../../shared/clients/elasticsearch.js';
import { createKafka } from '../../shared/clients/kafka.js';
import { eventsIndexFor, INDICES } from '../../shared/topics.js';
import { installTemplates } from '../../services/indexer/adapters/install-templates.js';
import { ENRICHED_HEADER } from '../../services/indexer/core/bulk-plan.js';
import { buildEvent, buildEventMessage, uniqueDay } from '../../bench/indexer-events.js';
import { cleanUp, countDocs, createTopic, deadLettersOf, deleteTopic, produceAll, startInProcessIndexer, waitFor } from '../../bench/indexer-harness.js';

const config = loadConfig('', COMMON_SCHEMA, process.env);
const run = randomUUID().slice(0, 8);
const N = 100_000;

let kafka: Kafka;
let es: Client;
let producer: Producer;
const topics: string[] = [];
const indices: string[] = [];

before(async () => {
  kafka = createKafka(config, `it-indexer-${run}`);
  es = createElasticsearch(config);
  await installTemplates(es);
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
});

after(async () => {
  await producer?.disconnect();
  for (const topic of topics) {
    await cleanUp(es, indices, topic);
    await deleteTopic(kafka, topic);
  }
  await es?.close();
});

async function ownTopic(name: string, partitions: number): Promise<string> {
  const topic = `hw-it-indexer-${name}-${run}`;
  await createTopic(kafka, topic, partitions);
  topics.push(topic);
  return topic;
}

test('100k events give exactly 100k documents, a replay from offset 0 still 100k, a conflicting document is dead-lettered', { timeout: 600_000 }, async () => {
  const day = uniqueDay(run, 'volume');
  const index = eventsIndexFor(`${day}T00:00:00.000Z`);
  indices.push(index);
  const topic = await ownTopic('volume', 3);
  const messages: Message[] = [];
  for (let i = 0; i < N; i++) {
    messages.push(buildEventMessage({ run, day }, i));
    if (i === N / 2) {
      // log.offset is a long in the template: this document is rejected by Elasticsearch (400).
      const bad = buildEvent({ run: `${run}-bad`, day }, 0);
      messages.push({ key: bad.libvirt?.hypervisor ?? '', value: JSON.stringify({ ...bad, log: { ...bad.log, offset: 'abc' } }) });
    }
  }
  await produceAll(producer, topic, messages);

  const first = await startInProcessIndexer({ kafka, es, topic, kind: 'events', groupId: `hw-it-indexer-a-${run}` });
  try {
    await waitFor(() => first.totals().received >= N + 1, 300_000, 'the first group to consume every message');
  } finally {
    await first.stop();
  }
  assert.equal(first.totals().indexed, N);
  assert.equal(first.totals().deadlettered, 1);
  assert.equal(await countDocs(es, index), N);

  const letters = await deadLettersOf(es, topic);
  assert.equal(letters.length, 1);
  const letter = letters[0]!._source as { error: { code: string; message: string }; event: { original: string; id: string }; hangwatch: { stage: string } };
  assert.equal(letter.error.code, 'HW_ES_REJECTED');
  assert.match(letter.error.message, /log\.offset/);
  assert.equal(letter.hangwatch.stage, 'index');
  assert.equal(JSON.parse(letter.event.original).log.offset, 'abc', 'the original document is kept');

  const replay = await startInProcessIndexer({ kafka, es, topic, kind: 'events', groupId: `hw-it-indexer-b-${run}` });
  try {
    await waitFor(() => replay.totals().received >= N + 1, 300_000, 'the replaying group to consume every message');
  } finally {
    await replay.stop();
  }
  assert.equal(await countDocs(es, index), N, 'a replay overwrites, never adds');
  assert.equal(await countDocs(es, INDICES.eventsAlias, { ids: { values: [buildEvent({ run, day }, 7).event.id] } }), 1, 'the alias finds the event');
  assert.equal((await deadLettersOf(es, topic)).length, 1, 'the replayed rejection lands on the same dead letter');
});

test('a re-timed (enriched) event replaces its copy in another day\'s index, in later batches and in the same batch', { timeout: 300_000 }, async () => {
  const day = uniqueDay(run, 'retime');
  const earlier = new Date(Date.parse(`${day}T00:00:00.000Z`) - 86_400_000).toISOString().slice(0, 10);
  const [oldIndex, newIndex] = [eventsIndexFor(`${day}T00:00:00.000Z`), eventsIndexFor(`${earlier}T00:00:00.000Z`)];
  indices.push(oldIndex, newIndex);
  const topic = await ownTopic('retime', 2);
  const n = 2000;
  const originals = Array.from({ length: n }, (_, i) => buildEvent({ run, day }, i));
  // The guest's zone learned later: 10 hours earlier, which for most events is the previous UTC day.
  const retimed = originals.map((e) => ({ ...e, '@timestamp': new Date(Date.parse(e['@timestamp']) - 10 * 3_600_000).toISOString(), hangwatch: { ...e.hangwatch, time: { basis: 'zone' as const, zone: '+08:00' } } }));
  const toMessage = (e: (typeof originals)[number], enriched: boolean): Message => ({ key: e.libvirt?.hypervisor ?? '', value: JSON.stringify(e), ...(enriched ? { headers: { [ENRICHED_HEADER]: '1' } } : {}) });

  const indexer = await startInProcessIndexer({ kafka, es, topic, kind: 'events', groupId: `hw-it-indexer-retime-${run}` });
  try {
    // First half: originals indexed in earlier batches, then their enriched copies.
    await produceAll(producer, topic, originals.slice(0, n / 2).map((e) => toMessage(e, false)));
    await waitFor(() => indexer.totals().received >= n / 2, 120_000, 'the originals to be indexed');
    await produceAll(producer, topic, retimed.slice(0, n / 2).map((e) => toMessage(e, true)));
    // Second half: original and enriched copy sent together (usually the same batch).
    await produceAll(producer, topic, originals.slice(n / 2).flatMap((e, i) => [toMessage(e, false), toMessage(retimed[n / 2 + i]!, true)]));
    await waitFor(() => indexer.totals().received >= 2 * n, 120_000, 'every record to be indexed');
  } finally {
    await indexer.stop();
  }
  const ids = originals.map((e) => e.event.id);
  assert.equal(await countDocs(es, INDICES.eventsPattern, { ids: { values: ids } }), n, 'one copy per event.id across hangwatch-events-*');
  const expectOld = retimed.filter((e) => e['@timestamp'].startsWith(day)).length;
  assert.ok(n - expectOld > n / 2, 'most events moved to the previous day');
  assert.equal(await countDocs(es, newIndex, { ids: { values: ids } }), n - expectOld);
  assert.equal(await countDocs(es, oldIndex, { ids: { values: ids } }), expectOld);
  const moved = retimed.find((e) => e['@timestamp'].startsWith(earlier))!;
  const hit = await es.search({ index: INDICES.eventsAlias, query: { ids: { values: [moved.event.id] } } });
  assert.deepEqual(hit.hits.hits.map((h) => [h._index, (h._source as { '@timestamp': string })['@timestamp']]), [[newIndex, moved['@timestamp']]]);
});

test('incident updates replace the document and a tombstone deletes the merged incident', { timeout: 120_000 }, async () => {
  const topic = await ownTopic('incidents', 1);
  const incident = (id: string, kind: string) => ({ '@timestamp': '2017-03-15T05:11:54.777Z', incident: { id, kind, diagnosis: [], evidence: [], window: { gte: '2017-03-15T05:00:00.000Z', lte: '2017-03-15T06:00:00.000Z' }, clock: {} }, libvirt: { domain: { name: 'win7-1' } } });
  const [keep, merged] = [`inc-keep-${run}`, `inc-merged-${run}`];
  await produceAll(producer, topic, [
    { key: keep, value: JSON.stringify(incident(keep, 'hard-hang')) },
    { key: merged, value: JSON.stringify(incident(merged, 'hard-hang')) },
    { key: keep, value: JSON.stringify(incident(keep, 'bugcheck')) },
    { key: merged, value: null },
  ]);
  const indexer = await startInProcessIndexer({ kafka, es, topic, kind: 'incidents', groupId: `hw-it-indexer-inc-${run}` });
  try {
    await waitFor(() => indexer.totals().received >= 4, 60_000, 'the incidents to be indexed');
  } finally {
    await indexer.stop();
  }
  try {
    await es.indices.refresh({ index: INDICES.incidents });
    const found = await es.search({ index: INDICES.incidents, query: { ids: { values: [keep, merged] } } });
    assert.deepEqual(found.hits.hits.map((h) => [h._id, (h._source as { incident: { kind: string } }).incident.kind]), [[keep, 'bugcheck']]);
  } finally {
    await es.bulk({ operations: [{ delete: { _index: INDICES.incidents, _id: keep } }], refresh: true });
  }
});
