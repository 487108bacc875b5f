import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSeedGuestEvtx, TYPED_VALUES } from '../../fixtures/evtx/fixture-events.js';
import { assertSameAsEvtxexport, comparable, ensureEvtxexport, exportedRecords, ourRecords } from './evtxexport-compare.js';

// Our EVTX reader against libevtx's evtxexport (Debian libevtx-utils) on the fixture built from the documented
// layout, record by record: record ids, written times, event ids, TimeCreated and every EventData value (the
// comparison and its documented normalizations are in evtxexport-compare.ts, shared with the real-record test).

const FIXTURE = fileURLToPath(new URL('../../fixtures/evtx/seed-guest-system.evtx', import.meta.url));

test('the committed EVTX fixture is what the writer produces', () => {
  assert.deepEqual(new Uint8Array(readFileSync(FIXTURE)), buildSeedGuestEvtx());
});

test('record by record, our reader agrees with evtxexport: record ids, written times, event ids, times, data', () => {
  ensureEvtxexport();
  const ours = ourRecords(readFileSync(FIXTURE));
  assert.equal(ours.length, 12);
  assertSameAsEvtxexport(ours, exportedRecords(FIXTURE));
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
