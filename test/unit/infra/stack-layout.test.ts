import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLayout, ROOT_ES_BASE } from '../../../infra/layout.js';
import { parseStackFile } from '../../../infra/stack-file.js';
import { buildTopicSpecs, selectMissingTopics } from '../../../infra/topic-specs.js';
import { parseJavaMajor } from '../../../infra/java.js';
import { loadStackSettings } from '../../../infra/settings.js';
import { wrapAsEsUser } from '../../../infra/es-user.js';
import { TOPICS } from '../../../shared/topics.js';

test('layout: a normal user keeps everything under the stack home and the cache', () => {
  const layout = buildLayout('/repo/.hangwatch/stack', '/home/u/.cache/hangwatch', false);
  assert.equal(layout.kafka.libs, '/home/u/.cache/hangwatch/kafka-3.9.2/libs');
  assert.equal(layout.kafka.pidFile, '/repo/.hangwatch/stack/kafka/kafka.pid');
  assert.equal(layout.es.dist, '/home/u/.cache/hangwatch/elasticsearch-8.19.21');
  assert.equal(layout.es.data, '/repo/.hangwatch/stack/elasticsearch/data');
});

test('layout: as root, Elasticsearch folders move where the hangwatch user can reach them, one per stack home', () => {
  const a = buildLayout('/root/a/.hangwatch/stack', '/var/cache/hangwatch', true);
  const b = buildLayout('/root/b/.hangwatch/stack', '/var/cache/hangwatch', true);
  assert.ok(a.es.dir.startsWith(`${ROOT_ES_BASE}/es-`));
  assert.notEqual(a.es.dir, b.es.dir);
  assert.equal(a.kafka.dir, '/root/a/.hangwatch/stack/kafka');
  assert.equal(buildLayout('/root/a/.hangwatch/stack', '/x', true).es.dir, a.es.dir, 'stable across calls');
});

test('topic specs: every hangwatch topic, identity and silences compacted, missing ones selected', () => {
  const specs = buildTopicSpecs(5);
  assert.deepEqual(specs.map((s) => s.topic).sort(), Object.values(TOPICS).sort());
  assert.ok(specs.every((s) => s.numPartitions === 5 && s.replicationFactor === 1));
  const policy = (topic: string): string | undefined => specs.find((s) => s.topic === topic)?.configEntries[0]?.value;
  assert.equal(policy(TOPICS.identity), 'compact');
  assert.equal(policy(TOPICS.silences), 'compact');
  assert.equal(policy(TOPICS.raw), 'delete');
  const missing = selectMissingTopics(specs, [TOPICS.raw, TOPICS.events, 'other']);
  assert.equal(missing.length, specs.length - 2);
  assert.ok(!missing.some((s) => s.topic === TOPICS.raw));
});

test('stack.json parsing refuses partial or malformed files', () => {
  assert.deepEqual(parseStackFile('{"kafkaPort":1,"kafkaControllerPort":2,"esPort":3,"esTransportPort":4}'), {
    kafkaPort: 1,
    kafkaControllerPort: 2,
    esPort: 3,
    esTransportPort: 4,
  });
  assert.equal(parseStackFile('{"kafkaPort":1}'), undefined);
  assert.equal(parseStackFile('{not json'), undefined);
  assert.equal(parseStackFile(undefined), undefined);
});

test('settings: defaults and HANGWATCH_STACK_* overrides, bad values reported', () => {
  const defaults = loadStackSettings({});
  assert.equal(defaults.KAFKA_PORT, 9092);
  assert.equal(defaults.ES_PORT, 9200);
  assert.equal(defaults.TOPIC_PARTITIONS, 3);
  const custom = loadStackSettings({ HANGWATCH_STACK_KAFKA_PORT: '19092', HANGWATCH_STACK_ES_WRITE_QUEUE_SIZE: '2' });
  assert.equal(custom.KAFKA_PORT, 19092);
  assert.equal(custom.ES_WRITE_QUEUE_SIZE, 2);
  assert.throws(() => loadStackSettings({ HANGWATCH_STACK_ES_PORT: 'ninety' }), /HANGWATCH_STACK_ES_PORT/);
});

test('java release files give their major version', () => {
  assert.equal(parseJavaMajor('IMPLEMENTOR="Debian"\nJAVA_VERSION="17.0.15"\n'), 17);
  assert.equal(parseJavaMajor('JAVA_VERSION="1.8.0_402"\n'), 8);
  assert.equal(parseJavaMajor('nothing'), undefined);
});

test('the ES user wrapper passes only the given environment', () => {
  const wrapped = wrapAsEsUser('/es/bin/elasticsearch', ['-d'], { ES_JAVA_OPTS: '-Xms1m -Xmx2m' });
  assert.equal(wrapped.command, 'runuser');
  assert.deepEqual(wrapped.args, ['-u', 'hangwatch', '--', 'env', '-i', 'ES_JAVA_OPTS=-Xms1m -Xmx2m', '/es/bin/elasticsearch', '-d']);
});

test('the status summary names each service, its state, address, pid and logs', async () => {
  const { formatStatus } = await import('../../../infra/status-format.js');
  const text = formatStatus({
    home: '/h',
    kafkaBrokers: '127.0.0.1:9092',
    esUrl: 'http://127.0.0.1:9200',
    services: [
      { name: 'kafka', version: '3.9.2', state: 'running', pid: 10, address: '127.0.0.1:9092', port: 9092, logs: '/h/kafka/logs', data: '/h/kafka/data', detail: undefined },
      { name: 'elasticsearch', version: '8.19.21', state: 'stale', pid: undefined, address: 'http://127.0.0.1:9200', port: 9200, logs: '/l', data: '/d', detail: 'process 7 is gone' },
    ],
  });
  assert.match(text, /kafka +3\.9\.2 +running +127\.0\.0\.1:9092 pid 10/);
  assert.match(text, /elasticsearch +8\.19\.21 +stale +http:\/\/127\.0\.0\.1:9200 \(process 7 is gone\)/);
  assert.match(text, /logs: \/h\/kafka\/logs/);
  assert.match(text, /HANGWATCH_KAFKA_BROKERS=127\.0\.0\.1:9092 HANGWATCH_ES_URL=http:\/\/127\.0\.0\.1:9200/);
});
