import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeadLetter } from '../../../shared/schema/deadletter.js';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { readArtefactRecords } from '../../../services/parser/adapters/read-artefact-records.js';
import { decodeChunk, type DecodedRecord } from '../../../services/parser/core/evtx/chunk.js';
import { parseRecord, SourceStates } from '../../../services/parser/core/parse-record.js';
import { evtxParser } from '../../../services/parser/core/formats/evtx.js';
import { readEventXml } from '../../../services/parser/core/windows/event-xml-reader.js';
import { BinXmlAssembler } from '../../fixtures/evtx/binxml-assembler.js';
import { filetimeOf, leaf } from '../../fixtures/evtx/event-specs.js';
import { evtxFromRawRecords } from '../../fixtures/evtx/evtx-container.js';
import { fixtureSpecs, buildSeedGuestEvtx } from '../../fixtures/evtx/fixture-events.js';
import { writeEvtx, type EventSpec, type XNode } from '../../fixtures/evtx/evtx-writer.js';
import { assertSameAsEvtxexport, ensureEvtxexport, eventTree, exportedRecords, ourRecords, ourRecordsTolerant } from './evtxexport-compare.js';

// The general shapes behind the real files' problems, built from the documented layout so each is one variable:
// files written without CRCs, CRC fields of 0 where a CRC was due, values holding characters XML forbids, a
// record that renders to nothing, and files cut at every kind of boundary. Where evtxexport reads a variant, our
// records are compared with its records; where it reads less (a chunk the file ends inside), we say so.

const dir = mkdtempSync(join(tmpdir(), 'hw-evtx-tolerance-'));
const CHUNK0 = 4096;
const CHUNK2 = 4096 + 2 * 65536;

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

async function readAll(bytes: Uint8Array, name: string): Promise<{ events: EcsEvent[]; deadletters: DeadLetter[] }> {
  const path = write(name, bytes);
  const states = new SourceStates();
  const events: EcsEvent[] = [];
  const deadletters: DeadLetter[] = [];
  for await (const record of readArtefactRecords({ path, host: 'kvm01', created: '2026-01-01T00:00:00.000Z' })) {
    const outcome = parseRecord(record, { evtx: evtxParser }, states, { maxRecordBytes: 1 << 20, validate: true });
    events.push(...outcome.events);
    deadletters.push(...outcome.deadletters);
  }
  return { events, deadletters };
}

function winlog(e: EcsEvent): { event_data?: Record<string, string>; computer_name?: string; record_id?: string } {
  return (e as unknown as { winlog: Record<string, never> }).winlog;
}

function recordsOf(file: Uint8Array, chunkAt: number): DecodedRecord[] {
  return decodeChunk(file.subarray(chunkAt, chunkAt + 65536)).items.filter((i): i is DecodedRecord => i.kind === 'record');
}

// --- CRCs ----------------------------------------------------------------------------------------------------

test('a file written without CRCs (flag 0x4, every CRC field 0) is read whole, no flag, no dead letter, as evtxexport reads it', async () => {
  ensureEvtxexport();
  const file = writeEvtx(fixtureSpecs(), { recordsPerChunk: 4, noCrc32: true });
  const view = new DataView(file.buffer);
  assert.equal(view.getUint32(124, true), 0, 'file header CRC field 0');
  assert.equal(view.getUint32(CHUNK0 + 124, true), 0, 'chunk header CRC field 0');
  const { events, deadletters } = await readAll(file, 'no-crc.evtx');
  assert.equal(events.length, 12);
  assert.deepEqual(deadletters, []);
  assert.ok(events.every((e) => !e.hangwatch.parse?.flags?.length), 'nothing to flag: there was no CRC to check');
  assertSameAsEvtxexport(ourRecords(file), exportedRecords(write('no-crc-export.evtx', file)));
});

