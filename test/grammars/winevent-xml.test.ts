import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RawRecord } from '../../shared/raw-record.js';
import { windowsEventId } from '../../shared/identity.js';
import { parseRecord, SourceStates, type ParseOutcome } from '../../services/parser/core/parse-record.js';
import { wineventXmlParser } from '../../services/parser/core/formats/winevent-xml.js';
import { classifyWindowsEvent } from '../../services/parser/core/windows/event-actions.js';
import { createFramer, framingFor } from '../../services/shipper/core/framing.js';
import { assertGolden, FIXED_CREATED, listFixtures, parseFile, registryOf } from './golden.js';

// Golden fixtures for Windows event XML (wevtutil, Get-WinEvent ToXml(), Event Viewer "Save as XML", and events
// copied out of Event Viewer: its XML view with outline markers, "Copy details as text").
// Each file is fed as one record (a whole <Events> file gives one event per <Event>).
// Sources: test/grammars/fixtures/winevent-xml/SOURCES.md.

const dir = join(import.meta.dirname, 'fixtures', 'winevent-xml');
const registry = registryOf(wineventXmlParser);
const parseOptions = { maxRecordBytes: 1 << 20, validate: true };

for (const file of listFixtures(dir)) {
  test(`winevent-xml golden: ${file.replace(/^.*fixtures\//, '')}`, () => {
    const outcome = parseFile(file, registry, { format: 'winevent-xml', framing: 'whole', parseOptions });
    assert.equal(outcome.deadletters.length, 0, JSON.stringify(outcome.deadletters[0]?.error));
    assert.ok(outcome.events.length > 0);
    assertGolden(file, outcome);
  });
}

for (const file of listFixtures(join(dir, 'invalid'))) {
  test(`winevent-xml invalid: ${file.replace(/^.*fixtures\//, '')} is a dead letter`, () => {
    const outcome = parseFile(file, registry, { format: 'winevent-xml', framing: 'whole', parseOptions });
    assert.equal(outcome.events.length, 0);
    assert.equal(outcome.deadletters.length, 1);
    assertGolden(file, outcome);
  });
}

const seedGuest = join(dir, 'wevtutil-system-zh-CN-seed-guest.xml');

test('seed guest: actions, bugchecks and 6008 local time from the wevtutil output', () => {
  const { events } = parseFile(seedGuest, registry, { format: 'winevent-xml', framing: 'whole', parseOptions });
  const byCode = new Map(events.map((e) => [e.event.code, e]));
  assert.deepEqual(
    events.map((e) => `${e.event.code}:${e.event.action}`),
    ['6008:unexpected-shutdown', '6009:system-boot', '6005:system-boot', '41:kernel-power-41', '1001:bugcheck', '6013:other', '7031:service-crash', '129:disk-reset', '20001:other', '6006:system-shutdown'],
  );
  const kp = byCode.get('41');
  assert.equal(kp?.['@timestamp'], '2017-03-15T05:13:20.109Z');
  assert.deepEqual(kp?.windows?.bugcheck?.arguments, { timeout_ticks: 97, prcb: '0x807a3120', processor: 1 });
  assert.equal(kp?.event.id, windowsEventId('WIN7-VM113', 'System', '48213'));
  assert.equal(kp?.host?.name, 'WIN7-VM113');
  assert.equal(kp?.winlog?.event_data?.BugcheckCode, '257');
  assert.equal(byCode.get('1001')?.windows?.bugcheck?.code, '0x00000101');
  const shutdown = byCode.get('6008')?.windows?.shutdown;
  assert.deepEqual(shutdown, {
    local_time: '13:11:54',
    local_date: '\u200e2017/\u200e3/\u200e15',
    local_datetime: '2017-03-15T13:11:54',
    time_utc: '2017-03-15T05:11:54.777Z',
    offset_minutes: 480,
  });
  assert.equal(byCode.get('6013')?.winlog?.event_data?.param5, '29');
  assert.equal(byCode.get('20001')?.winlog?.event_data?.DriverName, 'netkvm.inf');
  // One record holding many events: each keeps only its own markup as event.original.
  assert.ok(kp?.event.original?.startsWith('<Event ') && kp.event.original.endsWith('</Event>'));
  assert.ok(!kp?.event.original?.includes('6008'));
});

