import { test } from 'node:test';
import assert from 'node:assert/strict';
import { windowsEventId } from '../../../shared/identity.js';
import { describeRealLogs, parseRealLog } from './harness.js';

// Real public winlogbeat records (test/fixtures/real-logs/winlogbeat, origins in ../SOURCES.md): each file against its golden key fields.
describeRealLogs('winlogbeat', test);

test('elastic/beats golden files (pretty-printed JSON arrays): one Security event each, the 7-digit time kept', async () => {
  const expected: Array<[string, string, string, string, string]> = [
    ['beats-security-1100.evtx.golden.json', '1100', '14257', '2019-11-07T10:37:04.226Z', '2019-11-07T10:37:04.2260925Z'],
    ['beats-security-1102.evtx.golden.json', '1102', '14224', '2019-11-07T10:34:29.055Z', '2019-11-07T10:34:29.0559196Z'],
    // The older stored version: event_id and event.code as numbers.
    ['beats-security-1105.evtx.golden.json', '1105', '18197', '2019-11-07T16:22:14.842Z', '2019-11-07T16:22:14.8425353Z'],
  ];
  for (const [name, code, recordId, timestamp, timeCreated] of expected) {
    const { records, events, deadletters } = await parseRealLog('winlogbeat', name);
    assert.deepEqual([records, events.length, deadletters.length], [1, 1, 0], name);
    const e = events[0];
    assert.equal(e?.event.code, code, name);
    assert.equal(e?.winlog?.event_id, code, name);
    assert.equal(e?.winlog?.record_id, recordId, name);
    assert.equal(e?.winlog?.channel, 'Security', name);
    assert.equal(e?.host?.name, 'WIN-41OB2LO92CR.wlbeat.local', name);
    assert.equal(e?.['@timestamp'], timestamp, name);
    assert.equal(e?.winlog?.time_created, timeCreated, name);
    assert.equal(e?.hangwatch.time.basis, 'explicit', name);
    assert.equal(e?.event.id, windowsEventId('WIN-41OB2LO92CR.wlbeat.local', 'Security', recordId), name);
  }
  // user_data (LogFileCleared, AutoBackup) is flattened into event_data as the XML path does.
  const cleared = (await parseRealLog('winlogbeat', 'beats-security-1102.evtx.golden.json')).events[0];
  assert.equal(cleared?.winlog?.event_data?.SubjectUserName, 'Administrator');
  const backup = (await parseRealLog('winlogbeat', 'beats-security-1105.evtx.golden.json')).events[0];
  assert.equal(backup?.winlog?.event_data?.BackupPath, 'C:\\Windows\\System32\\Winevt\\Logs\\Archive-Security-2019-11-07-16-22-14-780.evtx');
});

test('Winlogbeat 7.2 documents from Kafka (NDJSON): 6005 is a system boot on computer abcdefg1234, read at event.created', async () => {
  const { records, events, deadletters } = await parseRealLog('winlogbeat', 'logprep-winlogbeat-7.2-system-kafka.ndjson');
  assert.deepEqual([records, events.length, deadletters.length], [3, 3, 0]);
  const boot = events[0];
  assert.equal(boot?.event.action, 'system-boot');
  assert.equal(boot?.['@timestamp'], '2019-08-02T09:46:20.000Z');
  assert.equal(boot?.host?.name, 'abcdefg1234');
  assert.equal(boot?.winlog?.record_id, '11571');
  assert.equal(boot?.event.created, '2019-08-02T09:55:11.996Z');
  // The test authors edited the 7036 ids to 1234: no Windows meaning, so `other`.
  assert.deepEqual(
    events.slice(1).map((e) => [e.event.code, e.event.action, e.winlog?.provider_name]),
    [
      ['1234', 'other', 'Service Control Manager'],
      ['1234', 'other', 'Service Control Manager'],
    ],
  );
});
