import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { RawRecord } from '../../shared/raw-record.js';
import { parseRecord, SourceStates } from '../../services/parser/core/parse-record.js';
import { windbgParser } from '../../services/parser/core/formats/windbg.js';
import { assertGolden, FIXED_CREATED, listFixtures, parseFile, registryOf } from './golden.js';

// Golden fixtures for WinDbg `!analyze -v` reports (one report per record). Sources: test/grammars/fixtures/windbg/SOURCES.md.

const dir = join(import.meta.dirname, 'fixtures', 'windbg');
const registry = registryOf(windbgParser);
const parseOptions = { maxRecordBytes: 1 << 20, validate: true };

for (const file of listFixtures(dir)) {
  test(`windbg golden: ${file.replace(/^.*fixtures\//, '')}`, () => {
    const outcome = parseFile(file, registry, { format: 'windbg', framing: 'whole', parseOptions });
    assert.equal(outcome.deadletters.length, 0, JSON.stringify(outcome.deadletters[0]?.error));
    assert.equal(outcome.events.length, 1);
    assertGolden(file, outcome);
  });
}

for (const file of listFixtures(join(dir, 'invalid'))) {
  test(`windbg invalid: ${file.replace(/^.*fixtures\//, '')} is a dead letter`, () => {
    const outcome = parseFile(file, registry, { format: 'windbg', framing: 'whole', parseOptions });
    assert.equal(outcome.events.length, 0);
    assert.equal(outcome.deadletters.length, 1);
    assertGolden(file, outcome);
  });
}

test('seed report: bugcheck 0x101 decoded, session time in UTC from GMT+8, boot time from uptime', () => {
  const { events } = parseFile(join(dir, 'seed-win7-x86-clock-watchdog.txt'), registry, { format: 'windbg', framing: 'whole', parseOptions });
  const e = events[0];
  assert.ok(e);
  assert.equal(e['@timestamp'], '2017-03-15T05:11:54.777Z');
  assert.equal(e.hangwatch.time.basis, 'explicit');
  assert.deepEqual(e.windows?.bugcheck, {
    code: '0x00000101',
    name: 'CLOCK_WATCHDOG_TIMEOUT',
    parameters: ['0x61', '0x0', '0x807a3120', '0x1'],
    arguments: { timeout_ticks: 97, prcb: '0x807a3120', processor: 1 },
  });
  const w = e.windows?.windbg;
  assert.equal(w?.gmt_offset_minutes, 480);
  assert.equal(w?.uptime_ms, 5 * 3_600_000 + 52_740);
  assert.equal(w?.boot_time, '2017-03-15T00:11:02.037Z');
  assert.equal(w?.processors, 2);
  assert.equal(w?.os_build, '7601.18205.x86fre.win7sp1_gdr.130708-1532');
  assert.equal(w?.bugcheck_str, 'CLOCK_WATCHDOG_TIMEOUT_2_PROC');
  assert.equal(w?.process_name, 'System');
  assert.equal(w?.current_irql, '1c');
  assert.equal(w?.module_name, 'Unknown_Module');
  assert.equal(w?.image_name, 'Unknown_Image');
  assert.equal(w?.failure_bucket_id, 'CLOCK_WATCHDOG_TIMEOUT_2_PROC_ANALYSIS_INCONCLUSIVE');
  assert.equal(w?.stack_frames, 27);
  assert.equal(w?.stack?.[0], 'nt!KeBugCheckEx+0x1e');
  assert.equal(w?.stack?.[9], 'Ntfs+0x7ed3f');
  assert.equal(e.event.action, 'bugcheck');
  assert.equal(e.event.dataset, 'windows.windbg');
});

