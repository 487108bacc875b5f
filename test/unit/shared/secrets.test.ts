import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMMON_SCHEMA, loadConfig } from '../../../shared/config.js';
import { HangwatchError } from '../../../shared/errors.js';
import { webhookLabel } from '../../../shared/logger.js';
import { listTransportWarnings } from '../../../shared/clients/transport-warnings.js';
import { buildChildEnv } from '../../../services/shipper/core/child-env.js';

const configOf = (env: Record<string, string>) => loadConfig('', COMMON_SCHEMA, env);

test('an Elasticsearch URL with credentials never reaches an error message', () => {
  const error = new HangwatchError('HW_ES_UNAVAILABLE', ['https://elastic:s3cret-pw@es.example:9200', 'connect ECONNREFUSED']);
  assert.doesNotMatch(error.message, /s3cret-pw/);
  assert.match(error.message, /https:\/\/\[redacted\]@es\.example:9200/);
});

test('a webhook label keeps scheme and host only: tokens in path, query or user info are not logged or labelled', () => {
  const slack = webhookLabel('https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX');
  assert.match(slack, /^https:\/\/hooks\.slack\.com\/…#[0-9a-f]{8}$/);
  assert.doesNotMatch(webhookLabel('https://x.webhook.office.com/webhookb2/abc?sig=TOKEN123'), /TOKEN123|abc/);
  assert.doesNotMatch(webhookLabel('https://user:pw@h.example/hook'), /pw/);
  assert.notEqual(webhookLabel('https://h.example/a'), webhookLabel('https://h.example/b'), 'two webhooks of one host stay apart');
  assert.match(webhookLabel('not a url ?token=1'), /^invalid-url#/);
});

test('programs the shipper runs inherit no secret of its environment', () => {
  const env = buildChildEnv(
    { PATH: '/usr/bin', LANG: 'de_DE.UTF-8', LC_TIME: 'C', TZ: 'UTC', HANGWATCH_KAFKA_SASL_PASSWORD: 'pw', HANGWATCH_ES_API_KEY: 'key', AWS_SECRET_ACCESS_KEY: 'x' },
    { SYSTEMD_COLORS: '0' },
  );
  assert.deepEqual(env, { PATH: '/usr/bin', LANG: 'de_DE.UTF-8', LC_TIME: 'C', TZ: 'UTC', SYSTEMD_COLORS: '0' });
});

test('credentials in clear text are warned about: SASL PLAIN without TLS, an API key over http://, a password in the URL', () => {
  assert.deepEqual(listTransportWarnings(configOf({})), [], 'the defaults (no credentials) say nothing');
  const plain = listTransportWarnings(configOf({ HANGWATCH_KAFKA_SASL_MECHANISM: 'plain', HANGWATCH_KAFKA_SASL_USERNAME: 'u', HANGWATCH_KAFKA_SASL_PASSWORD: 'p' }));
  assert.equal(plain.length, 1);
  assert.match(plain[0] as string, /PLAIN without TLS/);
  assert.deepEqual(listTransportWarnings(configOf({ HANGWATCH_KAFKA_SASL_MECHANISM: 'plain', HANGWATCH_KAFKA_SASL_USERNAME: 'u', HANGWATCH_KAFKA_SASL_PASSWORD: 'p', HANGWATCH_KAFKA_SSL: 'true' })), []);
  assert.match(listTransportWarnings(configOf({ HANGWATCH_ES_URL: 'http://es:9200', HANGWATCH_ES_API_KEY: 'k' })).join('\n'), /plain http/);
  assert.deepEqual(listTransportWarnings(configOf({ HANGWATCH_ES_URL: 'https://es:9200', HANGWATCH_ES_API_KEY: 'k' })), []);
  const inUrl = listTransportWarnings(configOf({ HANGWATCH_ES_URL: 'https://elastic:pw@es:9200' })).join('\n');
  assert.match(inUrl, /inside HANGWATCH_ES_URL/);
  assert.doesNotMatch(inUrl, /pw@/);
});
