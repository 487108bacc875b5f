import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLog4jProperties, buildServerProperties, formatClusterId, randomClusterId } from '../../../infra/kafka-properties.js';

function parseProperties(text: string): Map<string, string> {
  const entries = text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as [string, string]);
  return new Map(entries);
}

const input = { port: 19092, controllerPort: 19093, dataDir: '/tmp/hw stack/data', messageMaxBytes: 1048588, partitions: 3 };

test('server.properties: KRaft combined mode on loopback with the configured ports', () => {
  const props = parseProperties(buildServerProperties(input));
  assert.equal(props.get('process.roles'), 'broker,controller');
  assert.equal(props.get('controller.quorum.voters'), '1@127.0.0.1:19093');
  assert.equal(props.get('listeners'), 'PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
  assert.equal(props.get('advertised.listeners'), 'PLAINTEXT://127.0.0.1:19092');
  assert.equal(props.get('log.dirs'), '/tmp/hw stack/data');
});

test('server.properties: no auto-created topics, replication 1 for internal topics, the message limit', () => {
  const props = parseProperties(buildServerProperties({ ...input, messageMaxBytes: 4_000_000 }));
  assert.equal(props.get('auto.create.topics.enable'), 'false');
  assert.equal(props.get('offsets.topic.replication.factor'), '1');
  assert.equal(props.get('transaction.state.log.replication.factor'), '1');
  assert.equal(props.get('message.max.bytes'), '4000000');
  assert.equal(props.get('replica.fetch.max.bytes'), '4000000');
  assert.equal(props.get('num.partitions'), '3');
});

test('server.properties escapes backslashes in paths', () => {
  const props = parseProperties(buildServerProperties({ ...input, dataDir: 'C:\\kafka' }));
  assert.equal(props.get('log.dirs'), 'C:\\\\kafka');
});

test('log4j.properties writes a rolling server.log into the logs folder', () => {
  const props = parseProperties(buildLog4jProperties('/var/log/hw'));
  assert.equal(props.get('log4j.appender.file.File'), '/var/log/hw/server.log');
  assert.equal(props.get('log4j.appender.file'), 'org.apache.log4j.RollingFileAppender');
});

test('cluster ids are 22 base64url characters from 16 bytes', () => {
  const id = formatClusterId(new Uint8Array(16).fill(0xfb));
  assert.equal(id.length, 22);
  assert.match(id, /^[A-Za-z0-9_-]{22}$/);
  assert.throws(() => formatClusterId(new Uint8Array(8)), RangeError);
});

test('a random cluster id never starts with "-" (kafka-storage would read it as an option)', () => {
  // 0xf8 encodes as '-' in base64url's first place: the first draw is refused, the second kept.
  const draws = [new Uint8Array(16).fill(0xf8), new Uint8Array(16).fill(0x11)];
  const id = randomClusterId(() => draws.shift()!);
  assert.equal(formatClusterId(new Uint8Array(16).fill(0xf8)).startsWith('-'), true);
  assert.equal(id, formatClusterId(new Uint8Array(16).fill(0x11)));
  assert.equal(draws.length, 0);
});
