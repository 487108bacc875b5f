import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { describeRealLogs, FIXED_MTIME, parseRealLog } from './harness.js';

// Real public windbg records (test/fixtures/real-logs/windbg, origins in ../SOURCES.md): each file against its golden key fields.
describeRealLogs('windbg', test);

const MTIME = FIXED_MTIME.toISOString();

/** The one event a real report gives (no dead letter), checked against its key facts. */
async function onlyEvent(name: string): Promise<EcsEvent> {
  const outcome = await parseRealLog('windbg', name);
  assert.equal(outcome.deadletters.length, 0, `${name}: ${JSON.stringify(outcome.deadletters[0])}`);
  assert.equal(outcome.events.length, 1, name);
  return outcome.events[0]!;
}

function assertUndated(e: EcsEvent): void {
  assert.equal(e['@timestamp'], MTIME);
  assert.equal(e.hangwatch.time.basis, 'file-mtime');
  assert.ok(e.hangwatch.parse.flags?.includes('time-from-context'));
}

test('adguard-2047: a Windows 7 report whose only marker is BUGCHECK_STR 0xD1 is a D1 bugcheck without parameters, dated by mtime', async () => {
  const e = await onlyEvent('adguard-2047-win7-bugcheck-str-d1.txt');
  assert.deepEqual(e.windows?.bugcheck, { code: '0x000000d1', name: 'DRIVER_IRQL_NOT_LESS_OR_EQUAL' });
  assert.ok(e.hangwatch.parse.flags?.includes('bugcheck-parameters-missing'));
  assert.equal(e.windows?.windbg?.image_name, 'adgnetworktdidrv.sys');
  assertUndated(e);
});

test('bthps3-42: DRIVER_POWER_STATE_FAILURE subcode 3 from the Arg lines; FILE_IN_CAB names the minidump', async () => {
  const e = await onlyEvent('bthps3-42-power-9f.txt');
  assert.deepEqual(e.windows?.bugcheck?.parameters, ['0x3', '0xffffcd0990d7ade0', '0xfffff80058091850', '0xffffcd0990b93010']);
  assert.equal(e.windows?.bugcheck?.name, 'DRIVER_POWER_STATE_FAILURE');
  assert.equal(e.windows?.windbg?.dump_file, '050122-10500-01.dmp');
  assertUndated(e);
});

test('ddimon-35 and npcap-663: single-DPC DPC_WATCHDOG_VIOLATION, tab-indented argument continuations', async () => {
  for (const [name, p4] of [['ddimon-35-dpc-watchdog-133-backtick.txt', '0xfffff8045cd73358'], ['npcap-663-dpc-watchdog-133.txt', '0xfffff8004c8fb320']] as const) {
    const e = await onlyEvent(name);
    assert.deepEqual(e.windows?.bugcheck?.parameters, ['0x0', '0x501', '0x500', p4], name);
    assert.deepEqual(e.windows?.bugcheck?.arguments, { violation: 'single-dpc', time_count_ticks: 0x501, time_limit_ticks: 0x500 }, name);
    assertUndated(e);
  }
});

test('guardmon-2: the D1 heading lost its Arg lines; the BugCheck summary gives the parameters', async () => {
  const e = await onlyEvent('guardmon-2-d1-short-and-analyze.txt');
  assert.deepEqual(e.windows?.bugcheck, { code: '0x000000d1', name: 'DRIVER_IRQL_NOT_LESS_OR_EQUAL', parameters: ['0xfffff6fb7dbed000', '0xff', '0x85', '0xfffff8064d25420c'] });
  assertUndated(e);
});

test('msdocs-1617: unknown bugcheck 19c then WIN32K_POWER_WATCHDOG_TIMEOUT (19c) is one event with the named reading', async () => {
  const e = await onlyEvent('msdocs-1617-19c-unknown-then-known.txt');
  assert.deepEqual(e.windows?.bugcheck, { code: '0x0000019c', name: 'WIN32K_POWER_WATCHDOG_TIMEOUT', parameters: ['0x50', '0xffffb58f3dd24080', '0x0', '0x0'] });
  assertUndated(e);
});

test('msdocs-2348: WHEA_UNCORRECTABLE_ERROR (124) pasted after a line of prose', async () => {
  const e = await onlyEvent('msdocs-2348-whea-124.txt');
  assert.deepEqual(e.windows?.bugcheck, { code: '0x00000124', name: 'WHEA_UNCORRECTABLE_ERROR', parameters: ['0x10', '0xffffd08957035028', '0xffffd08941b10aac', '0xffffd08941b1b1a0'] });
  assertUndated(e);
});

test('openzfs-562: DRIVER_POWER_STATE_FAILURE subcode 4 (PnP lock held 300 s)', async () => {
  const e = await onlyEvent('openzfs-win-562-9f-pnp-4.txt');
  assert.deepEqual(e.windows?.bugcheck?.parameters, ['0x4', '0x12c', '0xffffe20f7c803040', '0xfffff588255df140']);
  assertUndated(e);
});

test('shark-38: D1 after Chinese prose and C code, one Arg line annotated by the reporter', async () => {
  const e = await onlyEvent('shark-38-d1-annotated.txt');
  assert.deepEqual(e.windows?.bugcheck, { code: '0x000000d1', name: 'DRIVER_IRQL_NOT_LESS_OR_EQUAL', parameters: ['0xffffa0012dc38000', '0x2', '0x0', '0xffffb68e63408ed4'] });
  assertUndated(e);
});

test('npcap-324: the banner alone (cut before the analysis) dates the MEMORY.DMP at 2019-12-24 17:57:18.165 UTC+8', async () => {
  const e = await onlyEvent('npcap-324-banner-utc8.txt');
  assert.equal(e['@timestamp'], '2019-12-24T09:57:18.165Z');
  assert.equal(e.hangwatch.time.basis, 'explicit');
  assert.equal(e.hangwatch.time.zone, '+08:00');
  assert.equal(e.windows?.bugcheck, undefined);
  assert.ok(e.hangwatch.parse.flags?.includes('bugcheck-not-in-report'));
  assert.equal(e.windows?.windbg?.gmt_offset_minutes, 480);
  assert.equal(e.windows?.windbg?.boot_time, '2019-12-14T06:35:36.173Z');
  assert.equal(e.windows?.windbg?.processors, 12);
});

test('ovpn-dco-119: minidump session at 2025-07-15 17:52:21.881 UTC+3, cut inside the Bugcheck Analysis banner', async () => {
  const e = await onlyEvent('ovpn-dco-119-banner-utc3.txt');
  assert.equal(e['@timestamp'], '2025-07-15T14:52:21.881Z');
  assert.equal(e.hangwatch.time.basis, 'explicit');
  assert.equal(e.windows?.windbg?.gmt_offset_minutes, 180);
  assert.equal(e.windows?.windbg?.boot_time, '2025-07-15T09:23:35.814Z');
  assert.equal(e.windows?.windbg?.dump_file, 'C:\\Temp\\minidump\\2.5.6\\2\\071525-14187-01.dmp');
  assert.ok(e.hangwatch.parse.flags?.includes('bugcheck-not-in-report'));
});

test('sklib-12: the Extensions Gallery preamble is not a record; the session that follows has no time and no bugcheck yet', async () => {
  const e = await onlyEvent('sklib-12-gallery-preamble-101.txt');
  assert.equal(e.windows?.windbg?.dump_file, 'C:\\Windows\\Minidump\\042025-74062-01.dmp');
  assert.ok(e.hangwatch.parse.flags?.includes('bugcheck-not-in-report'));
  assertUndated(e);
});
