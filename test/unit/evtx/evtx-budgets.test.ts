import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeChunk, type DamagedRecord } from '../../../services/parser/core/evtx/chunk.js';
import { BinXmlAssembler as Assembler } from '../../fixtures/evtx/binxml-assembler.js';
import { evtxFromRawRecords, type RawRecord } from '../../fixtures/evtx/evtx-container.js';

// Hostile Binary XML: the work a record can cause is bounded, whatever its bytes. Nesting depth was bounded
// before; these records stay inside it and still explode: a template whose body instantiates the next template
// twice, forty levels deep, asks for 2^40 renders from about two kilobytes (with or without output, since an
// element whose optional value is absent renders to nothing); a chunk of small records each instantiating that
// bomb; one value referenced thousands of times. Each must end as a damaged record with its reason, quickly.

const RECORD_AT = 512;
const BINXML_AT = RECORD_AT + 24;
const WRITTEN = 0x01caa12ca1488d80n;

/** Template `level` instantiates `level + 1` twice; the last one is `<a>` whose only content is an absent optional value. */
function bombBody(asm: Assembler, level: number, depth: number, defined: Map<number, number>): void {
  asm.u8(0x0f, 0x01, 0x01, 0x00);
  if (level < depth) {
    asm.template(level + 1, defined, () => bombBody(asm, level + 1, depth, defined));
    asm.template(level + 1, defined, () => bombBody(asm, level + 1, depth, defined));
  } else {
    asm.u8(0x01);
    asm.u16(0xffff);
    asm.u32(0); // data size (not used by readers)
    asm.name('a');
    asm.u8(0x02, 0x0e, 0x00, 0x00, 0x01, 0x04); // close start tag, optional substitution 0 (string), end tag
  }
  asm.u8(0x00);
}

function bombRecord(depth: number, defined: Map<number, number>): number[] {
  const asm = new Assembler(BINXML_AT);
  asm.u8(0x0f, 0x01, 0x01, 0x00);
  asm.template(0, defined, () => bombBody(asm, 0, depth, defined));
  asm.u8(0x00);
  return asm.bytes;
}

function decodeOnly(records: RawRecord[]): DamagedRecord[] {
  const file = evtxFromRawRecords(records);
  const chunk = decodeChunk(file.subarray(4096));
  assert.equal(chunk.fatal, undefined);
  return chunk.items.map((i) => {
    assert.equal(i.kind, 'damaged', 'no bomb renders');
    return i as DamagedRecord;
  });
}

test('a template bomb (2^40 renders from ~2 KB, rendering to nothing) stops at the record budget as a damaged record', () => {
  const binxml = bombRecord(40, new Map());
  assert.ok(binxml.length < 4096, `${binxml.length} bytes`);
  const started = performance.now();
  const [item] = decodeOnly([{ chunkOffset: RECORD_AT, recordId: 1n, written: WRITTEN, binxml: Uint8Array.from(binxml) }]);
  assert.match(item?.detail ?? '', /^record 1: rendering takes more than \d+ steps/);
  assert.ok(performance.now() - started < 2000, 'bounded work');
});

test('a chunk of small records that each instantiate the same bomb stops at the chunk budget', () => {
  const defined = new Map<number, number>();
  const first = Uint8Array.from(bombRecord(40, defined));
  const records: RawRecord[] = [{ chunkOffset: RECORD_AT, recordId: 1n, written: WRITTEN, binxml: first }];
  let at = RECORD_AT + 24 + first.length + 4;
  for (let id = 2n; at + 64 < 65536; id++) {
    // Fragment header, an instance of the bomb's root by offset, no values, end of file: 19 bytes.
    const asm = new Assembler(at + 24);
    asm.u8(0x0f, 0x01, 0x01, 0x00);
    asm.template(0, defined, () => assert.fail('defined by the first record'));
    asm.u8(0x00);
    records.push({ chunkOffset: at, recordId: id, written: WRITTEN, binxml: Uint8Array.from(asm.bytes) });
    at += 24 + asm.bytes.length + 4;
  }
  assert.ok(records.length > 1000, `${records.length} records`);
  const started = performance.now();
  const items = decodeOnly(records);
  const elapsed = performance.now() - started;
  assert.equal(items.length, records.length, 'every record accounted for');
  assert.ok(items.slice(0, 5).every((i) => /rendering takes more than \d+ steps/.test(i.detail)));
  assert.ok(items.slice(-5).every((i) => /the chunk's rendering budget of \d+ steps is spent/.test(i.detail)));
  assert.ok(elapsed < 5000, `bounded work for the whole chunk (${Math.round(elapsed)} ms)`);
});

test('one large value referenced thousands of times stops at the output budget', () => {
  const asm = new Assembler(BINXML_AT);
  asm.u8(0x0f, 0x01, 0x01, 0x00);
  asm.u8(0x0c, 0x01);
  asm.u32(7);
  const defAt = asm.pos + 4;
  asm.u32(defAt);
  asm.u32(0);
  for (let i = 0; i < 16; i++) asm.u8(7);
  const sizeAt = asm.pos;
  asm.u32(0);
  const start = asm.pos;
  asm.u8(0x0f, 0x01, 0x01, 0x00, 0x01);
  asm.u16(0xffff);
  asm.u32(0);
  asm.name('a');
  asm.u8(0x02);
  for (let i = 0; i < 4000; i++) asm.u8(0x0d, 0x00, 0x00, 0x01); // normal substitution 0, string
  asm.u8(0x04, 0x00);
  asm.patch32(sizeAt, asm.pos - start);
  const chars = 16000;
  asm.u32(1);
  asm.u16(chars * 2);
  asm.u8(0x01, 0x00);
  for (let i = 0; i < chars; i++) asm.u16(0x78);
  asm.u8(0x00);
  const [item] = decodeOnly([{ chunkOffset: RECORD_AT, recordId: 3n, written: WRITTEN, binxml: Uint8Array.from(asm.bytes) }]);
  assert.match(item?.detail ?? '', /^record 3: the event renders to more than \d+ characters$/);
});

test('templates nested deeper than the nesting bound are still refused', () => {
  const [item] = decodeOnly([{ chunkOffset: RECORD_AT, recordId: 4n, written: WRITTEN, binxml: Uint8Array.from(bombRecord(80, new Map())) }]);
  assert.match(item?.detail ?? '', /^record 4: (templates|elements) nested too deep$/);
});
