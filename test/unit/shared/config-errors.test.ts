import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { COMMON_SCHEMA, loadConfig, type ConfigSchema } from '../../../shared/config.js';
import { ERROR_CATALOGUE, HangwatchError, codeOf, isRetriable } from '../../../shared/errors.js';

const SCHEMA = {
  PORT: { kind: 'int', default: '8080', min: 1, max: 65535, description: 'port' },
  ENABLED: { kind: 'bool', default: 'true', description: 'switch' },
  TOPICS: { kind: 'list', default: 'a,b', description: 'topics' },
  MODE: { kind: 'string', default: 'fast', choices: ['fast', 'slow'], description: 'mode' },
  TOKEN: { kind: 'secret', description: 'token' },
  NEEDED: { kind: 'string', required: true, description: 'needed' },
} as const satisfies ConfigSchema;

test('config: defaults, conversions, prefix, frozen result', () => {
  const config = loadConfig('SVC', SCHEMA, { HANGWATCH_SVC_NEEDED: 'x', HANGWATCH_SVC_TOPICS: ' t1 , t2 ,' });
  assert.equal(config.PORT, 8080);
  assert.equal(config.ENABLED, true);
  assert.deepEqual(config.TOPICS, ['t1', 't2']);
  assert.equal(config.MODE, 'fast');
  assert.equal(config.TOKEN, undefined);
  assert.ok(Object.isFrozen(config));
});

test('config: every problem is reported at once, naming each variable', () => {
  try {
    loadConfig('SVC', SCHEMA, { HANGWATCH_SVC_PORT: '99999', HANGWATCH_SVC_ENABLED: 'maybe', HANGWATCH_SVC_MODE: 'medium' });
    assert.fail('expected a config error');
  } catch (error) {
    assert.ok(error instanceof HangwatchError);
    assert.equal(error.code, 'HW_CONFIG_INVALID');
    for (const name of ['HANGWATCH_SVC_PORT', 'HANGWATCH_SVC_ENABLED', 'HANGWATCH_SVC_MODE', 'HANGWATCH_SVC_NEEDED']) assert.match(error.message, new RegExp(name));
  }
});

test('config: secrets come from the variable or from a _FILE, and their values never appear in errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-secret-'));
  const file = join(dir, 'token');
  writeFileSync(file, 's3cr3t-value\n');
  const config = loadConfig('SVC', SCHEMA, { HANGWATCH_SVC_NEEDED: 'x', HANGWATCH_SVC_TOKEN_FILE: file });
  assert.equal(config.TOKEN, 's3cr3t-value');
  try {
    loadConfig('SVC', SCHEMA, { HANGWATCH_SVC_TOKEN_FILE: join(dir, 'missing') });
    assert.fail('expected an error');
  } catch (error) {
    assert.match((error as Error).message, /HANGWATCH_SVC_TOKEN_FILE: cannot read secret file \(ENOENT\)/);
  }
});

test('common config has the Kafka and Elasticsearch settings every service shares', () => {
  const config = loadConfig('', COMMON_SCHEMA, {});
  assert.deepEqual(config.KAFKA_BROKERS, ['127.0.0.1:9092']);
  assert.equal(config.ES_URL, 'http://127.0.0.1:9200');
  assert.equal(config.KAFKA_SASL_MECHANISM, 'none');
});

test('errors: catalogue codes, retriable flags, templates and causes', () => {
  const cause = new Error('ECONNREFUSED');
  const error = new HangwatchError('HW_KAFKA_UNAVAILABLE', ['127.0.0.1:9092', 'connection refused'], { cause });
  assert.equal(error.message, 'Kafka unreachable at 127.0.0.1:9092: connection refused');
  assert.equal(error.retriable, true);
  assert.equal(error.cause, cause);
  assert.equal(isRetriable(error), true);
  assert.equal(isRetriable(new Error('x')), false);
  assert.equal(codeOf(new Error('x')), 'HW_INTERNAL');
  assert.equal(new HangwatchError('HW_ES_REJECTED', ['mapper_parsing_exception']).retriable, false);
  for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
    assert.match(code, /^HW_[A-Z_]+$/);
    assert.equal(typeof entry.retriable, 'boolean');
  }
});
