import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { parseZone } from '../../shared/time.js';
import { iostatParser } from '../../services/parser/core/formats/iostat.js';
import { assertGolden, listFixtures, parseFile, registryOf } from './golden.js';

const dir = join(import.meta.dirname, 'fixtures', 'iostat');
const registry = registryOf(iostatParser);
const fileOptions = { format: 'iostat', framing: 'lines', host: 'sc7', path: '/var/log/hangwatch/iostat.log', parseOptions: { maxRecordBytes: 1 << 20, hostZone: parseZone('Asia/Shanghai') } } as const;
const parse = (name: string) => parseFile(join(dir, name), registry, fileOptions);

for (const file of listFixtures(dir)) {
  test(`iostat golden: ${file.split('/').pop()}`, () => {
    assertGolden(file, parseFile(file, registry, fileOptions));
  });
}

for (const file of listFixtures(join(dir, 'invalid'))) {
  test(`iostat invalid input is a dead letter: ${file.split('/').pop()}`, () => {
    const outcome = parseFile(file, registry, fileOptions);
    assert.equal(outcome.events.length, 0);
    assert.ok(outcome.deadletters.length > 0);
    for (const letter of outcome.deadletters) {
      assert.equal(letter.hangwatch.stage, 'parse');
      assert.match(letter.error.code, /^HW_(PARSE_NO_MATCH|TIME_INVALID)$/);
      assert.equal(letter.hangwatch.grammar, 'iostat');
    }
  });
}

test('sysstat 10.x: one event per device line, block time in the host zone, since-boot only on the first report', () => {
  const { events, deadletters } = parse('sysstat10-ubuntu1604.log');
  assert.equal(deadletters.length, 0);
  assert.equal(events.length, 4);
  assert.deepEqual(
    events.map((e) => [e['@timestamp'], e.linux?.iostat?.device, e.hangwatch.parse.flags]),
    [
      ['2017-03-15T05:05:01.000Z', 'sda', ['since-boot']],
      ['2017-03-15T05:05:01.000Z', 'sdb', ['since-boot']],
      ['2017-03-15T05:05:06.000Z', 'sda', undefined],
      ['2017-03-15T05:05:06.000Z', 'sdb', undefined],
    ],
  );
  const stall = events[2];
  assert.deepEqual(stall?.linux?.iostat, { device: 'sda', r_s: 0.4, w_s: 88.6, await_ms: 394.61, r_await_ms: 12, w_await_ms: 396.34, util_pct: 100 });
  assert.equal(stall?.event.action, 'io-stats');
  assert.equal(stall?.event.dataset, 'linux.iostat');
  assert.equal(stall?.host?.name, 'sc7');
  assert.deepEqual(stall?.hangwatch.time, { basis: 'zone', zone: 'Asia/Shanghai' });
});

test('sysstat 12.x with ISO stamps: explicit time, await weighted from r_await and w_await', () => {
  const { events } = parse('sysstat12-iso.log');
  const nvme = events.filter((e) => e.linux?.iostat?.device === 'nvme0n1');
  assert.equal(nvme[1]?.['@timestamp'], '2023-10-10T13:01:40.000Z');
  assert.deepEqual(nvme[1]?.hangwatch.time, { basis: 'explicit' });
  // (109.5 * 9.23 + 41 * 8.57) / 150.5 = 9.0502
  assert.equal(nvme[1]?.linux?.iostat?.await_ms, 9.05);
  assert.equal(nvme[1]?.host?.name, 'sc8');
  const idle = events.find((e) => e.linux?.iostat?.device === 'dm-0');
  assert.equal(idle?.linux?.iostat?.await_ms, 0);
});

test('sysstat 12.3+ wide layout read by column name; two-digit years; -m units do not matter', () => {
  const { events } = parse('sysstat12-3-mb.log');
  const dm10 = events.find((e) => e.linux?.iostat?.device === 'dm-10');
  assert.deepEqual(dm10?.linux?.iostat, { device: 'dm-10', r_s: 109.5, r_await_ms: 9.23, w_s: 41, w_await_ms: 8.57, util_pct: 71.3, await_ms: 9.05 });
  assert.equal(dm10?.['@timestamp'], '2023-10-10T13:01:40.000Z');
});

test('without -t there is no block time: basis ingest; decimal commas are read', () => {
  const old = parse('sysstat9-rsec.log');
  assert.deepEqual(old.events.map((e) => e.hangwatch.time.basis), ['ingest', 'ingest']);
  assert.equal(old.events[0]?.linux?.iostat?.await_ms, 7.32);
  const de = parse('de-locale-commas.log');
  assert.equal(de.events[0]?.linux?.iostat?.util_pct, 0.7);
  assert.equal(de.events[0]?.linux?.iostat?.r_s, 0.03);
});

test('a device line before any header is a dead letter that expected a header', () => {
  const { deadletters } = parse('invalid/device-before-header.log');
  assert.equal(deadletters.length, 2);
  assert.deepEqual(deadletters[0]?.hangwatch.expected, ['deviceHeader']);
});