test('CRC fields of 0 without the no-CRC32 flag: every record is still read, flagged evtx-crc-mismatch, as evtxexport reads them', async () => {
  ensureEvtxexport();
  const file = writeEvtx(fixtureSpecs(), { recordsPerChunk: 4, noCrc32: true });
  const view = new DataView(file.buffer);
  view.setUint32(120, 0, true);
  for (const at of [CHUNK0, CHUNK0 + 65536, CHUNK2]) view.setUint32(at + 120, 0, true);
  const { events, deadletters } = await readAll(file, 'zero-crc.evtx');
  assert.equal(events.length, 12);
  assert.ok(events.every((e) => e.hangwatch.parse?.flags?.includes('evtx-crc-mismatch')));
  assert.equal(deadletters.length, 1, 'the file header, whose CRC was due, is the only dead letter');
  assert.match((deadletters[0] as DeadLetter).error.message, /^damaged EVTX file header: file header CRC mismatch \(stored 0x0, computed 0x[0-9a-f]+\)$/);
  const { records, damage } = ourRecordsTolerant(file);
  assert.deepEqual(damage, []);
  assertSameAsEvtxexport(records, exportedRecords(write('zero-crc-export.evtx', file)));
});

// --- characters XML forbids ------------------------------------------------------------------------------------

function securityEvent(recordId: bigint, data: ReadonlyArray<readonly [string, string]>, computer = 'WIN-03DLIIOFRRA'): EventSpec {
  const time = '2016-07-08T18:15:23.4136262Z';
  const system: XNode = {
    name: 'System',
    children: [
      { name: 'Provider', attrs: [['Name', leaf.string('Microsoft-Windows-Security-Auditing')]] },
      { name: 'EventID', children: [leaf.uint16(4739)] },
      { name: 'Level', children: [leaf.uint8(0)] },
      { name: 'Keywords', children: [leaf.hexInt64(0x8020000000000000n)] },
      { name: 'TimeCreated', attrs: [['SystemTime', leaf.filetime(time)]] },
      { name: 'EventRecordID', children: [leaf.uint64(recordId)] },
      { name: 'Channel', children: [leaf.string('Security')] },
      { name: 'Computer', children: [leaf.string(computer)] },
    ],
  };
  const eventData: XNode = { name: 'EventData', children: data.map(([name, value]) => ({ name: 'Data', attrs: [['Name', name]], children: [leaf.string(value)] })) };
  return { recordId, written: filetimeOf(time), root: { name: 'Event', attrs: [['xmlns', 'http://schemas.microsoft.com/win/2004/08/events/event']], children: [system, eventData] } };
}

test('values holding characters XML forbids are escaped as \\uXXXX in the XML and restored in the fields, as evtxexport reads them', async () => {
  ensureEvtxexport();
  // The shape of a real Security 4739 (security.evtx record 55): MinPasswordAge and LockoutThreshold hold U+0003.
  const data: Array<readonly [string, string]> = [
    ['MinPasswordAge', '\u0003'],
    ['Mixed', 'a\u0001b\u001fc\u000bd\u000ce'],
    ['NonCharacters', '\uFFFF\uFFFE'],
    ['Markup', '<&>"'],
    ['Allowed', 'tab\there'],
  ];
  const file = writeEvtx([securityEvent(55n, data, 'WIN-\u0002PC')]);
  const [record] = ourRecords(file);
  assert.ok(record);
  assert.match(record.xml, /<Data Name="MinPasswordAge">\\u0003<\/Data>/);
  assert.match(record.xml, /<Data Name="Mixed">a\\u0001b\\u001Fc\\u000Bd\\u000Ce<\/Data>/);
  assert.match(record.xml, /<Data Name="NonCharacters">\\uFFFF\\uFFFE<\/Data>/);
  assert.match(record.xml, /<Computer>WIN-\\u0002PC<\/Computer>/);
  assert.match(record.xml, /<Data Name="Allowed">tab\there<\/Data>/, 'a tab is XML: left as it is');
  assert.doesNotThrow(() => readEventXml(record.xml), 'well-formed XML');
  assertSameAsEvtxexport([record], exportedRecords(write('forbidden.evtx', file)));

  const { events, deadletters } = await readAll(file, 'forbidden-parse.evtx');
  assert.deepEqual(deadletters, []);
  const [event] = events;
  assert.ok(event);
  assert.deepEqual(winlog(event).event_data, Object.fromEntries(data), 'the values Windows logged');
  assert.equal(winlog(event).computer_name, 'WIN-\u0002PC');
  assert.equal(event.host?.name, 'WIN-\u0002PC');
  assert.equal(event.event.original, record.xml, 'event.original is the well-formed XML');
});

