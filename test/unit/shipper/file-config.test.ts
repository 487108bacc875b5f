import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { buildShipperConfig, envNameOf } from '../../../services/shipper/core/file-config.js';
import { compileNamePatterns } from '../../../services/shipper/core/name-pattern.js';
import { HangwatchError } from '../../../shared/errors.js';

const root = join(import.meta.dirname, '..', '..', '..');

test('the documented example configuration is valid', () => {
  const doc = parse(readFileSync(join(root, 'docs', 'shipper.example.yml'), 'utf8'));
  const config = buildShipperConfig(doc, {}, { hostname: 'hv-test' });
  assert.ok(config.inputs.length >= 5);
  assert.ok(config.inputs.some((i) => i.type === 'command' && i.format === 'iostat'));
});

test('defaults: host is the hostname, topic hangwatch.raw.v1, inputs inherit the host', () => {
  const config = buildShipperConfig({ inputs: [{ type: 'file', path: '/var/log/kern.log', format: 'kernel' }] }, {}, { hostname: 'hv-test' });
  assert.equal(config.host, 'hv-test');
  assert.equal(config.kafka.topic, 'hangwatch.raw.v1');
  assert.equal(config.inputs[0]?.host, 'hv-test');
  assert.equal(config.inputs[0]?.name, '/var/log/kern.log');
});

test('every problem is reported at once, each naming its field', () => {
  let error: unknown;
  try {
    buildShipperConfig(
      { kafka: { linger_ms: 'soon', compresion: 'gzip' }, inputs: [{ type: 'file', format: 'syslog' }, { type: 'command' }, { type: 'folder', path: 'relative' }] },
      { HANGWATCH_SHIPPER_READ_CHUNK_BYTES: 'lots' },
      { hostname: 'h' },
    );
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof HangwatchError && error.code === 'HW_CONFIG_INVALID');
  const message = (error as Error).message;
  for (const expected of ['kafka.linger_ms', 'kafka.compresion is not a known setting', 'inputs[0].path is required', 'inputs[0].format must be one of', 'inputs[1].command is required', 'inputs[2].path must be absolute', 'HANGWATCH_SHIPPER_READ_CHUNK_BYTES']) {
    assert.ok(message.includes(expected), `missing ${expected} in:\n${message}`);
  }
});

test('HANGWATCH_SHIPPER_* overrides the file', () => {
  assert.equal(envNameOf('kafka.linger_ms'), 'HANGWATCH_SHIPPER_KAFKA_LINGER_MS');
  const config = buildShipperConfig({ host: 'file-host', kafka: { linger_ms: 5 }, inputs: [{ type: 'file', path: '/a' }] }, { HANGWATCH_SHIPPER_KAFKA_LINGER_MS: '99', HANGWATCH_SHIPPER_HOST: 'env-host' }, { hostname: 'h' });
  assert.equal(config.kafka.lingerMs, 99);
  assert.equal(config.host, 'env-host');
});

test('name patterns: * stays within a name; exclusions win', () => {
  const m = compileNamePatterns(['*.log', 'guests/*/*.xml'], ['*.gz']);
  assert.equal(m.matches('vm1.log'), true);
  assert.equal(m.matches('sub/vm1.log'), true);
  assert.equal(m.matches('vm1.log.1'), false);
  assert.equal(m.matches('guests/win7/system.xml'), true);
  assert.equal(m.matches('guests/win7/deep/system.xml'), false);
  assert.equal(compileNamePatterns(['*'], ['*.gz']).matches('old.log.gz'), false);
});
