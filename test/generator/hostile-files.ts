import { BinXmlAssembler } from '../fixtures/evtx/binxml-assembler.js';
import { evtxFromRawRecords, type RawRecord } from '../fixtures/evtx/evtx-container.js';
import type { Rng } from './prng.js';

// Whole hostile files for the fault suite's table (test/faults/10-hostile-input.test.ts): what a compromised guest
// or a damaged copy can put where hangwatch reads, each in the shape a review found to stall, blind or fool it.

/** One Windows System event as wevtutil prints it; `data` is the text of its one <Data> (markup allowed). */
export function systemEventXml(eventId: number, recordId: number, computer: string, data = ''): string {
  return (
    `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='EventLog'/><EventID>${eventId}</EventID>` +
    `<TimeCreated SystemTime='2017-03-15T05:13:${String(recordId % 60).padStart(2, '0')}.000000000Z'/><EventRecordID>${recordId}</EventRecordID>` +
    `<Channel>System</Channel><Computer>${computer}</Computer></System><EventData><Data Name='param1'>${data}</Data></EventData></Event>`
  );
}

/** `unit` repeated to `bytes` (cut to it). */
export function repeatTo(unit: string, bytes: number): string {
  return unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
}

const RECORD_AT = 512;
const WRITTEN = 0x01caa12ca1488d80n;

/** Template `level` instantiates `level + 1` twice: 2^depth renders of `<a>` with an absent optional value. */
function bombBody(asm: BinXmlAssembler, level: number, depth: number, defined: Map<number, number>): void {
  asm.u8(0x0f, 0x01, 0x01, 0x00);
  if (level < depth) {
    asm.template(level + 1, defined, () => bombBody(asm, level + 1, depth, defined));
    asm.template(level + 1, defined, () => bombBody(asm, level + 1, depth, defined));
  } else {
    asm.u8(0x01);
    asm.u16(0xffff);
    asm.u32(0);
    asm.name('a');
    asm.u8(0x02, 0x0e, 0x00, 0x00, 0x01, 0x04);
  }
  asm.u8(0x00);
}

/**
 * An EVTX file of one chunk: a record whose templates instantiate each other forty levels deep (2^40 renders from
 * ~2 KB), then small records that each instantiate the same bomb by offset until the chunk is full.
 */
export function templateBombEvtx(): { readonly file: Uint8Array; readonly records: number } {
  const defined = new Map<number, number>();
  const asm = new BinXmlAssembler(RECORD_AT + 24);
  asm.u8(0x0f, 0x01, 0x01, 0x00);
  asm.template(0, defined, () => bombBody(asm, 0, 40, defined));
  asm.u8(0x00);
  const records: RawRecord[] = [{ chunkOffset: RECORD_AT, recordId: 1n, written: WRITTEN, binxml: Uint8Array.from(asm.bytes) }];
  let at = RECORD_AT + 24 + asm.bytes.length + 4;
  for (let id = 2n; at + 64 < 65536; id++) {
    const next = new BinXmlAssembler(at + 24);
    next.u8(0x0f, 0x01, 0x01, 0x00);
    next.template(0, defined, () => {
      throw new Error('defined by the first record');
    });
    next.u8(0x00);
    records.push({ chunkOffset: at, recordId: id, written: WRITTEN, binxml: Uint8Array.from(next.bytes) });
    at += 24 + next.bytes.length + 4;
  }
  return { file: evtxFromRawRecords(records), records: records.length };
}

/** `PAGEDU64` and random bytes for the rest of the 8 KiB header: a guest-written or damaged crash dump. */
export function randomDumpHeader(rng: Rng): Uint8Array {
  const header = new Uint8Array(0x2000);
  for (let i = 0; i < header.length; i++) header[i] = Math.floor(rng.next() * 256);
  header.set(new TextEncoder().encode('PAGEDU64'), 0);
  return header;
}