test('lone surrogates are escaped and restored exactly, surrogate pairs are left alone (not compared with libevtx 20181227, which replaces the first and mis-decodes the second)', async () => {
  // libevtx 20181227 writes a lone surrogate as U+FFFD and swallows the unit after it, and turns U+1F600 into
  // U+1F201: neither is what Windows logged, so these values are checked against the logged text only.
  const data: Array<readonly [string, string]> = [
    ['Lone', 'x\uD800y\uDC00z\uDBFF'],
    ['Pair', 'ok \uD83D\uDE00'],
    ['LiteralEscape', 'C:\\users\\u0041dmin'],
  ];
  const file = writeEvtx([securityEvent(56n, data)]);
  const [record] = ourRecords(file);
  assert.ok(record);
  assert.match(record.xml, /<Data Name="Lone">x\\uD800y\\uDC00z\\uDBFF<\/Data>/);
  assert.match(record.xml, /<Data Name="Pair">ok \uD83D\uDE00<\/Data>/);
  const { events, deadletters } = await readAll(file, 'surrogates.evtx');
  assert.deepEqual(deadletters, []);
  assert.deepEqual(winlog(events[0] as EcsEvent).event_data, Object.fromEntries(data), 'a literal \\u0041 (an allowed character) is not an escape of ours');
});

test('a character reference to a character XML forbids becomes the same escape; allowed references stay references', () => {
  // <Event>a&#3;&#65;</Event> as tokens: element, value text, two character references, end.
  const asm = new BinXmlAssembler(512 + 24);
  asm.u8(0x0f, 0x01, 0x01, 0x00, 0x01);
  asm.u16(0xffff);
  asm.u32(0);
  asm.name('Event');
  asm.u8(0x02, 0x05, 0x01);
  asm.u16(1);
  asm.u16(0x61);
  asm.u8(0x08);
  asm.u16(3);
  asm.u8(0x08);
  asm.u16(65);
  asm.u8(0x04, 0x00);
  const file = evtxFromRawRecords([{ chunkOffset: 512, recordId: 9n, written: 0x01caa12ca1488d80n, binxml: Uint8Array.from(asm.bytes) }]);
  const [record] = ourRecords(file);
  assert.equal(record?.xml, '<Event>a\\u0003&#65;</Event>');
  assert.equal(eventTree(record?.xml ?? '').text, 'a\u0003A');
});

// --- a record that renders to nothing ------------------------------------------------------------------------------

const ESENT = Uint8Array.from(
  readFileSync(fileURLToPath(new URL('../../grammars/fixtures/evtx/real/esent-application-event.binxml.hex', import.meta.url)), 'utf8')
    .trim()
    .split(/\s+/),
  (h) => parseInt(h, 16),
);

test('a record that renders to nothing is a dead letter with its reason; the record before it is read', async () => {
  // A fragment header and the end-of-file token: Binary XML without an element.
  const nothing = Uint8Array.of(0x0f, 0x01, 0x01, 0x00, 0x00);
  const file = evtxFromRawRecords([
    { chunkOffset: 512, recordId: 890n, written: 0x01caa12ca1488d80n, binxml: ESENT },
    { chunkOffset: 512 + 24 + ESENT.length + 4, recordId: 891n, written: 0x01caa12ca1488d80n, binxml: nothing },
  ]);
  const { events, deadletters } = await readAll(file, 'nothing.evtx');
  assert.deepEqual(events.map((e) => winlog(e).record_id), ['890']);
  assert.deepEqual(deadletters.map((d) => [d.error.code, d.error.message, d.log?.offset]), [
    ['HW_EVTX_DAMAGED', `damaged EVTX record at file offset 0x${(4096 + 512 + 24 + ESENT.length + 4).toString(16)}: record 891 renders to nothing: its Binary XML holds no element`, 4096 + 512 + 24 + ESENT.length + 4],
  ]);
});

