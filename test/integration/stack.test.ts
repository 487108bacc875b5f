// The local stack really works with the clients the services use: kafkajs 2.2.4 against Kafka 3.9 (KRaft) and
// @elastic/elasticsearch 8.19 against Elasticsearch 8.19. Run through scripts/with-stack.ts, which sets
// HANGWATCH_KAFKA_BROKERS and HANGWATCH_ES_URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kafka, Admin, KafkaJSProtocolError } from 'kafkajs';
import type { Client } from '@elastic/elasticsearch';
import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { createKafka } from '../../shared/clients/kafka.js';
import { createElasticsearch } from '../../shared/clients/elasticsearch.js';
import { TOPICS } from '../../shared/topics.js';

const config = loadConfig('', COMMON_SCHEMA, process.env);
const suffix = randomUUID().slice(0, 8);
const topic = `hw-it-stack-${suffix}`;
const index = `hw-it-stack-${suffix}`;

let kafka: Kafka;
let admin: Admin;
let es: Client;

before(async () => {
  kafka = createKafka(config, 'it-stack');
  admin = kafka.admin();
  await admin.connect();
  es = createElasticsearch(config);
});

after(async () => {
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  await es.indices.delete({ index, ignore_unavailable: true });
  await es.close();
});

test('stack up created every hangwatch topic; identity and silences are compacted', async () => {
  const topics = await admin.listTopics();
  for (const name of Object.values(TOPICS)) assert.ok(topics.includes(name), `${name} exists`);
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [TOPICS.identity, TOPICS.silences, TOPICS.raw].map((name) => ({ type: 2, name, configNames: ['cleanup.policy'] })),
  });
  const policy = new Map(configs.resources.map((r) => [r.resourceName, r.configEntries[0]?.configValue]));
  assert.equal(policy.get(TOPICS.identity), 'compact');
  assert.equal(policy.get(TOPICS.silences), 'compact');
  assert.equal(policy.get(TOPICS.raw), 'delete');
});

test('kafkajs admin creates, lists and describes a topic', async () => {
  assert.equal(await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 2, replicationFactor: 1 }] }), true);
  assert.ok((await admin.listTopics()).includes(topic));
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  assert.equal(metadata.topics[0]?.name, topic);
  assert.deepEqual(metadata.topics[0]?.partitions.map((p) => p.partitionId).sort(), [0, 1]);
  const cluster = await admin.describeCluster();
  assert.equal(cluster.brokers.length, 1);
});

test('kafkajs produces and a consumer group consumes every record, then commits', async () => {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const sent = Array.from({ length: 20 }, (_, i) => ({ key: `host-${i % 4}`, value: `record-${i}` }));
  await producer.send({ topic, acks: -1, messages: sent });
  await producer.disconnect();

  const groupId = `hw-it-stack-group-${suffix}`;
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: { key: string; value: string }[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          received.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
          if (received.length === sent.length) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.stop();
  await consumer.disconnect();

  assert.deepEqual(received.map((r) => r.value).sort(), sent.map((s) => s.value).sort());
  // Same key, same partition: the order per key is kept.
  for (const key of ['host-0', 'host-1']) {
    const values = received.filter((r) => r.key === key).map((r) => Number(r.value.slice('record-'.length)));
    assert.deepEqual(values, [...values].sort((a, b) => a - b));
  }
  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  const committed = offsets[0]?.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
  assert.equal(committed, sent.length);
});

test('the broker rejects a record over message.max.bytes', async () => {
  const producer = kafka.producer();
  await producer.connect();
  try {
    await assert.rejects(
      producer.send({ topic, acks: -1, messages: [{ value: Buffer.alloc(2 * 1024 * 1024, 0x61) }] }),
      (error: KafkaJSProtocolError) => error.type === 'MESSAGE_TOO_LARGE' || /too large/i.test(error.message),
    );
  } finally {
    await producer.disconnect();
  }
});

test('Elasticsearch indexes and finds a document; server and client share their major version', async () => {
  const info = await es.nodes.info({ node_id: '_local', metric: '_none' });
  const serverVersion = Object.values(info.nodes)[0]?.version ?? '';
  const clientPackage = join(import.meta.dirname, '..', '..', 'node_modules', '@elastic', 'elasticsearch', 'package.json');
  const clientVersion = (JSON.parse(readFileSync(clientPackage, 'utf8')) as { version: string }).version;
  assert.equal(serverVersion.split('.')[0], '8');
  assert.equal(serverVersion.split('.')[0], clientVersion.split('.')[0]);

  await es.index({ index, id: 'doc-1', document: { message: 'CLOCK_WATCHDOG_TIMEOUT on guest win-01', host: { name: 'kvm-07' } }, refresh: 'wait_for' });
  const result = await es.search<{ host: { name: string } }>({ index, query: { match: { message: 'CLOCK_WATCHDOG_TIMEOUT' } } });
  assert.equal(result.hits.hits.length, 1);
  assert.equal(result.hits.hits[0]?._id, 'doc-1');
  assert.equal(result.hits.hits[0]?._source?.host.name, 'kvm-07');
});
