import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeadLetter } from '../../../shared/schema/deadletter.js';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { readArtefactRecords } from '../../../services/parser/adapters/read-artefact-records.js';
import { decodeChunk } from '../../../services/parser/core/evtx/chunk.js';
import { parseRecord, SourceStates } from '../../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../../services/parser/core/registry.js';
import { buildSeedGuestEvtx } from '../../fixtures/evtx/fixture-events.js';
import { resealChunk } from '../../fixtures/evtx/evtx-writer.js';

// Damage: a damaged chunk or record is one dead letter (HW_EVTX_DAMAGED) naming what is wrong, with the chunk's
// bytes as the original, and reading goes on with the next chunk. The fixture has 12 records in 3 chunks (4 each).

const CHUNK0 = 4096;
const CHUNK1 = 4096 + 65536;
const dir = mkdtempSync(join(tmpdir(), 'hw-evtx-'));

async function readAll(file: Uint8Array, name: string): Promise<{ events: EcsEvent[]; deadletters: DeadLetter[] }> {
  const path = join(dir, name);
  writeFileSync(path, file);
  const states = new SourceStates();
  const events: EcsEvent[] = [];
  const deadletters: DeadLetter[] = [];
  for await (const record of readArtefactRecords({ path, host: 'kvm01', created: '2026-01-01T00:00:00.000Z' })) {
    const outcome = parseRecord(record, FORMAT_PARSERS, states, { maxRecordBytes: 1 << 20, validate: true });
    events.push(...outcome.events);
    deadletters.push(...outcome.deadletters);
  }
  return { events, deadletters };
}

function recordOffsets(file: Uint8Array, chunkAt: number): number[] {
  return decodeChunk(file.subarray(chunkAt, chunkAt + 65536)).items.map((i) => i.offset);
}

test('a clean file gives 12 events and no dead letters', async () => {
  const { events, deadletters } = await readAll(buildSeedGuestEvtx(), 'clean.evtx');
  assert.equal(events.length, 12);
  assert.equal(deadletters.length, 0);
});

test('a chunk header CRC mismatch does not stop the reading: its records are kept, flagged evtx-crc-mismatch', async () => {
  // evtxexport reads such a chunk too (libevtx marks the file corrupted and reads on).
  const file = buildSeedGuestEvtx();
  file[CHUNK1 + 8] = (file[CHUNK1 + 8] as number) ^ 0xff; // first record number, covered by the header CRC
  const { events, deadletters } = await readAll(file, 'header-crc.evtx');
  assert.equal(events.length, 12);
  assert.equal(deadletters.length, 0);
  const flagged = events.filter((e) => e.hangwatch.parse?.flags?.includes('evtx-crc-mismatch'));
  assert.deepEqual(
    flagged.map((e) => e.log?.offset),
    recordOffsets(file, CHUNK1).map((o) => CHUNK1 + o),
    'the four records of the second chunk',
  );
});

test('a bad chunk signature is one dead letter naming the records it holds; reading goes on', async () => {
  const file = buildSeedGuestEvtx();
  file[CHUNK0] = 0x58;
  const { events, deadletters } = await readAll(file, 'signature.evtx');
  assert.equal(events.length, 8);
  assert.deepEqual(deadletters.map((d) => d.error.message), [
    'damaged EVTX chunk at file offset 0x1000: chunk signature is not ElfChnk: 4 records inside by their signatures (ids 48213-48222), unreadable without the chunk header',
  ]);
});

test('a records CRC mismatch keeps the records, flagged evtx-crc-mismatch', async () => {
  const file = buildSeedGuestEvtx();
  const offsets = recordOffsets(file, CHUNK0);
  const at = CHUNK0 + (offsets[1] as number) + 8; // record id byte: records CRC breaks, BinXML stays sound
  file[at] = (file[at] as number) ^ 0x01;
  const { events, deadletters } = await readAll(file, 'records-crc.evtx');
  assert.equal(deadletters.length, 0);
  assert.equal(events.length, 12);
  const flagged = events.filter((e) => e.hangwatch.parse?.flags?.includes('evtx-crc-mismatch'));
  assert.equal(flagged.length, 4, 'the four records of the first chunk');
  for (const e of flagged) assert.match(e.event.original ?? '', /^<Event /, 'event.original is the record XML, not the chunk bytes');
});

