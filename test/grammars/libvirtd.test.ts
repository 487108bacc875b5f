import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { libvirtdParser } from '../../services/parser/core/formats/libvirtd.js';
import { assertGolden, listFixtures, parseFile, registryOf } from './golden.js';

const dir = join(import.meta.dirname, 'fixtures', 'libvirtd');
const registry = registryOf(libvirtdParser);

for (const file of listFixtures(dir)) {
  test(`libvirtd golden: ${file.split('/').pop()}`, () => {
    assertGolden(file, parseFile(file, registry, { format: 'libvirtd', framing: 'lines', host: 'sc7', path: '/var/log/libvirt/libvirtd.log' }));
  });
}

for (const file of listFixtures(join(dir, 'invalid'))) {
  test(`libvirtd invalid input is a dead letter: ${file.split('/').pop()}`, () => {
    const outcome = parseFile(file, registry, { format: 'libvirtd', framing: 'lines' });
    assert.equal(outcome.events.length, 0);
    assert.ok(outcome.deadletters.length > 0);
    for (const letter of outcome.deadletters) {
      assert.equal(letter.hangwatch.stage, 'parse');
      assert.match(letter.error.code, /^HW_(PARSE_NO_MATCH|TIME_INVALID)$/);
      assert.equal(letter.hangwatch.original.sha256.length, 64);
    }
  });
}

test('the seed libvirtd log: every line parses, monitor EOFs and busy log files are recognized', () => {
  const { events, deadletters } = parseFile(join(dir, 'seed-sc7.log'), registry, { format: 'libvirtd', framing: 'lines', host: 'sc7' });
  assert.equal(deadletters.length, 0);
  assert.equal(events.length, 18);
  const actions = events.map((e) => e.event.action);
  assert.equal(actions.filter((a) => a === 'monitor-eof').length, 3);
  assert.equal(actions.filter((a) => a === 'migration-failed').length, 3);
  assert.equal(actions.filter((a) => a === 'storage-permission').length, 6);
  const busy = events.filter((e) => e.event.action === 'log-open-busy').map((e) => e.libvirt?.domain?.name);
  assert.deepEqual(busy, ['vm105', 'vm102', 'vm105', 'vm113']);
  const eof = events.find((e) => e.event.action === 'monitor-eof');
  assert.equal(eof?.['@timestamp'], '2017-03-15T06:03:48.180Z');
  assert.equal(eof?.process?.thread?.id, 13914);
  assert.equal(eof?.log?.origin?.function, 'qemuMonitorIO');
  assert.equal(eof?.log?.origin?.file?.line, 689);
  const version = events.find((e) => e.event.action === 'daemon-start');
  assert.equal(version?.libvirt?.version, '1.3.1');
  assert.equal(events.find((e) => e.event.action === 'daemon-info')?.host?.name, 'sc7');
});

test('invalid UTF-8 is replaced, flagged and parsed like any other line', () => {
  const { events } = parseFile(join(dir, 'invalid-utf8.log'), registry, { format: 'libvirtd', framing: 'lines' });
  assert.equal(events.length, 1);
  assert.equal(events[0]?.event.action, 'monitor-eof');
  assert.deepEqual(events[0]?.hangwatch.parse.flags, ['invalid-utf8']);
  assert.ok(events[0]?.event.original?.includes('\uFFFD'));
});

test('event ids are deterministic and distinct per offset', () => {
  const a = parseFile(join(dir, 'seed-sc7.log'), registry, { format: 'libvirtd', framing: 'lines', host: 'sc7' });
  const b = parseFile(join(dir, 'seed-sc7.log'), registry, { format: 'libvirtd', framing: 'lines', host: 'sc7' });
  assert.deepEqual(a.events.map((e) => e.event.id), b.events.map((e) => e.event.id));
  assert.equal(new Set(a.events.map((e) => e.event.id)).size, a.events.length);
});

test('a hyper-v panic line carries the normalized bugcheck', () => {
  const { events } = parseFile(join(dir, 'variants.log'), registry, { format: 'libvirtd', framing: 'lines' });
  const panic = events.find((e) => e.event.action === 'guest-panic');
  assert.deepEqual(panic?.windows?.bugcheck, {
    code: '0x00000101',
    name: 'CLOCK_WATCHDOG_TIMEOUT',
    parameters: ['0x61', '0x0', '0x807a3120', '0x1'],
    arguments: { timeout_ticks: 97, prcb: '0x807a3120', processor: 1 },
  });
});