test('newer WinDbg: (UTC + 8:00), 64-bit backtick arguments, BUGCHECK_P lines agree with Arg lines', () => {
  const { events } = parseFile(join(dir, 'win10-x64-clock-watchdog-newer-windbg.txt'), registry, { format: 'windbg', framing: 'whole', parseOptions });
  const e = events[0];
  assert.equal(e?.['@timestamp'], '2023-08-10T07:33:24.802Z');
  assert.deepEqual(e?.windows?.bugcheck?.parameters, ['0x30', '0x0', '0xffffa38a1c2e3180', '0x2']);
  assert.equal(e?.windows?.bugcheck?.arguments?.processor, 2);
  assert.equal(e?.windows?.windbg?.processors, 4);
  assert.equal(e?.windows?.windbg?.stack?.at(-1), '0xfffff805`75c2c2a1');
});

test('a report with no session time says so: basis ingest, no boot time', () => {
  const { events } = parseFile(join(dir, 'server2012-x64-dpc-watchdog-no-banner.txt'), registry, { format: 'windbg', framing: 'whole', parseOptions });
  const e = events[0];
  assert.equal(e?.hangwatch.time.basis, 'ingest');
  assert.equal(e?.['@timestamp'], FIXED_CREATED);
  assert.equal(e?.windows?.windbg?.boot_time, undefined);
  assert.deepEqual(e?.windows?.bugcheck?.arguments, { violation: 'single-dpc', time_count_ticks: 0x283, time_limit_ticks: 0x282 });
});

function record(text: string): RawRecord {
  return { bytes: Buffer.from(text), host: 'sc7', path: 'guests/vm113/analyze.txt', format: 'windbg', fingerprint: 'f', offset: 0, created: FIXED_CREATED };
}

test('100k stack frames: all counted, 64 kept, bounded work', () => {
  const frames = Array.from({ length: 100_000 }, (_, i) => `807fc5e4 83c8e117 00000101 00000061 00000000 nt!Frame${i}+0x1e`).join('\n');
  const text = `CLOCK_WATCHDOG_TIMEOUT (101)\nArguments:\nArg1: 00000061, x\nArg2: 00000000, 0.\nArg3: 807a3120, y\nArg4: 00000001, 0.\n\nSTACK_TEXT:  \n${frames}\n\nFAILURE_BUCKET_ID:  X\n`;
  const outcome = parseRecord(record(text), registry, new SourceStates(), { maxRecordBytes: 64 << 20, validate: true });
  assert.equal(outcome.deadletters.length, 0);
  const w = outcome.events[0]?.windows?.windbg;
  assert.equal(w?.stack_frames, 100_000);
  assert.equal(w?.stack?.length, 64);
  assert.equal(w?.failure_bucket_id, 'X');
  assert.ok(outcome.events[0]?.hangwatch.parse.flags?.includes('stack-truncated'));
});

test('a report over maxRecordBytes is a dead letter, not a crash', () => {
  const outcome = parseRecord(record('CLOCK_WATCHDOG_TIMEOUT (101)\n' + 'x'.repeat(2 << 20)), registry, new SourceStates(), parseOptions);
  assert.equal(outcome.deadletters[0]?.error.code, 'HW_RECORD_TOO_LARGE');
});

test('the no-bugcheck dead letter names what was expected', () => {
  const outcome = parseRecord(record('PROCESS_NAME:  System\n'), registry, new SourceStates(), parseOptions);
  assert.equal(outcome.deadletters[0]?.error.code, 'HW_PARSE_NO_MATCH');
  assert.ok(outcome.deadletters[0]?.hangwatch.expected?.includes('BUGCHECK_CODE:'));
});

test('format auto-detection recognizes a WinDbg report by its content', () => {
  const text = 'Microsoft (R) Windows Debugger Version 6.11.0001.404 X86\n\nCLOCK_WATCHDOG_TIMEOUT (101)\nArg1: 00000061, x\n';
  const outcome = parseRecord({ ...record(text), path: 'guests/vm113/report.txt', format: 'auto' }, registry, new SourceStates(), parseOptions);
  assert.equal(outcome.events[0]?.hangwatch.source?.format, 'windbg');
  assert.equal(outcome.events[0]?.windows?.bugcheck?.code, '0x00000101');
});
