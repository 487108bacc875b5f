import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RawRecord } from '../../../shared/raw-record.js';
import { detectFormatByMagic } from '../../../services/parser/core/detect-format.js';
import { DUMP_HEADER_READ_BYTES, readDumpHeader } from '../../../services/parser/core/dump/dump-header.js';
import { parseRecord, SourceStates } from '../../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../../services/parser/core/registry.js';
import { bytesFromHexListing } from './hexdump-text.js';

// The dump header reader on the starts of two real kernel dumps, published as hex listings (sources and licence
// notes in test/grammars/fixtures/dump/real/SOURCES.md). What each field should be is taken from the same
// sources, independently of our layout table: the build the blog's WinDbg session names and the bugcheck its
// BSOD showed; for the Windows 7 minidump, the KeBugCheckEx frame the repository printed with pykd. On x64 the
// CONTEXT saved in the Windows 10 header (DUMP_HEADER64.ContextRecord at 0x348, winnt.h CONTEXT: Rcx at +0x80,
// Rdx at +0x88) holds KeBugCheckEx's first two arguments, the bugcheck code and parameter 1, a second witness.

const REAL = fileURLToPath(new URL('../../grammars/fixtures/dump/real/', import.meta.url));
const WIN10 = bytesFromHexListing(readFileSync(`${REAL}win10-1803-x64-memory-dmp.head.hexdump`, 'utf8'));
const WIN7 = bytesFromHexListing(readFileSync(`${REAL}win7-x64-minidump.head.xxd`, 'utf8'));
const options = { maxRecordBytes: 1 << 20, validate: true };

function parseBytes(bytes: Uint8Array, path: string) {
  const record: RawRecord = { bytes, host: 'kvm01', path, format: 'auto', fingerprint: 'f', offset: 0, created: '2026-01-01T00:00:00.000Z' };
  return parseRecord(record, FORMAT_PARSERS, new SourceStates(), options);
}

/** The excerpt, then the kernel's `PAGE` fill up to what the reader fetches (see SOURCES.md). */
function completedWithPageFill(excerpt: Uint8Array): Uint8Array {
  const out = new Uint8Array(DUMP_HEADER_READ_BYTES);
  for (let i = 0; i < out.length; i += 4) out.set([0x50, 0x41, 0x47, 0x45], i);
  out.set(excerpt);
  return out;
}

test('the listings give back the published lengths, with the kernel PAGE fill where the sources show it', () => {
  assert.equal(WIN10.length, 1000, 'hexdump -C -n 1000');
  assert.equal(WIN7.length, 0x60);
  const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  assert.equal(ascii(WIN10, 0x88, 0x348), 'PAGE'.repeat((0x348 - 0x88) / 4), 'PhysicalMemoryBlockBuffer unused in a bitmap dump');
  assert.equal(ascii(WIN7, 0x3c, 0x40), 'PAGE');
});

test('a listing copied with a slip is refused: each line\'s ASCII column must match its bytes', () => {
  const text = readFileSync(`${REAL}win7-x64-minidump.head.xxd`, 'utf8');
  assert.throws(() => bytesFromHexListing(text.replace('7f00 0000 5041 4745', '7f00 0000 5041 4746')), /ASCII column/);
  assert.throws(() => bytesFromHexListing(text.replace('0000030:', '0000038:')), /line 38 follows 30 bytes/);
});

test('real excerpts are detected as dumps by their magic and dead-lettered as truncated headers', () => {
  for (const [bytes, name] of [[WIN10, 'MEMORY.DMP'], [WIN7, 'Minidump/100916-24960-01.dmp']] as const) {
    assert.equal(detectFormatByMagic(bytes), 'dump');
    const { events, deadletters } = parseBytes(bytes, `guests/vm/${name}`);
    assert.equal(events.length, 0);
    assert.equal(deadletters.length, 1);
    assert.equal(deadletters[0]?.error.code, 'HW_DUMP_INVALID');
    assert.equal(deadletters[0]?.error.message, `invalid crash dump: truncated 64-bit dump header: ${bytes.length} of 4152 bytes`);
  }
});

test('Windows 10 1803 MEMORY.DMP: build 17134 x64, 4 processors, CRITICAL_PROCESS_DIED with its process object', () => {
  const header = readDumpHeader(completedWithPageFill(WIN10));
  assert.equal(header.signature, 'PAGEDU64');
  assert.equal(header.bits, 64);
  assert.equal(header.majorVersion, 0xf, 'free build');
  assert.equal(header.minorVersion, 17134, 'BUILD_VERSION_STRING 17134.1.amd64fre.rs4_release');
  assert.equal(header.machineImageType, 0x8664);
  assert.equal(header.processors, 4);
  assert.equal(header.bugcheckCode, 0xef);
  assert.deepEqual(header.bugcheckParameters, [0xffffb908618ba580n, 0n, 0n, 0n]);
  assert.equal(header.dumpType, undefined);
  assert.equal(header.systemTime, undefined);

  // Second witness in the same bytes: the saved CONTEXT's Rcx and Rdx (KeBugCheckEx's code and parameter 1).
  const v = new DataView(WIN10.buffer, WIN10.byteOffset, WIN10.byteLength);
  const context = 0x348;
  assert.equal(v.getUint32(context + 0x30, true), 0x0010000f, 'ContextFlags: CONTEXT_AMD64 control|integer|segments|floating point');
  assert.equal(v.getBigUint64(context + 0x80, true), BigInt(header.bugcheckCode));
  assert.equal(v.getBigUint64(context + 0x88, true), header.bugcheckParameters[0]);

  const [e] = parseBytes(completedWithPageFill(WIN10), 'guests/vm/MEMORY.DMP').events;
  assert.ok(e);
  assert.deepEqual(e.windows?.bugcheck, { code: '0x000000ef', name: 'CRITICAL_PROCESS_DIED', parameters: ['0xffffb908618ba580', '0x0', '0x0', '0x0'] });
  assert.deepEqual(e.windows?.dump, { machine: 'x64', processors: 4, os_version: '15.17134', build: 17134, bits: 64, signature: 'PAGEDU64' });
  assert.equal(e.hangwatch.time.basis, 'ingest', 'no SystemTime in the part published');
});

test('Windows 7 x64 minidump: build 7600, 1 processor, UNEXPECTED_KERNEL_MODE_TRAP double fault as pykd shows it', () => {
  const header = readDumpHeader(completedWithPageFill(WIN7));
  assert.equal(header.minorVersion, 7600);
  assert.equal(header.machineImageType, 0x8664);
  assert.equal(header.processors, 1);
  // pykd.getStack() of the same dump: KeBugCheckEx frames carry 7f, 8, 80050031, 406f8, fffff88001127c0b.
  assert.equal(header.bugcheckCode, 0x7f);
  assert.deepEqual(header.bugcheckParameters, [0x8n, 0x80050031n, 0x406f8n, 0xfffff88001127c0bn]);
  const [e] = parseBytes(completedWithPageFill(WIN7), 'guests/vm/Minidump/100916-24960-01.dmp').events;
  assert.equal(e?.windows?.bugcheck?.name, 'UNEXPECTED_KERNEL_MODE_TRAP');
  assert.deepEqual(e?.windows?.bugcheck?.parameters, ['0x8', '0x80050031', '0x406f8', '0xfffff88001127c0b']);
  assert.match(e?.message ?? '', /^kernel dump, x64, 1 processor: bugcheck 0x0000007f UNEXPECTED_KERNEL_MODE_TRAP/);
});
