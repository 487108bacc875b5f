import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RawRecord } from '../../../shared/raw-record.js';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { parseRecord, SourceStates } from '../../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../../services/parser/core/registry.js';
import { isSuspectGuestTime } from '../../../services/parser/core/suspect-time.js';

// Guest clocks are untrusted: a guest record dated far after its reading, before 2000, or years before its host's
// records keeps the time it claims and is flagged hangwatch.time.suspect; host records and plausible guest times
// are not.

const FIXTURE = join(import.meta.dirname, '..', '..', 'grammars', 'fixtures', 'winlogbeat', 'winlogbeat-7x-8x-system.ndjson');
const READ = '2017-03-16T00:00:00.000Z';
const OPTIONS = { maxRecordBytes: 1 << 20, validate: true };

function winlogbeatDoc(timestamp: string, created?: string): string {
  const doc = JSON.parse(readFileSync(FIXTURE, 'utf8').split('\n')[0]!) as Record<string, unknown> & { event: Record<string, unknown>; winlog: Record<string, unknown> };
  doc['@timestamp'] = timestamp;
  delete doc.winlog.time_created;
  if (created === undefined) delete doc.event.created;
  else doc.event.created = created;
  return JSON.stringify(doc);
}

function record(text: string, format: RawRecord['format'], path: string, created = READ): RawRecord {
  return { bytes: Buffer.from(text, 'utf8'), host: 'sc7', path, format, fingerprint: `f:${path}`, offset: 0, created };
}

function parseOne(states: SourceStates, raw: RawRecord): EcsEvent {
  const outcome = parseRecord(raw, FORMAT_PARSERS, states, OPTIONS);
  assert.deepEqual(outcome.deadletters, []);
  assert.equal(outcome.events.length, 1);
  return outcome.events[0]!;
}

function guestEvent(timestamp: string, states = new SourceStates(), created?: string, read = READ): EcsEvent {
  return parseOne(states, record(winlogbeatDoc(timestamp, created), 'winlogbeat', '/collect/sc7/guests/vm113/System.ndjson', read));
}

test('a guest record dated 2200-01-01 keeps its claimed time and is flagged suspect', () => {
  const event = guestEvent('2200-01-01T00:00:00.000Z');
  assert.equal(event['@timestamp'], '2200-01-01T00:00:00.000Z');
  assert.equal(event.hangwatch.time.suspect, true);
  assert.equal(event.event.dataset, 'windows.winlogbeat');
});

test('a guest record before 2000 is suspect; one up to a day after its reading is not', () => {
  assert.equal(guestEvent('1999-12-31T23:59:59.000Z').hangwatch.time.suspect, true);
  assert.equal(guestEvent('2017-03-15T05:13:20.109Z').hangwatch.time.suspect, undefined);
  assert.equal(guestEvent('2017-03-16T23:00:00.000Z').hangwatch.time.suspect, undefined, 'within a day of the read: a zone not known yet');
  assert.equal(guestEvent('2017-03-17T00:00:01.000Z').hangwatch.time.suspect, true);
});

test("the guest's own read time does not vouch for its clock: the shipper's read time bounds it too", () => {
  // Winlogbeat's event.created is written by the same guest: a consistent lie is still later than our reading.
  const event = guestEvent('2200-01-01T00:00:00.000Z', new SourceStates(), '2200-01-01T00:00:05.000Z');
  assert.equal(event.hangwatch.time.suspect, true);
});

test("a guest record years before its hypervisor's dated records is suspect; without host records it is not", () => {
  const states = new SourceStates();
  const read = '2019-03-16T00:00:00.000Z';
  const line = '2019-03-15 06:03:48.180+0000: 13914: error : qemuMonitorIO:689 : internal error: End of file from monitor';
  const host = parseOne(states, record(line, 'libvirtd', '/var/log/libvirt/libvirtd.log', read));
  assert.equal(host.hangwatch.time.suspect, undefined, 'host records are never flagged');
  assert.equal(guestEvent('2017-03-15T05:13:20.109Z', states, undefined, read).hangwatch.time.suspect, true, 'two years before the host');
  assert.equal(guestEvent('2018-09-15T05:13:20.109Z', states, undefined, read).hangwatch.time.suspect, undefined, 'half a year before the host');
  assert.equal(guestEvent('2017-03-15T05:13:20.109Z', new SourceStates(), undefined, read).hangwatch.time.suspect, undefined);
});

test('isSuspectGuestTime: the bounds, and times that are not numbers', () => {
  const read = Date.parse(READ);
  assert.equal(isSuspectGuestTime(read + 86_400_000, read, undefined), false);
  assert.equal(isSuspectGuestTime(read + 86_400_001, read, undefined), true);
  assert.equal(isSuspectGuestTime(Date.UTC(2000, 0, 1), read, undefined), false);
  assert.equal(isSuspectGuestTime(Date.UTC(2000, 0, 1) - 1, read, undefined), true);
  assert.equal(isSuspectGuestTime(read, Number.NaN, undefined), false);
  assert.equal(isSuspectGuestTime(Number.NaN, read, undefined), false);
  assert.equal(isSuspectGuestTime(read - 366 * 86_400_000, read, read), true);
});
