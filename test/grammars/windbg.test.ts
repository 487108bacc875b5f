import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { RawRecord } from '../../shared/raw-record.js';
import { parseRecord, SourceStates } from '../../services/parser/core/parse-record.js';
import { windbgParser } from '../../services/parser/core/formats/windbg.js';
import { assertGolden, FIXED_CREATED, FIXED_MTIME, listFixtures, parseFile, registryOf } from './golden.js';
import { bugcheckCodeOfName, bugcheckNameOf } from '../../services/parser/core/bugcheck.js';
import { parseZone } from '../../shared/time.js';

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

test('a report with no session time takes the file\'s modification time and says the correlator may date it', () => {
  const { events } = parseFile(join(dir, 'server2012-x64-dpc-watchdog-no-banner.txt'), registry, { format: 'windbg', framing: 'whole', parseOptions });
  const e = events[0];
  assert.equal(e?.hangwatch.time.basis, 'file-mtime');
  assert.equal(e?.['@timestamp'], FIXED_MTIME);
  assert.ok(e?.hangwatch.parse.flags?.includes('time-from-context'));
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

function parseText(text: string, options: Partial<typeof parseOptions> & { guestZone?: ReturnType<typeof parseZone> } = {}, mtime?: string) {
  const raw = { ...record(text), ...(mtime ? { mtime } : {}) };
  return parseRecord(raw, registry, new SourceStates(), { ...parseOptions, ...options });
}

const CLASSIC_D1 = ['DRIVER_IRQL_NOT_LESS_OR_EQUAL (d1)', 'Arguments:', 'Arg1: ffffa0012dc38000, memory referenced', 'Arg2: 0000000000000002, IRQL', 'Arg3: 0000000000000000, value 0 = read operation, 1 = write operation', 'Arg4: ffffb68e63408ed4, address which referenced memory'];

test('a record without a session time and without a modification time is dated by the read time, and says so', () => {
  const outcome = parseText(CLASSIC_D1.join('\n'));
  const e = outcome.events[0];
  assert.equal(e?.hangwatch.time.basis, 'ingest');
  assert.equal(e?.['@timestamp'], FIXED_CREATED);
  assert.ok(e?.hangwatch.parse.flags?.includes('time-from-context'));
});

test('the file modification time dates a report without a session time (basis file-mtime), never silently the read time', () => {
  const e = parseText(CLASSIC_D1.join('\r\n'), {}, '2024-02-03T04:05:06.000Z').events[0];
  assert.equal(e?.['@timestamp'], '2024-02-03T04:05:06.000Z');
  assert.equal(e?.hangwatch.time.basis, 'file-mtime');
  assert.deepEqual(e?.windows?.bugcheck?.parameters, ['0xffffa0012dc38000', '0x2', '0x0', '0xffffb68e63408ed4']);
});

test('session time offsets: (GMT+8), (GMT-5), (UTC + 5:30), (UTC - 7:00), (UTC)', () => {
  const cases: Array<[string, string, number]> = [
    ['(GMT+8)', '2017-03-16T05:20:11.123Z', 480],
    ['(GMT-5)', '2017-03-16T18:20:11.123Z', -300],
    ['(UTC + 5:30)', '2017-03-16T07:50:11.123Z', 330],
    ['(UTC - 7:00)', '2017-03-16T20:20:11.123Z', -420],
    ['(UTC)', '2017-03-16T13:20:11.123Z', 0],
  ];
  for (const [zone, iso, offset] of cases) {
    const e = parseText(`Debug session time: Thu Mar 16 13:20:11.123 2017 ${zone}\nSystem Uptime: 0 days 0:20:11.123\n${CLASSIC_D1.join('\n')}`).events[0];
    assert.equal(e?.['@timestamp'], iso, zone);
    assert.equal(e?.hangwatch.time.basis, 'explicit');
    assert.equal(e?.windows?.windbg?.gmt_offset_minutes, offset);
    assert.equal(e?.windows?.windbg?.boot_time, new Date(Date.parse(iso) - 1_211_123).toISOString());
  }
});

test('a session time printed without a zone takes the configured guest zone, else stays a wall clock for the correlator', () => {
  const text = `Debug session time: Fri Jun 11 10:22:46 2004\n${CLASSIC_D1.join('\n')}`;
  const zoned = parseText(text, { guestZone: parseZone('+02:00') }).events[0];
  assert.equal(zoned?.['@timestamp'], '2004-06-11T08:22:46.000Z');
  assert.equal(zoned?.hangwatch.time.basis, 'zone');
  assert.equal(zoned?.hangwatch.time.zone, '+02:00');
  const wall = parseText(text).events[0];
  assert.equal(wall?.['@timestamp'], '2004-06-11T10:22:46.000Z');
  assert.equal(wall?.hangwatch.time.basis, 'zone');
  assert.equal(wall?.hangwatch.time.zone, undefined);
  assert.equal(wall?.windows?.windbg?.boot_time, undefined);
});

test('live kernel debugger: *** Fatal System Error with its parameters on the same or the next line', () => {
  const same = parseText('*** Fatal System Error: 0x00000050 (0xFFFFF80000000000,0x0000000000000000,0xFFFFF80000000000,0x0000000000000002)\n').events[0];
  assert.deepEqual(same?.windows?.bugcheck, { code: '0x00000050', name: 'PAGE_FAULT_IN_NONPAGED_AREA', parameters: ['0xfffff80000000000', '0x0', '0xfffff80000000000', '0x2'] });
  const next = parseText('\n*** Fatal System Error: 0x000000c4\n (0x000000D2,0x9655D4A8,0x9655D468,0x000000B0)\n\n').events[0];
  assert.deepEqual(next?.windows?.bugcheck, { code: '0x000000c4', name: 'DRIVER_VERIFIER_DETECTED_VIOLATION', parameters: ['0xd2', '0x9655d4a8', '0x9655d468', '0xb0'] });
  // Parameters only count right after their code line.
  const apart = parseText('*** Fatal System Error: 0x0000003b\nProbably caused by : ntoskrnl.exe\n(0x1,0x2,0x3,0x4)\n').events[0];
  assert.deepEqual(apart?.windows?.bugcheck, { code: '0x0000003b', name: 'SYSTEM_SERVICE_EXCEPTION' });
  assert.ok(apart?.hangwatch.parse.flags?.includes('bugcheck-parameters-missing'));
});

test('old reports whose only marker is BUGCHECK_STR: hex with or without a suffix, or a symbolic bucket', () => {
  const cases: Array<[string, string, string]> = [
    ['0xD1', '0x000000d1', 'DRIVER_IRQL_NOT_LESS_OR_EQUAL'],
    ['0x7f_8', '0x0000007f', 'UNEXPECTED_KERNEL_MODE_TRAP'],
    ['0x1E_c0000005_R', '0x0000001e', 'KMODE_EXCEPTION_NOT_HANDLED'],
    ['0x9F_3_POWER_DOWN_tcpip!x', '0x0000009f', 'DRIVER_POWER_STATE_FAILURE'],
    ['CLOCK_WATCHDOG_TIMEOUT_2_PROC', '0x00000101', 'CLOCK_WATCHDOG_TIMEOUT'],
    ['0x1000007E', '0x1000007e', 'SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M'],
  ];
  for (const [str, code, name] of cases) {
    const outcome = parseText(`FAULTING_IP: \nx+1\n\nDEFAULT_BUCKET_ID:  WIN7_DRIVER_FAULT\n\nBUGCHECK_STR:  ${str}\n\nPROCESS_NAME:  System\n`);
    assert.equal(outcome.deadletters.length, 0, str);
    assert.equal(outcome.events[0]?.windows?.bugcheck?.code, code, str);
    assert.equal(outcome.events[0]?.windows?.bugcheck?.name, name, str);
    assert.equal(outcome.events[0]?.windows?.bugcheck?.parameters, undefined);
  }
});

test('a report analysed twice (Unknown bugcheck code, then the named heading) is one event with the final code', () => {
  const text = [
    'Unknown bugcheck code (19c)', 'Unknown bugcheck description', 'Arguments:', 'Arg1: 0000000000000050', 'Arg2: ffffb58f3dd24080', '',
    'WIN32K_POWER_WATCHDOG_TIMEOUT (19c)', 'Arguments:', 'Arg1: 0000000000000050, Calling monitor driver to power on.', 'Arg2: ffffb58f3dd24080, x', 'Arg3: 0000000000000000', 'Arg4: 0000000000000000',
  ].join('\n');
  const outcome = parseText(text);
  assert.equal(outcome.events.length, 1);
  assert.deepEqual(outcome.events[0]?.windows?.bugcheck, { code: '0x0000019c', name: 'WIN32K_POWER_WATCHDOG_TIMEOUT', parameters: ['0x50', '0xffffb58f3dd24080', '0x0', '0x0'] });
  // Two different codes: the later heading wins, and the event says the markers disagreed.
  const differ = parseText(`BugCheck 101, {61, 0, 807a3120, 1}\n\n${CLASSIC_D1.join('\n')}`).events[0];
  assert.equal(differ?.windows?.bugcheck?.code, '0x000000d1');
  assert.ok(differ?.hangwatch.parse.flags?.includes('bugcheck-markers-disagree'));
});

test('pasted shapes: indented, quoted, annotated Arg lines, backtick halves, a heading with trailing blanks', () => {
  const text = [
    'The box froze, here it is:',
    '',
    '>     DRIVER_IRQL_NOT_LESS_OR_EQUAL (D1)   ',
    '>     Arguments:',
    '>     Arg1: fffff800`12345678      <-- this is rsp',
    '>     Arg2: 0000000000000002, IRQL',
    '>     Arg3: 0x0',
    '>     Arg4: FFFFB68E`63408ED4, address which referenced memory',
  ].join('\n');
  const outcome = parseText(text);
  assert.equal(outcome.deadletters.length, 0);
  assert.deepEqual(outcome.events[0]?.windows?.bugcheck?.parameters, ['0xfffff80012345678', '0x2', '0x0', '0xffffb68e63408ed4']);
  assert.equal(outcome.events[0]?.windows?.bugcheck?.name, 'DRIVER_IRQL_NOT_LESS_OR_EQUAL');
  assert.equal(outcome.events[0]?.hangwatch.parse.flags?.includes('windbg-lines-unparsed'), false);
});

test('several debugger sessions pasted into one text give one event each, each with its own time and dump', () => {
  const session = (dump: string, time: string, heading: string, args: string[]) =>
    ['Microsoft (R) Windows Debugger Version 10.0.22621.382 AMD64', `Loading Dump File [C:\\Windows\\Minidump\\${dump}]`, `Debug session time: ${time} (UTC + 1:00)`, '0: kd> !analyze -v', heading, 'Arguments:', ...args.map((a, i) => `Arg${i + 1}: ${a}`)].join('\n');
  const text = [
    session('031524-9421-01.dmp', 'Fri Mar 15 08:00:00.000 2024', 'DPC_WATCHDOG_VIOLATION (133)', ['0', '501', '500', 'fffff8004c8fb320']),
    '',
    session('031724-8812-01.dmp', 'Sun Mar 17 21:30:00.000 2024', 'CLOCK_WATCHDOG_TIMEOUT (101)', ['18', '0', 'ffffd0012c0d8180', '3']),
  ].join('\n');
  const outcome = parseText(text);
  assert.equal(outcome.deadletters.length, 0);
  assert.deepEqual(
    outcome.events.map((e) => [e['@timestamp'], e.windows?.bugcheck?.code, e.windows?.windbg?.dump_file]),
    [
      ['2024-03-15T07:00:00.000Z', '0x00000133', 'C:\\Windows\\Minidump\\031524-9421-01.dmp'],
      ['2024-03-17T20:30:00.000Z', '0x00000101', 'C:\\Windows\\Minidump\\031724-8812-01.dmp'],
    ],
  );
  assert.notEqual(outcome.events[0]?.event.id, outcome.events[1]?.event.id);
});

test('a debugger session cut before its bugcheck section is the record of a dump at a known time, not a dead letter', () => {
  const outcome = parseText('Microsoft (R) Windows Debugger Version 10.0.18362.1 AMD64\nLoading Dump File [C:\\Windows\\MEMORY.DMP]\nDebug session time: Tue Dec 24 17:57:18.165 2019 (UTC + 8:00)\nSystem Uptime: 10 days 3:21:41.992\nLoading Kernel Symbols\n');
  assert.equal(outcome.deadletters.length, 0);
  const e = outcome.events[0];
  assert.equal(e?.event.action, 'bugcheck');
  assert.equal(e?.windows?.bugcheck, undefined);
  assert.equal(e?.['@timestamp'], '2019-12-24T09:57:18.165Z');
  assert.ok(e?.hangwatch.parse.flags?.includes('bugcheck-not-in-report'));
});

test('code table: names for codes whose report gives none, _M variants derived, bucket names read back', () => {
  const expected: Record<string, string> = {
    '0x000000d1': 'DRIVER_IRQL_NOT_LESS_OR_EQUAL',
    '0x00000050': 'PAGE_FAULT_IN_NONPAGED_AREA',
    '0x0000009f': 'DRIVER_POWER_STATE_FAILURE',
    '0x00000101': 'CLOCK_WATCHDOG_TIMEOUT',
    '0x00000133': 'DPC_WATCHDOG_VIOLATION',
    '0x00000124': 'WHEA_UNCORRECTABLE_ERROR',
    '0x0000019c': 'WIN32K_POWER_WATCHDOG_TIMEOUT',
    '0x0000001e': 'KMODE_EXCEPTION_NOT_HANDLED',
    '0x0000003b': 'SYSTEM_SERVICE_EXCEPTION',
    '0x0000007e': 'SYSTEM_THREAD_EXCEPTION_NOT_HANDLED',
    '0x0000000a': 'IRQL_NOT_LESS_OR_EQUAL',
    '0x000000ef': 'CRITICAL_PROCESS_DIED',
    '0x00000139': 'KERNEL_SECURITY_CHECK_FAILURE',
    '0x0000018b': 'SECURE_KERNEL_ERROR',
    '0x000001ca': 'SYNTHETIC_WATCHDOG_TIMEOUT',
    '0x1000008e': 'KERNEL_MODE_EXCEPTION_NOT_HANDLED_M',
    '0xc000021a': 'WINLOGON_FATAL_ERROR',
  };
  for (const [code, name] of Object.entries(expected)) assert.equal(bugcheckNameOf(code), name, code);
  assert.equal(bugcheckNameOf('0x0000ffff'), undefined);
  assert.equal(bugcheckCodeOfName('DRIVER_IRQL_NOT_LESS_OR_EQUAL'), '0x000000d1');
  assert.equal(bugcheckCodeOfName('IRQL_NOT_LESS_OR_EQUAL_x'), '0x0000000a');
  assert.equal(bugcheckCodeOfName('WIN7_DRIVER_FAULT'), undefined);
});

test('WER 1001\'s sentence pasted beside a session cut before its analysis gives the bugcheck, in any language', () => {
  const text = [
    'Ereignisanzeige:',
    'Der Computer wurde nach einem schwerwiegenden Fehler neu gestartet. Der Fehler war: 0x00000133 (0x0000000000000000, 0x0000000000000501, 0x0000000000000500, 0xfffff8004c8fb320). Ein volles Abbild wurde gespeichert in: C:\\Windows\\MEMORY.DMP. Berichts-ID: 050224-9421-01.',
    '',
    'Microsoft (R) Windows Debugger Version 10.0.22621.382 AMD64',
    'Loading Dump File [C:\\Windows\\MEMORY.DMP]',
    'Debug session time: Thu May  2 11:59:41.250 2024 (UTC + 2:00)',
  ].join('\n');
  const outcome = parseText(text);
  assert.equal(outcome.events.length, 1);
  const e = outcome.events[0];
  assert.deepEqual(e?.windows?.bugcheck, { code: '0x00000133', name: 'DPC_WATCHDOG_VIOLATION', parameters: ['0x0', '0x501', '0x500', '0xfffff8004c8fb320'], arguments: { violation: 'single-dpc', time_count_ticks: 0x501, time_limit_ticks: 0x500 } });
  assert.equal(e?.['@timestamp'], '2024-05-02T09:59:41.250Z');
});

test('a report whose line breaks were lost: the heading and Arg values read from running text, prose look-alikes ignored', () => {
  const text = 'BSOD again: WHEA_UNCORRECTABLE_ERROR (124) A fatal hardware error has occurred. Arguments: Arg1: 0000000000000010, Error Source Type Arg2: ffffd08957035028 Arg3: ffffd08941b10aac Arg4: ffffd08941b1b1a0 Debugging Details: ...';
  const e = parseText(text).events[0];
  assert.deepEqual(e?.windows?.bugcheck, { code: '0x00000124', name: 'WHEA_UNCORRECTABLE_ERROR', parameters: ['0x10', '0xffffd08957035028', '0xffffd08941b10aac', '0xffffd08941b1b1a0'] });
  const prose = parseText('We set MAX_RETRY_COUNT (12) and PROCESS_NAME:  System but nothing else.');
  assert.equal(prose.events.length, 0);
  assert.equal(prose.deadletters[0]?.error.code, 'HW_PARSE_NO_MATCH');
});