test('one <Event> per record (line framing) gives the same events and ids as the whole file', () => {
  const whole = parseFile(seedGuest, registry, { format: 'winevent-xml', framing: 'whole', parseOptions });
  const lines = parseFile(seedGuest, registry, { format: 'winevent-xml', framing: 'lines', parseOptions });
  assert.deepEqual(
    lines.events.map((e) => [e.event.id, e['@timestamp'], e.event.action, e.event.original]),
    whole.events.map((e) => [e.event.id, e['@timestamp'], e.event.action, e.event.original]),
  );
});

test('locale 6008 without <Binary>: en-US 12-hour clock and de-DE day-first dates', () => {
  const en = parseFile(join(dir, 'get-winevent-toxml-6008-en-US-no-binary.xml'), registry, { format: 'winevent-xml', framing: 'whole', parseOptions });
  assert.equal(en.events[0]?.windows?.shutdown?.local_datetime, '2023-08-10T15:33:24');
  assert.equal(en.events[0]?.['@timestamp'], '2023-08-10T07:40:02.109Z');
  assert.equal(en.events[0]?.log?.level, 'error');
  const de = parseFile(join(dir, 'event-viewer-saved-de-DE.xml'), registry, { format: 'winevent-xml', framing: 'whole', parseOptions });
  assert.equal(de.events[0]?.windows?.shutdown?.local_datetime, '2021-11-02T09:01:44');
  assert.deepEqual(de.events[1]?.windows?.bugcheck?.parameters, ['0x1', '0x1e00', '0xfffff802a33c43b0', '0x0']);
});

test('Kernel-Power 41 with BugcheckCode 0 is a hard hang: no windows.bugcheck', () => {
  const { events } = parseFile(join(dir, 'kernel-power-41-hard-hang.xml'), registry, { format: 'winevent-xml', framing: 'whole', parseOptions });
  assert.equal(events[0]?.event.action, 'kernel-power-41');
  assert.equal(events[0]?.windows, undefined);
});

function record(text: string): RawRecord {
  return { bytes: Buffer.from(text), host: 'sc7', path: 'guests/vm113/System.xml', format: 'winevent-xml', fingerprint: 'f', offset: 0, created: FIXED_CREATED };
}

test('XXE and billion laughs are refused before any expansion', () => {
  for (const name of ['xxe.xml', 'billion-laughs.xml', 'doctype-only.xml', 'undefined-entity.xml', 'deep-nesting.xml']) {
    const { deadletters } = parseFile(join(dir, 'invalid', name), registry, { format: 'winevent-xml', framing: 'whole', parseOptions });
    assert.equal(deadletters[0]?.error.code, 'HW_XML_FORBIDDEN', name);
  }
});

test('a 1001 from Windows Error Reporting in the Application log is not a bugcheck', () => {
  const xml = `<Event><System><Provider Name='Windows Error Reporting'/><EventID Qualifiers='0'>1001</EventID><TimeCreated SystemTime='2017-03-15T05:13:20.1Z'/><EventRecordID>7</EventRecordID><Channel>Application</Channel><Computer>W</Computer></System><EventData><Data>0x1</Data></EventData></Event>`;
  const { events } = parseRecord(record(xml), registry, new SourceStates(), parseOptions);
  assert.equal(events[0]?.event.action, 'other');
  assert.equal(events[0]?.winlog?.event_data?.param1, '0x1');
});

test('an unreadable WER bugcheck text keeps the event, flagged', () => {
  const xml = `<Event><System><Provider Name='Microsoft-Windows-WER-SystemErrorReporting' EventSourceName='BugCheck'/><EventID>1001</EventID><TimeCreated SystemTime='2017-03-15T05:13:20Z'/><EventRecordID>8</EventRecordID><Channel>System</Channel><Computer>W</Computer></System><EventData><Data Name='param1'>garbled</Data></EventData></Event>`;
  const { events } = parseRecord(record(xml), registry, new SourceStates(), parseOptions);
  assert.equal(events[0]?.event.action, 'bugcheck');
  assert.ok(events[0]?.hangwatch.parse.flags?.includes('bugcheck-unparsed'));
});

