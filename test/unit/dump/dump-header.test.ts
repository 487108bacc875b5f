import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawRecord } from '../../../shared/raw-record.js';
import { readArtefactRecords } from '../../../services/parser/adapters/read-artefact-records.js';
import { readDumpHeader } from '../../../services/parser/core/dump/dump-header.js';
import { detectFormat } from '../../../services/parser/core/detect-format.js';
import { parseRecord, SourceStates } from '../../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../../services/parser/core/registry.js';
import { filetimeOf } from '../../fixtures/evtx/event-specs.js';
import { writeDumpHeader } from '../../fixtures/dump/dump-header-writer.js';

// Kernel dump headers, 32- and 64-bit, built from the documented layouts; truncated, wrong-signature and user-mode
// minidump files become clear dead letters (HW_DUMP_INVALID).

const CRASH = filetimeOf('2017-03-15T05:11:54.9210000Z');
const UPTIME = 3_723_500n * 10_000n; // 1 h 2 min 3.5 s in 100 ns units
const options = { maxRecordBytes: 1 << 20, validate: true };

function parseBytes(bytes: Uint8Array, path = 'guests/vm113/MEMORY.DMP') {
  const record: RawRecord = { bytes, host: 'kvm01', path, format: 'auto', fingerprint: 'f', offset: 0, created: '2026-01-01T00:00:00.000Z' };
  return parseRecord(record, FORMAT_PARSERS, new SourceStates(), options);
}

test('a 64-bit kernel dump header becomes a windows.dump bugcheck event', () => {
  const bytes = writeDumpHeader({ bits: 64, dumpType: 2, systemTime: CRASH, systemUpTime: UPTIME, processors: 4 });
  const { events, deadletters } = parseBytes(bytes);
  assert.deepEqual(deadletters, []);
  const [e] = events;
  assert.ok(e);
  assert.equal(e['@timestamp'], '2017-03-15T05:11:54.921Z');
  assert.equal(e.hangwatch.time.basis, 'explicit');
  assert.deepEqual([e.event.dataset, e.event.action, e.event.code], ['windows.dump', 'bugcheck', '0x00000101']);
  assert.deepEqual(e.windows?.bugcheck, {
    code: '0x00000101',
    name: 'CLOCK_WATCHDOG_TIMEOUT',
    parameters: ['0x31', '0x0', '0xfffff880009b2180', '0x1'],
    arguments: { timeout_ticks: 49, prcb: '0xfffff880009b2180', processor: 1 },
  });
  assert.deepEqual(e.windows?.dump, { machine: 'x64', processors: 4, os_version: '15.7601', build: 7601, bits: 64, signature: 'PAGEDU64', type: 'kernel', uptime_ms: 3_723_500, system_time: '2017-03-15T05:11:54.921Z' });
  assert.equal(e.hangwatch.parse?.flags, undefined, 'binary records get no invalid-utf8 / nul-bytes flags');
  assert.match(e.event.original ?? '', /^Signature=PAGEDU64 MajorVersion=15 MinorVersion=7601 MachineImageType=0x8664 /);
  assert.match(e.message ?? '', /^kernel dump, x64, 4 processors: bugcheck 0x00000101 CLOCK_WATCHDOG_TIMEOUT/);
});

test('a 32-bit kernel minidump (triage) header reads its own layout', () => {
  const bytes = writeDumpHeader({ bits: 32, dumpType: 4, systemTime: CRASH, systemUpTime: UPTIME, parameters: [0x61n, 0n, 0x807a3120n, 1n] });
  const header = readDumpHeader(bytes);
  assert.equal(header.bits, 32);
  assert.equal(header.machineImageType, 0x14c);
  assert.deepEqual(header.bugcheckParameters, [0x61n, 0n, 0x807a3120n, 1n]);
  const [e] = parseBytes(bytes, 'guests/vm113/Minidump/031517-12345-01.dmp').events;
  assert.equal(e?.windows?.dump?.type, 'triage');
  assert.equal(e?.windows?.dump?.machine, 'x86');
  assert.deepEqual(e?.windows?.bugcheck?.parameters, ['0x61', '0x0', '0x807a3120', '0x1']);
  assert.equal(e?.['@timestamp'], '2017-03-15T05:11:54.921Z');
});

