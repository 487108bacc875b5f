import { test } from 'node:test';
import assert from 'node:assert/strict';
import { windowsEventId } from '../../../shared/identity.js';
import { describeRealLogs, parseRealLog } from './harness.js';

// Real public winevent-xml records (test/fixtures/real-logs/winevent-xml, origins in ../SOURCES.md): each file against its golden key fields.
describeRealLogs('winevent-xml', test);

test('Event Viewer copies with outline markers: one record each, the event and no dead letter for the markers', async () => {
  const shutdown = await parseRealLog('winevent-xml', 'eventviewer-friendly-eventlog-6008.xml');
  assert.deepEqual([shutdown.records, shutdown.events.length, shutdown.deadletters.length], [1, 1, 0]);
  const e = shutdown.events[0];
  assert.equal(e?.event.action, 'unexpected-shutdown');
  assert.equal(e?.['@timestamp'], '2025-11-25T15:33:46.305Z');
  assert.equal(e?.winlog?.time_created, '2025-11-25T15:33:46.3051443Z');
  assert.equal(e?.host?.name, 'TOOTHLESS');
  assert.equal(e?.event.id, windowsEventId('TOOTHLESS', 'System', '139000'));
  // The lost shutdown: 10:23:28 AM local on 11/25/2025, 15:23:28 UTC by the record's SYSTEMTIMEs (UTC-5).
  assert.deepEqual(e?.windows?.shutdown, {
    local_time: '10:23:28 AM',
    local_date: '11/25/2025',
    local_datetime: '2025-11-25T10:23:28',
    time_utc: '2025-11-25T15:23:28.357Z',
    offset_minutes: -300,
  });
  const tpm = await parseRealLog('winevent-xml', 'eventviewer-friendly-tpm-1801.xml');
  assert.deepEqual([tpm.records, tpm.events.length, tpm.deadletters.length], [1, 1, 0]);
  assert.deepEqual([tpm.events[0]?.event.code, tpm.events[0]?.event.action, tpm.events[0]?.log?.level], ['1801', 'other', 'error']);
  // Mixed markers (root without, children with) from a blog's XML view copy: Kernel-Power 524 is no hang signal.
  const battery = await parseRealLog('winevent-xml', 'blog-kernel-power-524.xml');
  assert.deepEqual(
    [battery.events.length, battery.deadletters.length, battery.events[0]?.event.action, battery.events[0]?.winlog?.event_data?.RemainingPercentage],
    [1, 0, 'other', '1'],
  );
});

test('wevtutil and Windows-rendered single-line XML: Kernel-Power 42, EventCreate 1000, Application-log WER 1001', async () => {
  const sleep = (await parseRealLog('winevent-xml', 'wevtutil-kernel-power-42.xml')).events[0];
  assert.deepEqual(
    [sleep?.event.code, sleep?.event.action, sleep?.host?.name, sleep?.winlog?.time_created, sleep?.winlog?.event_data?.TargetState],
    ['42', 'other', 'X', '2026-10-08T19:30:43.6509771Z', '6'],
  );
  const custom = (await parseRealLog('winevent-xml', 'beats-ec1.xml')).events[0];
  assert.deepEqual([custom?.event.code, custom?.log?.level, custom?.winlog?.event_data?.param1], ['1000', 'error', 'My custom error event for the application log']);
  // 1001 from Windows Error Reporting in the Application log is an application crash report, not a bugcheck.
  const wer = (await parseRealLog('winevent-xml', 'beats-application-windows-error-reporting.xml')).events[0];
  assert.deepEqual([wer?.event.code, wer?.event.action, wer?.windows, wer?.winlog?.event_data?.param3], ['1001', 'other', undefined, 'WindowsWcpOtherFailure3']);
  assert.ok(wer?.winlog?.event_data?.param16?.includes('CbsPersist_20200212163557.log'));
});
