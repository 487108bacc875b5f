import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { describeRealLogs, parseRealLog } from './harness.js';

// Real public evtx records (test/fixtures/real-logs/evtx, origins in ../SOURCES.md): each file against its golden key fields,
// and the key facts of each file stated outright. Record by record agreement with libevtx's evtxexport is checked in
// test/unit/evtx/evtx-real-logs-vs-evtxexport.test.ts.
describeRealLogs('evtx', test);

function winlog(e: EcsEvent | undefined): { record_id?: string; event_data?: Record<string, string>; channel?: string; provider_name?: string } {
  return (e as unknown as { winlog?: Record<string, never> } | undefined)?.winlog ?? {};
}

const flagged = (events: EcsEvent[], flag: string): number => events.filter((e) => e.hangwatch.parse?.flags?.includes(flag)).length;

test('Application_no_crc32.evtx: a Windows 10 file written without CRCs gives its 17 records, 426-442, nothing flagged', async () => {
  const { events, deadletters } = await parseRealLog('evtx', 'Application_no_crc32.evtx');
  assert.deepEqual(deadletters, []);
  assert.deepEqual(
    events.map((e) => winlog(e).record_id),
    Array.from({ length: 17 }, (_, i) => String(426 + i)),
  );
  assert.equal(flagged(events, 'evtx-crc-mismatch'), 0, 'no CRC was written, so none disagrees');
  const [first] = events;
  assert.equal(first?.['@timestamp'], '2021-03-31T23:51:45.018Z');
  assert.equal(first?.host?.name, 'DESKTOP-0HIJB49');
  assert.equal(winlog(first).channel, 'Application');
  assert.equal(winlog(first).provider_name, 'SecurityCenter');
});

test('new-user-security.evtx: the four records of a user creation on IE8Win7 (4728, 4720, 4732, 4732)', async () => {
  const { events, deadletters } = await parseRealLog('evtx', 'new-user-security.evtx');
  assert.deepEqual(deadletters, []);
  assert.deepEqual(
    events.map((e) => [winlog(e).record_id, e.event.code, e['@timestamp'], e.host?.name]),
    [
      ['111', '4728', '2013-10-23T16:22:39.973Z', 'IE8Win7'],
      ['112', '4720', '2013-10-23T16:22:39.973Z', 'IE8Win7'],
      ['113', '4732', '2013-10-23T16:22:39.973Z', 'IE8Win7'],
      ['116', '4732', '2013-10-23T16:22:40.004Z', 'IE8Win7'],
    ],
  );
});

test('sample_with_a_bad_chunk_magic.evtx: 267 records; the two headerless chunks and the three records cut by zeroed pages are dead letters saying which records they take', async () => {
  const { events, deadletters } = await parseRealLog('evtx', 'sample_with_a_bad_chunk_magic.evtx');
  assert.equal(events.length, 267);
  assert.ok(events.every((e) => winlog(e).channel === 'Microsoft-Windows-AppXDeployment/Operational' && e.host?.name === 'DESKTOP-1N4R894'));
  assert.equal(flagged(events, 'evtx-crc-mismatch'), 138, 'the records of the three chunks whose records CRC covers the zeroed pages');
  assert.deepEqual(
    deadletters.map((d) => [d.log?.offset, d.error.code, d.error.message.match(/chunk signature is not ElfChnk|record \d+: size \d+ and its trailing copy 0 differ/)?.[0]]),
    [
      [0x2fc0, 'HW_EVTX_DAMAGED', 'record 46741: size 472 and its trailing copy 0 differ'],
      [0x61000, 'HW_EVTX_DAMAGED', 'chunk signature is not ElfChnk'],
      [0x72e68, 'HW_EVTX_DAMAGED', 'record 47640: size 504 and its trailing copy 0 differ'],
      [0x9ee40, 'HW_EVTX_DAMAGED', 'record 45933: size 504 and its trailing copy 0 differ'],
      [0xa1000, 'HW_EVTX_DAMAGED', 'chunk signature is not ElfChnk'],
    ],
  );
  assert.match(deadletters[1]?.error.message ?? '', /15 records inside by their signatures \(ids 47613-47627\)/);
});

test('security.evtx: all 2261 records, record 55 (4739) included, its U+0003 values kept as Windows logged them', async () => {
  const { events, deadletters } = await parseRealLog('evtx', 'security.evtx');
  assert.deepEqual(deadletters, []);
  assert.equal(events.length, 2261);
  const policy = events.find((e) => winlog(e).record_id === '55');
  assert.equal(policy?.event.code, '4739');
  assert.equal(policy?.['@timestamp'], '2016-07-08T18:15:23.413Z');
  assert.equal(policy?.host?.name, 'WIN-03DLIIOFRRA');
  assert.equal(winlog(policy).event_data?.MinPasswordAge, '\u0003');
  assert.equal(winlog(policy).event_data?.LockoutThreshold, '\u0003');
  assert.match(policy?.event.original ?? '', /<Data Name="MinPasswordAge">\\u0003<\/Data>/, 'event.original stays well-formed XML');
});

test('system.evtx: 1881 records of two machines, their boots, shutdowns and planned restarts', async () => {
  const { events, deadletters } = await parseRealLog('evtx', 'system.evtx');
  assert.deepEqual(deadletters, []);
  assert.equal(events.length, 1881);
  assert.deepEqual([...new Set(events.map((e) => e.host?.name))], ['WIN-P4SIAA0SQCO', 'DESKTOP-2KGM189']);
  const byAction = (action: string): Array<[string | undefined, string | undefined]> =>
    events.filter((e) => e.event.action === action).map((e) => [winlog(e).record_id, e['@timestamp']]);
  assert.deepEqual(byAction('system-shutdown'), [
    ['168', '2017-07-12T17:17:45.433Z'],
    ['301', '2017-07-12T17:20:11.393Z'],
  ]);
  assert.deepEqual(byAction('planned-restart').map(([id]) => id), ['169', '298']);
  assert.equal(events.find((e) => winlog(e).record_id === '169')?.['@timestamp'], '2017-07-12T17:17:44.948Z');
  assert.equal(byAction('system-boot').length, 6);
});
