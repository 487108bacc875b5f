import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RawRecord } from '../../shared/raw-record.js';
import { windowsEventId } from '../../shared/identity.js';
import { detectFormatByContent, detectFormatByPath } from '../../services/parser/core/detect-format.js';
import { parseRecord, SourceStates, type ParseOutcome } from '../../services/parser/core/parse-record.js';
import { winlogbeatParser } from '../../services/parser/core/formats/winlogbeat.js';
import { wineventXmlParser } from '../../services/parser/core/formats/winevent-xml.js';
import { expandDottedKeys } from '../../services/parser/core/windows/winlogbeat-export.js';
import { createFramer, framingFor } from '../../services/shipper/core/framing.js';
import { assertGolden, FIXED_CREATED, listFixtures, parseFile, registryOf } from './golden.js';

// Golden fixtures for Winlogbeat JSON: 7.x/8.x documents one per line, and the shapes they are exported in
// (exports/). Sources: fixtures/winlogbeat/SOURCES.md.

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

// Export shapes (fixtures/winlogbeat/exports/, synthetic, same field layouts as SOURCES.md describes): read the
// way `hangwatch parse --format winlogbeat FILE` reads them, through the JSON document framer.
const exportsDir = join(dir, 'exports');

function parseExport(file: string): ParseOutcome {
  const states = new SourceStates();
  const events: ParseOutcome['events'] = [];
  const deadletters: ParseOutcome['deadletters'] = [];
  const framer = createFramer(framingFor('winlogbeat', file), 1 << 20);
  for (const frame of [...framer.push(readFileSync(file)), ...framer.end()]) {
    const record: RawRecord = { bytes: frame.bytes, host: 'testhost', path: file.replace(/^.*test\/grammars\/fixtures\//, 'fixtures/'), format: 'winlogbeat', fingerprint: 'fixture', offset: frame.offset, created: FIXED_CREATED };
    const outcome = parseRecord(record, registry, states, parseOptions);
    events.push(...outcome.events);
    deadletters.push(...outcome.deadletters);
  }
  return { events, deadletters };
}

for (const file of listFixtures(exportsDir)) {
  test(`winlogbeat export golden: ${file.replace(/^.*fixtures\//, '')}`, () => {
    assertGolden(file, parseExport(file));
  });
}

const exported = (name: string): ParseOutcome => parseExport(join(exportsDir, name));

test('a JSON array in the layout of elastic/beats golden files: one event per element, 7-digit time kept', () => {
  const { events, deadletters } = exported('beats-golden-style-array.json');
  assert.equal(deadletters.length, 0);
  assert.deepEqual(
    events.map((e) => [e.event.action, e['@timestamp'], e.winlog?.time_created, e.winlog?.record_id]),
    [
      ['kernel-power-41', '2017-03-15T05:13:20.109Z', '2017-03-15T05:13:20.1093750Z', '48213'],
      ['unexpected-shutdown', '2017-03-15T05:13:31.000Z', '2017-03-15T05:13:31.0000000Z', '48220'],
    ],
  );
  assert.equal(events[0]?.windows?.bugcheck?.code, '0x00000101');
  assert.equal(events[1]?.windows?.shutdown?.time_utc, '2017-03-15T05:11:54.777Z');
  // Each event keeps its own document as event.original, not the array.
  assert.ok(events[0]?.event.original?.startsWith('{') && !events[0].event.original.includes('6008'));
});

test('the same record exported by Winlogbeat with 7 digits and read from wevtutil XML: one event id, one time_created', () => {
  const beat = exported('beats-golden-style-array.json').events;
  const xml = parseFile(join(import.meta.dirname, 'fixtures', 'winevent-xml', 'wevtutil-system-zh-CN-seed-guest.xml'), registry, { format: 'winevent-xml', framing: 'whole', parseOptions }).events;
  for (const recordId of ['48213', '48220']) {
    const b = beat.find((e) => e.winlog?.record_id === recordId);
    const x = xml.find((e) => e.winlog?.record_id === recordId);
    assert.ok(b && x, recordId);
    assert.deepEqual([b.event.id, b['@timestamp'], b.winlog?.time_created, b.event.action], [x.event.id, x['@timestamp'], x.winlog?.time_created, x.event.action]);
    assert.deepEqual(b.windows, x.windows);
  }
});

test('an Elasticsearch _search response: one event per hit, nothing for the response around them', () => {
  const { events, deadletters } = exported('es-search-response-pretty.json');
  assert.equal(deadletters.length, 0);
  assert.deepEqual(
    events.map((e) => `${e.event.code}:${e.event.action}`),
    ['1074:planned-restart', '6006:system-shutdown', '1001:bugcheck'],
  );
  const restart = events[0];
  assert.equal(restart?.event.id, windowsEventId('win10-vm7.corp.example', 'System', '90190'));
  assert.deepEqual(restart?.host?.mac, ['52:54:00:6c:0f:62']);
  // A planned restart keeps the shutdown type and reason as Windows gave them.
  assert.equal(restart?.winlog?.event_data?.param5, 'restart');
  assert.equal(restart?.winlog?.event_data?.param3, 'Operating System: Service pack (Planned)');
  assert.equal(restart?.winlog?.event_data?.param4, '0x80020010');
  assert.deepEqual(events[2]?.windows?.bugcheck?.parameters, ['0x1', '0x1e00', '0xfffff802a33c43b0', '0x0']);
  // The hit (with _index and _id) is the event's original text.
  assert.ok(events[1]?.event.original?.includes('"_id" : "qH3p3YkBq2Y1hT9rZk0b"'));
});

test('a single hit with `fields` (dotted names, values in arrays) instead of _source', () => {
  const { events } = exported('es-hit-with-fields.json');
  const e = events[0];
  assert.equal(e?.event.action, 'unexpected-shutdown');
  assert.equal(e?.winlog?.time_created, '2023-08-10T07:40:02.1093750Z');
  assert.equal(e?.windows?.shutdown?.local_datetime, '2023-08-10T15:33:24');
  assert.deepEqual(e?.host?.mac, ['52:54:00:6c:0f:62', '02:00:4c:4f:4f:50']);
  assert.equal(e?.event.created, '2023-08-10T07:40:30.000Z');
});

test('Winlogbeat 6.x top-level layout: event_id, log_name, source_name, record_number, computer_name', () => {
  const { events, deadletters } = exported('winlogbeat-6x-file-output.ndjson');
  assert.equal(deadletters.length, 0);
  assert.deepEqual(
    events.map((e) => [e.event.action, e.winlog?.channel, e.winlog?.provider_name, e.winlog?.record_id, e.host?.name, e.log?.level]),
    [
      ['kernel-power-41', 'System', 'Microsoft-Windows-Kernel-Power', '73012', 'WIN2012-DB1.corp.example', 'critical'],
      ['unexpected-shutdown', 'System', 'EventLog', '73015', 'WIN2012-DB1.corp.example', 'error'],
      ['system-boot', 'System', 'EventLog', '73016', 'WIN2012-DB1.corp.example', 'information'],
      ['planned-restart', 'System', 'USER32', '73040', 'WIN2012-DB1.corp.example', 'information'],
    ],
  );
  // BugcheckCode 0: a hard hang, no bugcheck.
  assert.equal(events[0]?.windows, undefined);
  assert.deepEqual(events[1]?.windows?.shutdown, {
    local_time: '10:10:19 AM',
    local_date: '\u200e6/\u200e1/\u200e2018',
    local_datetime: '2018-06-01T10:10:19',
    time_utc: '2018-06-01T02:10:19.285Z',
    offset_minutes: 480,
  });
  assert.equal(events[3]?.winlog?.event_data?.param5, 'power off');
  assert.equal(events[3]?.event.id, windowsEventId('WIN2012-DB1.corp.example', 'System', '73040'));
});

test('a cut document and a pasted request line are one dead letter each, with their bytes; the rest parse', () => {
  const { events, deadletters } = exported('ndjson-cut-document-and-pasted-request.ndjson');
  assert.deepEqual(
    events.map((e) => e.event.code),
    ['6005', '6009'],
  );
  assert.deepEqual(
    deadletters.map((d) => [d.error.code, d.log?.offset]),
    [
      ['HW_JSON_MALFORMED', 0],
      ['HW_JSON_MALFORMED', 342],
    ],
  );
  assert.ok(deadletters[1]?.event?.original?.endsWith('"param1":"QEMU Gu'));
});

test('a whole search response or array in one record (a Kafka message, no framer) gives the same events', () => {
  for (const name of ['es-search-response-pretty.json', 'beats-golden-style-array.json']) {
    const file = join(exportsDir, name);
    const whole = parseFile(file, registry, { format: 'winlogbeat', framing: 'whole', parseOptions });
    const framed = parseExport(file);
    assert.deepEqual(
      whole.events.map((e) => [e.event.id, e['@timestamp'], e.event.action, e.winlog?.time_created]),
      framed.events.map((e) => [e.event.id, e['@timestamp'], e.event.action, e.winlog?.time_created]),
    );
  }
});

test('format auto-detection: pretty-printed documents, arrays, search responses and 6.x documents are Winlogbeat', () => {
  for (const name of ['beats-golden-style-array.json', 'es-search-response-pretty.json', 'es-hit-with-fields.json', 'winlogbeat-6x-file-output.ndjson']) {
    const framing = name.endsWith('.ndjson') ? 'lines' : 'whole';
    const outcome = parseFile(join(exportsDir, name), registry, { format: 'auto', framing, path: 'guests/vm7/export.json', parseOptions });
    assert.ok(outcome.events.length > 0, name);
    assert.ok(
      outcome.events.every((e) => e.hangwatch.source?.format === 'winlogbeat'),
      name,
    );
  }
  assert.equal(detectFormatByPath('collected/winlogbeat/export-2023-08-10.json'), 'winlogbeat');
  assert.equal(detectFormatByPath('collected/winlogbeat-8.11.ndjson'), 'winlogbeat');
  assert.equal(detectFormatByPath('guests/vm7/winlogbeat.1'), 'winlogbeat');
  // A Winlogbeat document carrying the event XML (include_xml) is still JSON.
  assert.equal(detectFormatByContent('{"@timestamp":"2023-08-10T07:40:01.000Z","event":{"original":"<Event xmlns=\'x\'><System/></Event>"},"winlog":{"event_id":"6005"}}'), 'winlogbeat');
  assert.equal(detectFormatByContent('[    0.000000] Linux version 5.15.0'), 'kernel');
});

test('dotted names cannot reach Object.prototype; nested and dotted forms of one document merge', () => {
  const doc = expandDottedKeys({ '__proto__.polluted': 'yes', 'constructor.prototype.polluted': 'yes', winlog: { channel: 'System' }, 'winlog.event_id': 41 });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(doc, { winlog: { channel: 'System', event_id: 41 } });
});
