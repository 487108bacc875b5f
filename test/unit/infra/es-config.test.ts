import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { buildElasticsearchYml, buildEsJavaOpts } from '../../../infra/es-config.js';

const input = { httpPort: 19200, transportPort: 19300, dataDir: '/data/es: "x"', logsDir: '/logs/es', writeQueueSize: 5 };

test('elasticsearch.yml: single node on loopback, no security, the configured ports and folders', () => {
  const yml = parse(buildElasticsearchYml(input)) as Record<string, unknown>;
  assert.equal(yml['discovery.type'], 'single-node');
  assert.equal(yml['network.host'], '127.0.0.1');
  assert.equal(yml['http.port'], 19200);
  assert.equal(yml['transport.port'], 19300);
  assert.equal(yml['xpack.security.enabled'], false);
  assert.equal(yml['xpack.ml.enabled'], false);
  assert.equal(yml['cluster.routing.allocation.disk.threshold_enabled'], false);
  assert.equal(yml['path.data'], '/data/es: "x"');
  assert.equal(yml['path.logs'], '/logs/es');
});

test('elasticsearch.yml carries the write queue size for 429 fault tests', () => {
  const yml = parse(buildElasticsearchYml(input)) as Record<string, unknown>;
  assert.equal(yml['thread_pool.write.queue_size'], 5);
});

test('ES_JAVA_OPTS sets the heap and never a maximum below the minimum', () => {
  assert.equal(buildEsJavaOpts(512, 1024), '-Xms512m -Xmx1024m');
  assert.equal(buildEsJavaOpts(768, 512), '-Xms768m -Xmx768m');
});
