import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { decodeChunk, type DecodedRecord } from '../../../services/parser/core/evtx/chunk.js';
import { CHUNK_BYTES, FILE_HEADER_BYTES } from '../../../services/parser/core/evtx/file-header.js';
import { escapeForbiddenChars, restoreForbiddenInTree } from '../../../services/parser/core/evtx/xml-text.js';
import { readEventXml, type XmlElement } from '../../../services/parser/core/windows/event-xml-reader.js';

// Our EVTX reader against libevtx's evtxexport (Debian libevtx-utils) on the same file, record by record. The
// known rendering differences are normalized, not ignored: libevtx pads hex integers (0x0080000000000000 vs
// Windows' 0x80000000000000), writes reals as 2.500000e+000 and SizeT in decimal; libevtx 20181227 also prints
// negative signed integers in sign-magnitude form (-5 as Int8 -> "-123"), a libevtx bug, so values named after
// those types are compared with that rule applied. evtxexport writes characters XML forbids raw (a real Security
// 4739 record holds U+0003), which no XML parser takes: its XML gets the escape our renderer writes before both
// are parsed, and both trees get the values back (evtx/xml-text.ts), so the values compare as Windows logged them.

export function ensureEvtxexport(): void {
  if (spawnSync('evtxexport', ['-V']).status === 0) return;
  const install = spawnSync('apt-get', ['install', '-y', 'libevtx-utils'], { stdio: 'ignore' });
  if (install.status !== 0 || spawnSync('evtxexport', ['-V']).status !== 0) {
    assert.fail('evtxexport is missing and `apt-get install -y libevtx-utils` failed: install Debian package libevtx-utils to run this test');
  }
}

/** Every record of every chunk, asserting none is damaged. */
export function ourRecords(file: Uint8Array): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  for (let at = FILE_HEADER_BYTES; at < file.length; at += CHUNK_BYTES) {
    const chunk = decodeChunk(file.subarray(at, at + CHUNK_BYTES));
    assert.equal(chunk.fatal, undefined);
    assert.equal(chunk.suspect, undefined);
    for (const item of chunk.items) {
      assert.equal(item.kind, 'record', item.kind === 'damaged' ? item.detail : '');
      out.push(item as DecodedRecord);
    }
  }
  return out;
}

export interface TolerantReading {
  readonly records: DecodedRecord[];
  /** `file offset: reason` of every unusable chunk and damaged record. */
  readonly damage: string[];
}

/** Every record our decoder gets from every chunk, damaged or not, and what it could not read. */
export function ourRecordsTolerant(file: Uint8Array): TolerantReading {
  const records: DecodedRecord[] = [];
  const damage: string[] = [];
  for (let at = FILE_HEADER_BYTES; at < file.length; at += CHUNK_BYTES) {
    const chunk = decodeChunk(file.subarray(at, at + CHUNK_BYTES));
    if (chunk.fatal !== undefined) damage.push(`0x${at.toString(16)}: ${chunk.fatal}`);
    for (const item of chunk.items) {
      if (item.kind === 'record') records.push(item);
      else damage.push(`0x${(at + item.offset).toString(16)}: ${item.detail}`);
    }
  }
  return { records, damage };
}

/** One event of event XML, values restored (our escapes of characters XML forbids turned back). */
export function eventTree(xml: string): XmlElement {
  const { events } = readEventXml(xml);
  assert.equal(events.length, 1, 'one <Event>');
  return restoreForbiddenInTree(events[0] as XmlElement);
}

export interface ExportedRecord {
  readonly recordId: bigint;
  readonly writtenMs: number;
  readonly xml: string;
}

