import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Format } from '../../../shared/vocabulary.js';
import { offsetMinutesOf, parseZone } from '../../../shared/time.js';
import { parseRecord, SourceStates } from '../../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../../services/parser/core/registry.js';

// UTC offsets run from -12:00 to +14:00 with minutes 00..59: `+9999` is no offset, whether an operator typed it
// (--tz) or a record carries it (it was read as 100 hours and moved the record's time by four days).

const FIXTURES = join(import.meta.dirname, '..', '..', 'grammars', 'fixtures');

test('zones: +14:00 and -12:00 are the ends; +9999, -13:00 and minutes past 59 are refused with the reason', () => {
  assert.equal(parseZone('+14:00').name, '+14:00');
  assert.equal(parseZone('-12:00').name, '-12:00');
  assert.equal(parseZone('+0545').name, '+05:45');
  for (const text of ['+9999', '+14:01', '-13:00', '+05:99', 'GMT+15']) {
    assert.throws(() => parseZone(text), (error: Error) => /HW_TIME_INVALID|out of range/.test(`${(error as { code?: string }).code} ${error.message}`) && error.message.includes('-12:00 to +14:00'), text);
  }
  assert.equal(offsetMinutesOf('+', 99, 99), undefined);
  assert.equal(offsetMinutesOf('-', 3, 30), -210);
});

function parseOne(format: Format, path: string, text: string) {
  return parseRecord({ bytes: Buffer.from(text), host: 'kvm01', path, format, fingerprint: 'f', offset: 0, created: '2026-01-01T00:00:00.000Z' }, FORMAT_PARSERS, new SourceStates(), { maxRecordBytes: 1 << 20, validate: true });
}

test('a record whose own time has an offset no clock uses is a dead letter naming it, not a time moved by days', () => {
  const cases: Array<[Format, string, string]> = [
    ['libvirtd', '/var/log/libvirt/libvirtd.log', '2017-03-16 02:55:46.227+9999: 1234: error : qemuMonitorIO:697 : internal error: End of file from qemu monitor'],
    ['qemu', '/var/log/libvirt/qemu/vm1.log', '2017-03-16 02:55:46.227+9999: shutting down, reason=crashed'],
    ['kernel', '/var/log/kern.log', '2017-03-16T02:55:46.123456+99:99 kvm01 kernel: [ 1.0] kvm: something'],
    [
      'winevent-xml',
      'guests/vm1/System.xml',
      "<Event><System><Provider Name='EventLog'/><EventID>6005</EventID><TimeCreated SystemTime='2017-03-15T05:14:00+99:00'/><EventRecordID>9</EventRecordID><Channel>System</Channel><Computer>W</Computer></System></Event>",
    ],
    ['windbg', 'guests/vm1/report.windbg.txt', readFileSync(join(FIXTURES, 'windbg', 'seed-win7-x86-clock-watchdog.txt'), 'utf8').replace('(GMT+8)', '(GMT+99)')],
  ];
  for (const [format, path, text] of cases) {
    const { events, deadletters } = parseOne(format, path, text);
    assert.equal(events.length, 0, format);
    assert.equal(deadletters[0]?.error.code, 'HW_TIME_INVALID', `${format}: ${JSON.stringify(deadletters[0]?.error)}`);
    assert.match(deadletters[0]?.error.message ?? '', /out of range/, format);
  }
  // The same records with a real offset parse.
  assert.equal(parseOne('libvirtd', '/var/log/libvirt/libvirtd.log', (cases[0] as [Format, string, string])[2].replace('+9999', '+0800')).events.length, 1);
});