test('an <Events> file with no events is nothing, not an error', () => {
  const outcome = parseRecord(record('<Events></Events>'), registry, new SourceStates(), parseOptions);
  assert.deepEqual([outcome.events.length, outcome.deadletters.length], [0, 0]);
});

test('invalid UTF-8 inside a value: U+FFFD, flagged, still parsed (DESIGN.md section 4)', () => {
  const head = Buffer.from(`<Event><System><Provider Name='EventLog'/><EventID>6013</EventID><TimeCreated SystemTime='2017-03-15T05:14:00Z'/><EventRecordID>9</EventRecordID><Channel>System</Channel><Computer>W</Computer></System><EventData><Data>29</Data><Data>-480 `);
  const bytes = Buffer.concat([head, Buffer.from([0xd6, 0xd0, 0xb9, 0xfa]), Buffer.from('</Data></EventData></Event>')]);
  const { events, deadletters } = parseRecord({ ...record(''), bytes }, registry, new SourceStates(), parseOptions);
  assert.equal(deadletters.length, 0);
  assert.ok(events[0]?.hangwatch.parse.flags?.includes('invalid-utf8'));
  assert.ok(events[0]?.winlog?.event_data?.param2?.includes('\ufffd'));
});

/** A file read the way `hangwatch parse --format winevent-xml FILE` reads it: the event XML framer, then the parser. */
function parseFramed(file: string): ParseOutcome {
  const states = new SourceStates();
  const events: ParseOutcome['events'] = [];
  const deadletters: ParseOutcome['deadletters'] = [];
  const framer = createFramer(framingFor('winevent-xml', file), 1 << 20);
  for (const frame of [...framer.push(readFileSync(file)), ...framer.end()]) {
    const outcome = parseRecord({ ...record(''), bytes: frame.bytes, offset: frame.offset }, registry, states, parseOptions);
    events.push(...outcome.events);
    deadletters.push(...outcome.deadletters);
  }
  return { events, deadletters };
}

test('every fixture gives the same events through the event XML framer as read whole, and no dead letter', () => {
  for (const file of listFixtures(dir)) {
    const whole = parseFile(file, registry, { format: 'winevent-xml', framing: 'whole', parseOptions });
    const framed = parseFramed(file);
    assert.equal(framed.deadletters.length, 0, `${file}: ${JSON.stringify(framed.deadletters[0]?.error)}`);
    assert.deepEqual(
      framed.events.map((e) => [e.event.id, e['@timestamp'], e.event.action, e.winlog?.time_created, e.message]),
      whole.events.map((e) => [e.event.id, e['@timestamp'], e.event.action, e.winlog?.time_created, e.message]),
      file,
    );
  }
});

test('Event Viewer "Copy details as text": the block is the record\'s preamble, its description the message', () => {
  const en = parseFramed(join(dir, 'eventviewer-copy-details-user32-1074-en-US.xml'));
  const restart = en.events[0];
  assert.equal(en.events.length, 1);
  assert.equal(restart?.event.action, 'planned-restart');
  assert.equal(restart?.log?.offset, 0);
  assert.ok(restart?.message?.startsWith('The process C:\\Windows\\system32\\winlogon.exe (WIN10-VM7) has initiated the restart'));
  assert.ok(restart?.message?.endsWith(' Comment:'));
  assert.ok(restart?.event.original?.startsWith('Log Name:      System'));
  assert.deepEqual(restart?.winlog?.event_data, {
    param1: 'C:\\Windows\\system32\\winlogon.exe (WIN10-VM7)',
    param2: 'WIN10-VM7',
    param3: 'Operating System: Service pack (Planned)',
    param4: '0x80020010',
    param5: 'restart',
    param6: '',
    param7: 'CORP\\admin',
  });
  assert.equal(restart?.winlog?.time_created, '2023-08-10T07:39:51.6563442Z');
  // German labels, one with no space before its value (Aufgabenkategorie:Keine): read by the layout, not the words.
  const de = parseFramed(join(dir, 'eventviewer-copy-details-de-DE-6008.xml')).events[0];
  assert.equal(de?.message, 'Das System wurde zuvor am \u200e02.\u200e11.\u200e2021 um 09:01:44 unerwartet heruntergefahren.');
  assert.equal(de?.windows?.shutdown?.local_datetime, '2021-11-02T09:01:44');
  assert.equal(de?.winlog?.event_data?.param3, '');
  assert.equal(de?.hangwatch.parse.flags, undefined);
});