test('a record whose BinXML is broken is its own dead letter; its neighbours survive', async () => {
  const file = buildSeedGuestEvtx();
  const offsets = recordOffsets(file, CHUNK1);
  const second = CHUNK1 + (offsets[1] as number);
  file[second + 24 + 4] = 0x07; // template instance token -> an unexpected token
  resealChunk(file, 1);
  const { events, deadletters } = await readAll(file, 'binxml.evtx');
  assert.equal(events.length, 11);
  assert.equal(deadletters.length, 1);
  const letter = deadletters[0] as DeadLetter;
  assert.equal(letter.error.code, 'HW_EVTX_DAMAGED');
  assert.match(letter.error.message, new RegExp(`record at file offset 0x${second.toString(16)}: record \\d+: `));
  assert.equal(letter.log?.offset, second);
});

test('a record size that runs outside the chunk ends that chunk with one dead letter', async () => {
  const file = buildSeedGuestEvtx();
  const offsets = recordOffsets(file, CHUNK1);
  const third = CHUNK1 + (offsets[2] as number);
  new DataView(file.buffer).setUint32(third + 4, 0x7fff0, true);
  resealChunk(file, 1);
  const { events, deadletters } = await readAll(file, 'size.evtx');
  assert.equal(events.length, 10, 'records 1-2 of the chunk and the other chunks');
  assert.equal(deadletters.length, 1);
  assert.match((deadletters[0] as DeadLetter).error.message, /record \d+: size 524272 at chunk offset \d+ runs outside the records \(end \d+\); the chunk header lists records? [\d-]+ after it: not read$/);
});

test('a file cut inside a record of its last chunk: the records before the cut are kept and flagged, the cut record is a dead letter', async () => {
  const whole = buildSeedGuestEvtx();
  const offsets = recordOffsets(whole, CHUNK1 + 65536);
  const cut = whole.subarray(0, CHUNK1 + 65536 + (offsets[2] as number) + 40);
  const { events, deadletters } = await readAll(cut, 'cut.evtx');
  assert.equal(events.length, 10);
  assert.equal(events.filter((e) => e.hangwatch.parse?.flags?.includes('evtx-chunk-cut')).length, 2);
  assert.equal(events.filter((e) => e.hangwatch.parse?.flags?.includes('evtx-crc-mismatch')).length, 0, 'a cut is not a CRC mismatch');
  assert.equal(deadletters.length, 1);
  assert.match((deadletters[0] as DeadLetter).error.message, /record 48700: size \d+ at chunk offset \d+ runs outside the records \(end \d+\): the chunk is cut at \d+ bytes, the file ends inside it; the chunk header lists records up to id 48401 after it: not read$/);
});

test('a damaged file header is a dead letter and every record is still read', async () => {
  const file = buildSeedGuestEvtx();
  file[42] = 99; // chunk count, covered by the file header CRC
  const { events, deadletters } = await readAll(file, 'file-header.evtx');
  assert.equal(events.length, 12);
  assert.deepEqual(deadletters.map((d) => d.error.message), [
    `damaged EVTX file header: file header CRC mismatch (stored 0x${new DataView(file.buffer).getUint32(124, true).toString(16)}, computed ${deadletters[0]?.error.message.match(/computed (0x[0-9a-f]+)/)?.[1]})`,
  ]);
  assert.equal(deadletters[0]?.log?.offset, 0);
});

test('unused (all-zero) chunks after the last one are not damage', async () => {
  const whole = buildSeedGuestEvtx();
  const padded = new Uint8Array(whole.length + 65536);
  padded.set(whole);
  const { events, deadletters } = await readAll(padded, 'padded.evtx');
  assert.equal(events.length, 12);
  assert.equal(deadletters.length, 0);
});