/** evtxexport's records of a file: its text output for ids and written times, its XML output for the events. */
export function exportedRecords(path: string): ExportedRecord[] {
  const text = execFileSync('evtxexport', [path], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const ids = [...text.matchAll(/^Event number\s+: (\d+)$/gm)].map((m) => BigInt(m[1] as string));
  const written = [...text.matchAll(/^Written time\s+: (.+) UTC$/gm)].map((m) => {
    const t = m[1] as string;
    return Date.parse(`${t.replace(/\.\d+$/, '')} UTC`) + Number((t.match(/\.(\d{3})/) ?? ['', '0'])[1]);
  });
  const xml = escapeForbiddenChars(execFileSync('evtxexport', ['-f', 'xml', path], { encoding: 'utf8', maxBuffer: 256 << 20 }));
  const events = xml.split(/(?=<Event xmlns)/).filter((s) => s.startsWith('<Event'));
  assert.equal(written.length, ids.length, 'evtxexport: one written time per record');
  assert.equal(events.length, ids.length, 'evtxexport: one <Event> per record');
  return ids.map((recordId, i) => ({ recordId, writtenMs: written[i] as number, xml: events[i] as string }));
}

export interface Comparable {
  readonly eventId: string;
  readonly timeCreated: string;
  readonly data: Array<[string, string]>;
}

function child(e: XmlElement | undefined, name: string): XmlElement | undefined {
  return e?.children.find((c) => c.name === name);
}

export function comparable(xml: string): Comparable {
  const event = eventTree(xml);
  const system = child(event, 'System');
  const data = (child(event, 'EventData')?.children ?? []).map((d): [string, string] => [d.attributes.Name ?? d.name, d.text]);
  return { eventId: child(system, 'EventID')?.text ?? '', timeCreated: child(system, 'TimeCreated')?.attributes.SystemTime ?? '', data };
}

const SIGNED_BITS: Readonly<Record<string, number>> = { Int8: 8, Int16: 16, Int32: 32, Int64: 64 };

/** One value as libevtx prints it, from ours (documented differences only). */
function asLibevtx(name: string, ours: string): string {
  const bits = SIGNED_BITS[name];
  if (bits !== undefined && ours.startsWith('-')) {
    const raw = BigInt.asUintN(bits, BigInt(ours));
    return `-${raw & ((1n << BigInt(bits - 1)) - 1n)}`;
  }
  if (name === 'Real64') return Number(ours).toExponential(6).replace(/e([+-])(\d)$/, 'e$100$2').replace(/e([+-])(\d\d)$/, 'e$10$2');
  if (name === 'SizeT') return BigInt(ours).toString(10);
  return ours;
}

export function sameValue(name: string, ours: string, theirs: string): boolean {
  // libfwevt (libevtx's value library) deliberately renders a value that is one linefeed as empty ("consider it
  // empty", libfwevt_xml_value.c); we keep the linefeed Windows logged (a real Windows Search 1003 ExtraInfo).
  if (ours === '\n' && theirs === '') return true;
  if (/^0x[0-9a-f]+$/i.test(ours) && /^0x[0-9a-f]+$/i.test(theirs)) return BigInt(ours) === BigInt(theirs);
  return asLibevtx(name, ours) === theirs;
}

/** Record ids, written times, event ids, TimeCreated, every EventData value, then the whole event tree. */
export function assertSameAsEvtxexport(ours: readonly DecodedRecord[], theirs: readonly ExportedRecord[]): void {
  assert.equal(ours.length, theirs.length, 'record count');
  ours.forEach((record, i) => {
    const other = theirs[i] as ExportedRecord;
    assert.equal(record.recordId, other.recordId, `record ${i} id`);
    assert.equal(Number((record.written - 116444736000000000n) / 10000n), other.writtenMs, `record ${record.recordId} written time`);
    const mine = comparable(record.xml);
    const their = comparable(other.xml);
    assert.equal(mine.eventId, their.eventId, `record ${record.recordId} EventID`);
    assert.equal(mine.timeCreated, their.timeCreated, `record ${record.recordId} TimeCreated`);
    assert.equal(mine.data.length, their.data.length, `record ${record.recordId} EventData count`);
    mine.data.forEach(([name, value], j) => {
      const [otherName, otherValue] = their.data[j] as [string, string];
      assert.equal(name, otherName, `record ${record.recordId} Data ${j} name`);
      assert.ok(sameValue(name, value, otherValue), `record ${record.recordId} ${name}: ours ${value}, evtxexport ${otherValue}`);
    });
    const difference = treeDifference(eventTree(record.xml), eventTree(other.xml));
    assert.equal(difference, undefined, `record ${record.recordId} event XML: ${String(difference)}`);
  });
}

/**
 * The first difference between two event trees (element names, attributes, text, children, in order), or
 * undefined. evtxexport indents its XML, so text between child elements is ignored; hex integers compare as numbers.
 */
export function treeDifference(ours: XmlElement, theirs: XmlElement, path = ''): string | undefined {
  const here = `${path}/${ours.name}`;
  if (ours.name !== theirs.name) return `${path}: element ${ours.name} vs ${theirs.name}`;
  const names = [...new Set([...Object.keys(ours.attributes), ...Object.keys(theirs.attributes)])].sort();
  for (const n of names) {
    const a = ours.attributes[n];
    const b = theirs.attributes[n];
    if (a === undefined || b === undefined || !sameValue(n, a, b)) return `${here}@${n}: ${String(a)} vs ${String(b)}`;
  }
  if (ours.children.length !== theirs.children.length) {
    return `${here}: children ${ours.children.map((c) => c.name).join(',')} vs ${theirs.children.map((c) => c.name).join(',')}`;
  }
  if (ours.children.length === 0 && !sameValue(ours.attributes.Name ?? ours.name, ours.text, theirs.text)) return `${here}: text ${JSON.stringify(ours.text)} vs ${JSON.stringify(theirs.text)}`;
  for (let i = 0; i < ours.children.length; i++) {
    const d = treeDifference(ours.children[i] as XmlElement, theirs.children[i] as XmlElement, here);
    if (d !== undefined) return d;
  }
  return undefined;
}