test('Event Viewer XML view with its outline markers (- <Event>, - <System>) and CRLF: Kernel-Power 41 with its bugcheck', () => {
  const { events, deadletters } = parseFramed(join(dir, 'eventviewer-xml-view-markers-kernel-power-41.xml'));
  assert.equal(deadletters.length, 0);
  assert.equal(events[0]?.event.action, 'kernel-power-41');
  assert.deepEqual(events[0]?.windows?.bugcheck, {
    code: '0x0000009f',
    name: 'DRIVER_POWER_STATE_FAILURE',
    parameters: ['0x3', '0xfffffa8004d6b060', '0xfffff80000b9c518', '0xfffffa8006a4d010'],
  });
  assert.equal(events[0]?.winlog?.time_created, '2014-05-21T09:16:02.7180000Z');
});

test('wevtutil output with a BOM, an XML declaration, an <Events> wrapper and several <Event>s on a line', () => {
  const { events, deadletters } = parseFramed(join(dir, 'wevtutil-events-bom-declaration-several-per-line.xml'));
  assert.equal(deadletters.length, 0);
  assert.deepEqual(
    events.map((e) => `${e.event.code}:${e.event.action}`),
    ['1074:planned-restart', '6006:system-shutdown', '6009:system-boot', '6005:system-boot'],
  );
  // A planned restart keeps the shutdown type and reason as Windows wrote them (here in Chinese), and says so.
  assert.equal(events[0]?.winlog?.event_data?.param5, '重新启动');
  assert.equal(events[0]?.winlog?.event_data?.param4, '0x500ff');
  assert.equal(events[0]?.message, 'planned 重新启动 of WIN7-VM113 by C:\\Windows\\system32\\winlogon.exe (WIN7-VM113) on behalf of WIN7-VM113\\Administrator: 找不到此原因的标题 (0x500ff)');
  assert.equal(events[0]?.event.id, windowsEventId('WIN7-VM113', 'System', '48150'));
});

test('1074 is a planned restart only from User32; text before an event that is no Event Viewer copy stays a dead letter', () => {
  assert.equal(classifyWindowsEvent('1074', ['User32']).action, 'planned-restart');
  assert.equal(classifyWindowsEvent('1074', [undefined, 'USER32']).action, 'planned-restart');
  assert.equal(classifyWindowsEvent('1074', ['SomeApp']).action, 'other');
  const xml = `<Event><System><Provider Name='EventLog'/><EventID>6005</EventID><TimeCreated SystemTime='2017-03-15T05:14:00Z'/><EventRecordID>9</EventRecordID><Channel>System</Channel><Computer>W</Computer></System></Event>`;
  const framer = createFramer('event-xml', 1 << 20);
  const frames = [...framer.push(Buffer.from(`\`\`\`xml\n${xml}\n\`\`\`\n- ${xml}\n`)), ...framer.end()];
  assert.deepEqual(
    frames.map((f) => f.bytes.toString().slice(0, 12)),
    ['```xml\n', '<Event><Syst', '\n```\n- ', '<Event><Syst'],
  );
  // Handed a whole record with unrecognized text in front, the parser keeps the event and flags it.
  const { events } = parseRecord(record(`some words\n${xml}`), registry, new SourceStates(), parseOptions);
  assert.deepEqual(events[0]?.hangwatch.parse.flags, ['text-before-event']);
  assert.equal(events[0]?.event.action, 'system-boot');
});