test('fields the kernel left as PAGE are absent; no SystemTime means the read time, said so', () => {
  const bytes = writeDumpHeader({ bits: 64 });
  const header = readDumpHeader(bytes);
  assert.equal(header.dumpType, undefined);
  assert.equal(header.systemTime, undefined);
  assert.equal(header.systemUpTime, undefined);
  const [e] = parseBytes(bytes).events;
  assert.equal(e?.hangwatch.time.basis, 'ingest');
  assert.equal(e?.['@timestamp'], '2026-01-01T00:00:00.000Z');
});

test('truncated headers, wrong signatures and user-mode minidumps are dead letters that say why', () => {
  const cases: Array<[Uint8Array, RegExp]> = [
    [writeDumpHeader({ bits: 64, systemTime: CRASH }).subarray(0, 2048), /^invalid crash dump: truncated 64-bit dump header: 2048 of 4152 bytes$/],
    [writeDumpHeader({ bits: 32 }).subarray(0, 100), /^invalid crash dump: truncated 32-bit dump header: 100 of 4040 bytes$/],
    [new TextEncoder().encode('MDMP\u0093\u00a7\u0000\u0000 user-mode minidump'), /a user-mode minidump \(MDMP\), not a kernel crash dump/],
    [new TextEncoder().encode('PAGEXXXX and then nothing useful'), /unknown signature "PAGEXXXX"/],
  ];
  for (const [bytes, message] of cases) {
    const { events, deadletters } = parseBytes(bytes);
    assert.equal(events.length, 0);
    assert.equal(deadletters.length, 1);
    assert.equal(deadletters[0]?.error.code, 'HW_DUMP_INVALID');
    assert.match(deadletters[0]?.error.message ?? '', message);
  }
  // A file that is not a dump at all, named .dmp: detected by path, dead-lettered by the dump parser.
  const record: RawRecord = { bytes: new TextEncoder().encode('hello'), host: 'kvm01', path: 'x/MEMORY.DMP', format: 'dump', fingerprint: 'f', offset: 0, created: '2026-01-01T00:00:00.000Z' };
  assert.match(parseRecord(record, FORMAT_PARSERS, new SourceStates(), options).deadletters[0]?.error.message ?? '', /file too short|unknown signature/);
});

test('format detection by path and by magic bytes', () => {
  assert.equal(detectFormat('guests/vm/Windows/MEMORY.DMP', ''), 'dump');
  assert.equal(detectFormat('guests/vm/System.evtx', ''), 'evtx');
  assert.equal(detectFormat('guests/vm/copy', 'PAGEDU64....'), 'dump');
  assert.equal(detectFormat('guests/vm/copy', 'ElfFile\u0000....'), 'evtx');
});

test('the reader fetches only the first 8 KiB of a large dump', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-dump-'));
  const path = join(dir, 'MEMORY.DMP');
  const big = new Uint8Array(4 << 20);
  big.set(writeDumpHeader({ bits: 64, dumpType: 1, systemTime: CRASH }));
  writeFileSync(path, big);
  const records: RawRecord[] = [];
  for await (const r of readArtefactRecords({ path, host: 'kvm01', created: '2026-01-01T00:00:00.000Z' })) records.push(r);
  assert.equal(records.length, 1);
  assert.equal(records[0]?.bytes.length, 8192);
  assert.equal(records[0]?.format, 'dump');
  const { events } = parseRecord(records[0] as RawRecord, FORMAT_PARSERS, new SourceStates(), options);
  assert.equal(events[0]?.windows?.dump?.type, 'full');
});
