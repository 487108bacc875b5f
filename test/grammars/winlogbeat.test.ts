import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { windowsEventId } from '../../shared/identity.js';
import { winlogbeatParser } from '../../services/parser/core/formats/winlogbeat.js';
import { wineventXmlParser } from '../../services/parser/core/formats/winevent-xml.js';
import { assertGolden, listFixtures, parseFile, registryOf } from './golden.js';

// Golden fixtures for Winlogbeat 7.x/8.x JSON (one document per line). Sources: fixtures/winlogbeat/SOURCES.md.

const dir = join(import.meta.dirname, 'fixtures', 'winlogbeat');
const registry = registryOf(winlogbeatParser, wineventXmlParser);
const parseOptions = { maxRecordBytes: 1 << 20, validate: true };
const systemFile = join(dir, 'winlogbeat-7x-8x-system.ndjson');

for (const file of listFixtures(dir)) {
  test(`winlogbeat golden: ${file.replace(/^.*fixtures\//, '')}`, () => {
    const outcome = parseFile(file, registry, { format: 'winlogbeat', framing: 'lines', parseOptions });
    assert.equal(outcome.deadletters.length, 0, JSON.stringify(outcome.deadletters[0]?.error));
    assertGolden(file, outcome);
  });
}

for (const file of listFixtures(join(dir, 'invalid'))) {
  test(`winlogbeat invalid: ${file.replace(/^.*fixtures\//, '')} is a dead letter`, () => {
    const outcome = parseFile(file, registry, { format: 'winlogbeat', framing: 'lines', parseOptions });
    assert.equal(outcome.events.length, 0);
    assert.equal(outcome.deadletters.length, 1);
    assertGolden(file, outcome);
  });
}

test('dead-letter reasons: malformed JSON, too deep, too many members', () => {
  const code = (name: string): string | undefined =>
    parseFile(join(dir, 'invalid', name), registry, { format: 'winlogbeat', framing: 'lines', parseOptions }).deadletters[0]?.error.code;
  assert.equal(code('malformed.ndjson'), 'HW_JSON_MALFORMED');
  assert.equal(code('invalid-utf8.ndjson'), 'HW_JSON_MALFORMED');
  assert.equal(code('deeply-nested.ndjson'), 'HW_RECORD_INVALID');
  assert.equal(code('too-many-fields.ndjson'), 'HW_RECORD_INVALID');
  assert.equal(code('bad-timestamp.ndjson'), 'HW_TIME_INVALID');
});

test('the same record via Winlogbeat and via event XML is one event id with the same normalized fields', () => {
  const beat = parseFile(systemFile, registry, { format: 'winlogbeat', framing: 'lines', parseOptions }).events;
  const xml = parseFile(join(import.meta.dirname, 'fixtures', 'winevent-xml', 'wevtutil-system-zh-CN-seed-guest.xml'), registry, {
    format: 'winevent-xml',
    framing: 'lines',
    parseOptions,
  }).events;
  for (const recordId of ['48213', '48220', '48236']) {
    const b = beat.find((e) => e.winlog?.record_id === recordId);
    const x = xml.find((e) => e.winlog?.record_id === recordId);
    assert.ok(b && x, recordId);
    assert.equal(b.event.id, windowsEventId('WIN7-VM113', 'System', recordId));
    assert.equal(b.event.id, x.event.id);
    assert.equal(b['@timestamp'], x['@timestamp']);
    assert.equal(b.event.action, x.event.action);
    assert.equal(b.winlog?.event_id, x.winlog?.event_id);
    assert.deepEqual(b.windows, x.windows);
  }
});

test('Winlogbeat specifics: numeric ids become strings, MACs normalized, 6008 from event_data', () => {
  const events = parseFile(systemFile, registry, { format: 'winlogbeat', framing: 'lines', parseOptions }).events;
  const kp = events[0];
  assert.equal(kp?.winlog?.event_id, '41');
  assert.equal(kp?.winlog?.record_id, '48213');
  assert.equal(kp?.event.code, '41');
  assert.equal(kp?.event.dataset, 'windows.winlogbeat');
  assert.deepEqual(kp?.host, { name: 'WIN7-VM113', mac: ['52:54:00:a6:3a:68'] });
  assert.equal(kp?.hangwatch.time.basis, 'explicit');
  assert.equal(events[1]?.windows?.shutdown?.local_datetime, '2017-03-15T13:11:54');
  assert.deepEqual(
    events.map((e) => e.event.action),
    ['kernel-power-41', 'unexpected-shutdown', 'bugcheck', 'service-crash', 'system-boot', 'other'],
  );
});

test('format auto-detection tells Winlogbeat JSON from event XML by content', () => {
  const auto = (name: string, sub: string): string | undefined =>
    parseFile(join(import.meta.dirname, 'fixtures', sub, name), registry, { format: 'auto', framing: 'lines', path: 'guests/vm113/collected.log', parseOptions }).events[0]?.hangwatch.source?.format;
  assert.equal(auto('winlogbeat-7x-8x-system.ndjson', 'winlogbeat'), 'winlogbeat');
  assert.equal(auto('wevtutil-system-zh-CN-seed-guest.xml', 'winevent-xml'), 'winevent-xml');
});