// --- files cut short -----------------------------------------------------------------------------------------------

test('a file cut at a chunk boundary: the whole chunks are read (as evtxexport reads them) and the missing chunk is one dead letter', async () => {
  ensureEvtxexport();
  const whole = buildSeedGuestEvtx();
  const cut = whole.slice(0, CHUNK2);
  const { events, deadletters } = await readAll(cut, 'cut-boundary.evtx');
  assert.equal(events.length, 8);
  assert.deepEqual(deadletters.map((d) => [d.error.message, d.log?.offset]), [
    [`damaged EVTX file cut at offset 0x${CHUNK2.toString(16)}: the file ends at ${CHUNK2} bytes but its header counts 3 chunks: chunk 2 is missing, with their records (the header's next record id is 48402)`, CHUNK2],
  ]);
  const { records } = ourRecordsTolerant(cut);
  assertSameAsEvtxexport(records, exportedRecords(write('cut-boundary-export.evtx', cut)));
});

test('a file cut at a record boundary inside a chunk: the records before the cut are kept, flagged evtx-chunk-cut; the cut is a dead letter', async () => {
  const whole = buildSeedGuestEvtx();
  const third = recordsOf(whole, CHUNK2)[2] as DecodedRecord;
  const cut = whole.slice(0, CHUNK2 + third.offset);
  const { events, deadletters } = await readAll(cut, 'cut-record.evtx');
  assert.equal(events.length, 10);
  assert.equal(events.filter((e) => e.hangwatch.parse?.flags?.includes('evtx-chunk-cut')).length, 2);
  assert.deepEqual(deadletters.map((d) => d.log?.offset), [cut.length]);
  assert.match(
    (deadletters[0] as DeadLetter).error.message,
    new RegExp(`^damaged EVTX record at file offset 0x${cut.length.toString(16)}: chunk cut at ${third.offset} bytes, before its free space offset \\d+ \\(the file ends inside it\\); the chunk header lists record 48401 from here on: not read$`),
  );
  // evtxexport reads no record of a chunk the file ends inside: we keep the two before the cut.
});

test('a file cut inside a record header, inside a chunk header, inside the file header: each cut is a dead letter', async () => {
  const whole = buildSeedGuestEvtx();
  const third = recordsOf(whole, CHUNK2)[2] as DecodedRecord;

  const inRecordHeader = await readAll(whole.slice(0, CHUNK2 + third.offset + 10), 'cut-record-header.evtx');
  assert.equal(inRecordHeader.events.length, 10);
  assert.deepEqual(inRecordHeader.deadletters.map((d) => d.log?.offset), [CHUNK2 + third.offset]);
  assert.match((inRecordHeader.deadletters[0] as DeadLetter).error.message, /: 10 bytes at chunk offset \d+ are too few for a record: the chunk is cut at \d+ bytes, the file ends inside it; the chunk header lists record 48401 from here on: not read$/);

  const inChunkHeader = await readAll(whole.slice(0, CHUNK2 + 100), 'cut-chunk-header.evtx');
  assert.equal(inChunkHeader.events.length, 8);
  assert.deepEqual(inChunkHeader.deadletters.map((d) => [d.error.message, d.log?.offset]), [
    [`damaged EVTX chunk at file offset 0x${CHUNK2.toString(16)}: chunk cut at 100 of its 512 header bytes (the file ends inside it)`, CHUNK2],
  ]);

  const inFileHeader = await readAll(whole.slice(0, 2000), 'cut-file-header.evtx');
  assert.equal(inFileHeader.events.length, 0);
  assert.deepEqual(inFileHeader.deadletters.map((d) => d.error.message), [
    "damaged EVTX file cut at offset 0x7d0: the file ends at 2000 bytes but its header counts 3 chunks: chunks 0-2 are missing, with their records (the header's next record id is 48402)",
  ]);
});
