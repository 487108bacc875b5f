import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeChunk, type DecodedRecord } from '../../../services/parser/core/evtx/chunk.js';
import { CHUNK_BYTES, FILE_HEADER_BYTES } from '../../../services/parser/core/evtx/file-header.js';
import { readEventXml, type XmlElement } from '../../../services/parser/core/windows/event-xml-reader.js';
import { buildSeedGuestEvtx, TYPED_VALUES } from '../../fixtures/evtx/fixture-events.js';

// Our EVTX reader against libevtx's evtxexport (Debian libevtx-utils) on the same file, record by record: record
// ids, written times, event ids, TimeCreated and every EventData value. The known rendering differences are
// normalized, not ignored: libevtx pads hex integers (0x0080000000000000 vs Windows' 0x80000000000000), writes
// reals as 2.500000e+000 and SizeT in decimal; libevtx 20181227 also prints negative signed integers in
// sign-magnitude form (-5 as Int8 -> "-123"), a libevtx bug, so those values are compared with that rule applied.

const FIXTURE = fileURLToPath(new URL('../../fixtures/evtx/seed-guest-system.evtx', import.meta.url));

function ensureEvtxexport(): void {
  if (spawnSync('evtxexport', ['-V']).status === 0) return;
  const install = spawnSync('apt-get', ['install', '-y', 'libevtx-utils'], { stdio: 'ignore' });
  if (install.status !== 0 || spawnSync('evtxexport', ['-V']).status !== 0) {
    assert.fail('evtxexport is missing and `apt-get install -y libevtx-utils` failed: install Debian package libevtx-utils to run this test');
  }
}

function ourRecords(file: Uint8Array): DecodedRecord[] {
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

interface Comparable {
  eventId: string;
  timeCreated: string;
  data: Array<[string, string]>;
}

function child(e: XmlElement | undefined, name: string): XmlElement | undefined {
  return e?.children.find((c) => c.name === name);
}

function comparable(xml: string): Comparable {
  const [event] = readEventXml(xml).events;
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
  if (/^0x[0-9a-f]+$/.test(ours)) return ours; // compared as numbers below
  return ours;
}

function sameValue(name: string, ours: string, theirs: string): boolean {
  if (/^0x[0-9a-f]+$/i.test(ours) && /^0x[0-9a-f]+$/i.test(theirs)) return BigInt(ours) === BigInt(theirs);
  return asLibevtx(name, ours) === theirs;
}

test('the committed EVTX fixture is what the writer produces', () => {
  assert.deepEqual(new Uint8Array(readFileSync(FIXTURE)), buildSeedGuestEvtx());
});

test('record by record, our reader agrees with evtxexport: record ids, written times, event ids, times, data', () => {
  ensureEvtxexport();
  const ours = ourRecords(readFileSync(FIXTURE));
  const text = execFileSync('evtxexport', [FIXTURE], { encoding: 'utf8' });
  const numbers = [...text.matchAll(/^Event number\s+: (\d+)$/gm)].map((m) => BigInt(m[1] as string));
  const written = [...text.matchAll(/^Written time\s+: (.+) UTC$/gm)].map((m) => Date.parse(`${(m[1] as string).replace(/\.\d+$/, '')} UTC`) + Number(((m[1] as string).match(/\.(\d{3})/) ?? ['', '0'])[1]));
  const xml = execFileSync('evtxexport', ['-f', 'xml', FIXTURE], { encoding: 'utf8' });
  const theirs = xml.split(/(?=<Event xmlns)/).filter((s) => s.startsWith('<Event')).map(comparable);
  assert.equal(ours.length, 12);
  assert.equal(numbers.length, ours.length);
  assert.equal(theirs.length, ours.length);
  ours.forEach((record, i) => {
    assert.equal(record.recordId, numbers[i], `record ${i} id`);
    assert.equal(Number((record.written - 116444736000000000n) / 10000n), written[i], `record ${record.recordId} written time`);
    const mine = comparable(record.xml);
    const other = theirs[i] as Comparable;
    assert.equal(mine.eventId, other.eventId, `record ${record.recordId} EventID`);
    assert.equal(mine.timeCreated, other.timeCreated, `record ${record.recordId} TimeCreated`);
    assert.equal(mine.data.length, other.data.length, `record ${record.recordId} EventData count`);
    mine.data.forEach(([name, value], j) => {
      const [otherName, otherValue] = other.data[j] as [string, string];
      assert.equal(name, otherName, `record ${record.recordId} Data ${j} name`);
      assert.ok(sameValue(name, value, otherValue), `record ${record.recordId} ${name}: ours ${value}, evtxexport ${otherValue}`);
    });
  });
});

test('every substitution value type renders as Windows writes it', () => {
  const ours = ourRecords(readFileSync(FIXTURE));
  const types = ours.find((r) => r.xml.includes('Hangwatch-TypeTest'));
  assert.ok(types);
  const data = comparable(types.xml).data;
  for (const [name, , expected] of TYPED_VALUES) {
    const values = data.filter(([n]) => n === name).map(([, v]) => v);
    assert.deepEqual(values, typeof expected === 'string' ? [expected] : [...expected], name);
  }
  assert.match(types.xml, /<Keywords>0x8000000000000000<\/Keywords>/);
  assert.match(types.xml, /<Security UserID="S-1-5-18"\/>/);
  assert.match(types.xml, /<Provider Name="Hangwatch-TypeTest"\/>/, 'an optional NULL attribute is left out');
  assert.match(types.xml, /Grüße, 世界 &amp; &lt;ok&gt;/);
});
