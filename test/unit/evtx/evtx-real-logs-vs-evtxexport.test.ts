import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { readXmlEventRecord } from '../../../services/parser/core/windows/event-xml-record.js';
import { listRealLogs, parseRealLog, REAL_LOGS_DIR } from '../../grammars/real-logs/harness.js';
import { assertSameAsEvtxexport, ensureEvtxexport, eventTree, exportedRecords, ourRecordsTolerant, sameValue, type ExportedRecord } from './evtxexport-compare.js';

// Every real EVTX file of test/fixtures/real-logs/evtx (origins in its SOURCES.md) read by our reader and by
// libevtx's evtxexport, record by record, twice: the decoder's records against evtxexport's (record numbers,
// written times, event ids, TimeCreated, every EventData value, the whole event tree), then what `hangwatch parse
// --format evtx` gives (the same reader and parser core, through the harness) against the fields of evtxexport's
// XML: record id, event id, time, provider, computer, channel and event data. What evtxexport leaves out we leave
// out too, but never silently: each unreadable chunk or record is one dead letter, listed here with its reason.

/** The dead letters of each real file: `file offset: reason` (nothing else may be dead-lettered). */
const EXPECTED_DAMAGE: Readonly<Record<string, readonly string[]>> = {
  'Application_no_crc32.evtx': [],
  'new-user-security.evtx': [],
  // 4 KiB pages of this file were zeroed (a sparse copy): two chunk headers are gone, and three chunks end in a
  // record whose second half is zeros. evtxexport gives the same 267 records and none of these.
  'sample_with_a_bad_chunk_magic.evtx': [
    '0x2fc0: record at file offset 0x2fc0: record 46741: size 472 and its trailing copy 0 differ; the chunk header lists records 46742-46857 after it: not read',
    '0x61000: chunk at file offset 0x61000: chunk signature is not ElfChnk: 15 records inside by their signatures (ids 47613-47627), unreadable without the chunk header',
    '0x72e68: record at file offset 0x72e68: record 47640: size 504 and its trailing copy 0 differ; the chunk header lists records 47641-47705 after it: not read',
    '0x9ee40: record at file offset 0x9ee40: record 45933: size 504 and its trailing copy 0 differ; the chunk header lists records 45934-45949 after it: not read',
    '0xa1000: chunk at file offset 0xa1000: chunk signature is not ElfChnk: 67 records inside by their signatures (ids 45963-46029), unreadable without the chunk header',
  ],
  'security.evtx': [],
  'system.evtx': [],
};

function winlog(e: EcsEvent): Record<string, unknown> {
  return (e as unknown as { winlog: Record<string, unknown> }).winlog;
}

/** What hangwatch made of a record against the same fields read from evtxexport's XML for it. */
function assertSameEvent(event: EcsEvent, theirs: ExportedRecord, where: string): void {
  const { record, systemTime } = readXmlEventRecord(eventTree(theirs.xml));
  const ours = winlog(event);
  assert.equal(ours.record_id, record.recordId, `${where}: record id`);
  assert.equal(ours.event_id, record.eventId, `${where}: event id`);
  assert.equal(event.event.code, record.eventId, `${where}: event.code`);
  assert.equal(ours.provider_name, record.providerName, `${where}: provider`);
  assert.equal(ours.computer_name, record.computerName, `${where}: computer`);
  assert.equal(ours.channel, record.channel, `${where}: channel`);
  assert.ok(systemTime, `${where}: evtxexport gives a TimeCreated`);
  assert.equal(event['@timestamp'], `${systemTime.slice(0, 23)}Z`, `${where}: time`);
  assert.equal(event.hangwatch.time.basis, 'explicit', `${where}: time basis`);
  const data = (ours.event_data ?? {}) as Record<string, string>;
  assert.deepEqual(Object.keys(data), Object.keys(record.eventData), `${where}: event data names`);
  for (const [name, value] of Object.entries(record.eventData)) {
    assert.ok(sameValue(name, data[name] ?? '', value), `${where}: ${name}: ours ${JSON.stringify(data[name])}, evtxexport ${JSON.stringify(value)}`);
  }
}

for (const name of listRealLogs('evtx')) {
  test(`real-logs/evtx/${name}: hangwatch parse gives exactly evtxexport's records, the rest as explained dead letters`, async (t) => {
    ensureEvtxexport();
    const path = join(REAL_LOGS_DIR, 'evtx', name);
    const theirs = exportedRecords(path);

    const decoded = ourRecordsTolerant(readFileSync(path));
    assertSameAsEvtxexport(decoded.records, theirs);

    const outcome = await parseRealLog('evtx', name);
    assert.equal(outcome.events.length, theirs.length, 'events: one per evtxexport record');
    outcome.events.forEach((event, i) => assertSameEvent(event, theirs[i] as ExportedRecord, `record ${String((theirs[i] as ExportedRecord).recordId)}`));
    const letters = outcome.deadletters.map((d) => `0x${(d.log?.offset ?? -1).toString(16)}: ${d.error.message.replace(/^damaged EVTX /, '')}`);
    assert.deepEqual(letters, EXPECTED_DAMAGE[name] ?? [], 'dead letters');
    for (const d of outcome.deadletters) assert.equal(d.error.code, 'HW_EVTX_DAMAGED');
    t.diagnostic(`evtxexport ${theirs.length} records; hangwatch parse ${outcome.events.length} events, ${outcome.deadletters.length} dead letters`);
  });
}