test('the same file redirected by Windows PowerShell (UTF-16LE with a BOM) gives the same events', () => {
  const file = join(dir, 'wevtutil-system-zh-CN-seed-guest.xml');
  const utf8 = parseFramed(file);
  const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(readFileSync(file, 'utf8'), 'utf16le')]);
  const framer = createFramer('event-xml', 1 << 20);
  const states = new SourceStates();
  const events = [...framer.push(bytes), ...framer.end()].flatMap((f) => parseRecord({ ...record(''), bytes: f.bytes, offset: f.offset }, registry, states, parseOptions).events);
  assert.equal(events.length, utf8.events.length);
  assert.deepEqual(
    events.map((e) => [e.event.id, e['@timestamp'], e.event.action, e.winlog?.event_data, e.windows]),
    utf8.events.map((e) => [e.event.id, e['@timestamp'], e.event.action, e.winlog?.event_data, e.windows]),
  );
  // Offsets are the UTF-16 file's own: two bytes per UTF-16 unit before the event, after the mark.
  const unitsBefore = readFileSync(file).subarray(0, utf8.events[1]?.log?.offset).toString('utf8').length;
  assert.equal(events[1]?.log?.offset, 2 + 2 * unitsBefore);
});

test('Event Viewer Friendly View copied as text (no XML): the same event, bugcheck and shutdown time as from the XML', () => {
  const kp = parseFramed(join(dir, 'eventviewer-friendly-view-kernel-power-41.txt'));
  assert.equal(kp.deadletters.length, 0);
  const e = kp.events[0];
  assert.deepEqual([e?.event.action, e?.winlog?.record_id, e?.host?.name, e?.winlog?.time_created], ['kernel-power-41', '2034', 'DESKTOP-7QK2N4D', '2021-01-10T15:01:09.4785597Z']);
  assert.deepEqual(e?.windows?.bugcheck?.parameters, ['0xffff8c0f1bc2e010', '0x2', '0x0', '0xfffff8054a2d1e4f']);
  assert.equal(e?.windows?.bugcheck?.name, 'DRIVER_IRQL_NOT_LESS_OR_EQUAL');
  assert.equal(e?.hangwatch.parse.grammar, 'winevent-friendly-view');
  // The Friendly View of the real Event Viewer copy of test/fixtures/real-logs/winevent-xml/eventviewer-friendly-eventlog-6008.xml.
  const shutdown = parseFramed(join(dir, 'eventviewer-friendly-view-eventlog-6008.txt')).events[0];
  assert.equal(shutdown?.event.id, windowsEventId('TOOTHLESS', 'System', '139000'));
  assert.deepEqual(shutdown?.windows?.shutdown, {
    local_time: '10:23:28 AM',
    local_date: '\u200e11/\u200e25/\u200e2025',
    local_datetime: '2025-11-25T10:23:28',
    time_utc: '2025-11-25T15:23:28.357Z',
    offset_minutes: -300,
  });
  // Unnamed values are numbered without the blank ones the view cannot show apart: said, not hidden.
  assert.deepEqual(shutdown?.hangwatch.parse.flags, ['data-positions-approximate']);
});

test('a copy that starts at its Description or at the Event Xml label is still a copied event', () => {
  const xml = `<Event><System><Provider Name='EventLog'/><EventID>6006</EventID><TimeCreated SystemTime='2017-03-15T05:14:00Z'/><EventRecordID>9</EventRecordID><Channel>System</Channel><Computer>W</Computer></System></Event>`;
  const fromDescription = parseRecord(record(`Description:\nThe Event log service was stopped.\nEvent Xml:\n${xml}`), registry, new SourceStates(), parseOptions).events[0];
  assert.deepEqual([fromDescription?.message, fromDescription?.hangwatch.parse.flags], ['The Event log service was stopped.', undefined]);
  const fromLabel = parseRecord(record(`Ereignis-XML:\r\n${xml}`), registry, new SourceStates(), parseOptions).events[0];
  assert.deepEqual([fromLabel?.event.action, fromLabel?.hangwatch.parse.flags], ['system-shutdown', undefined]);
});

test('129/153 are disk resets from port and class drivers only, not from Windows manifest providers reusing the ids', () => {
  assert.equal(classifyWindowsEvent('129', ['vioscsi']).action, 'disk-reset');
  assert.equal(classifyWindowsEvent('153', ['disk']).action, 'disk-reset');
  assert.equal(classifyWindowsEvent('129', ['storahci']).action, 'disk-reset');
  // Microsoft-Windows-Kernel-Boot writes 153 at every boot of the real system.evtx (virtualization-based security).
  assert.equal(classifyWindowsEvent('153', ['Microsoft-Windows-Kernel-Boot']).action, 'other');
});
