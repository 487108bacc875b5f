import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { readArtefactRecords } from '../../../services/parser/adapters/read-artefact-records.js';
import { parseRecord, SourceStates } from '../../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../../services/parser/core/registry.js';
import { evtxFromRawRecords } from '../../fixtures/evtx/evtx-container.js';
import { assertSameAsEvtxexport, comparable, ensureEvtxexport, exportedRecords, ourRecords } from './evtxexport-compare.js';

// A record's event exactly as Windows wrote it (sources and licence in test/grammars/fixtures/evtx/real/SOURCES.md),
// put back at its chunk offset inside a file header and chunk we build, then read by our reader and by evtxexport.
// It found one difference the layout-built fixture could not: an element whose only content is an optional
// substitution with a NULL value (`<Binary>` of a classic event without binary data) is left out, not emptied.

const HEX = fileURLToPath(new URL('../../grammars/fixtures/evtx/real/esent-application-event.binxml.hex', import.meta.url));
const BINXML = Uint8Array.from(readFileSync(HEX, 'utf8').trim().split(/\s+/), (h) => parseInt(h, 16));
const TIME_CREATED = 0x01caa12ca1488d80n; // the event's own TimeCreated value, 2010-01-29T21:47:19Z
const FILE = evtxFromRawRecords([{ chunkOffset: 512, recordId: 890n, written: TIME_CREATED, binxml: BINXML }]);

function writeTemp(name: string, bytes: Uint8Array): string {
  const path = join(mkdtempSync(join(tmpdir(), 'hw-evtx-real-')), name);
  writeFileSync(path, bytes);
  return path;
}

test('the real event bytes are the 1236 published, opening with a fragment header and an inline template', () => {
  assert.equal(BINXML.length, 1236);
  assert.deepEqual([...BINXML.subarray(0, 6)], [0x0f, 0x01, 0x01, 0x00, 0x0c, 0x01]);
  // The template definition offset points right after itself once the event sits at chunk offset 512 + 24.
  assert.equal(new DataView(BINXML.buffer).getUint32(10, true), 512 + 24 + 14);
});

test('record by record, our reader agrees with evtxexport on the real event, whole XML tree included', () => {
  ensureEvtxexport();
  const path = writeTemp('Application.evtx', FILE);
  const ours = ourRecords(FILE);
  assert.equal(ours.length, 1);
  assertSameAsEvtxexport(ours, exportedRecords(path));
  const [record] = ours;
  assert.ok(record);
  const event = comparable(record.xml);
  assert.equal(event.eventId, '103');
  assert.equal(event.timeCreated, '2010-01-29T21:47:19.000000000Z');
  assert.deepEqual(event.data, [['Data', 'Windows'], ['Data', '2124'], ['Data', 'Windows: '], ['Data', '0']], 'a string array substitution repeats <Data>');
  assert.match(record.xml, /<EventID Qualifiers="0">103<\/EventID>/);
  assert.match(record.xml, /<Security\/>/, 'a NULL optional attribute leaves its element');
  assert.doesNotMatch(record.xml, /<Binary/, 'a NULL optional content leaves out its element');
});

test('the real event goes through the artefact reader and parser to one normalized event', async () => {
  const path = writeTemp('Application.evtx', FILE);
  const events: EcsEvent[] = [];
  for await (const raw of readArtefactRecords({ path, host: 'kvm01', created: '2026-01-01T00:00:00.000Z' })) {
    const outcome = parseRecord(raw, FORMAT_PARSERS, new SourceStates(), { maxRecordBytes: 1 << 20, validate: true });
    assert.deepEqual(outcome.deadletters, []);
    events.push(...outcome.events);
  }
  assert.equal(events.length, 1);
  const [e] = events;
  assert.equal(e?.['@timestamp'], '2010-01-29T21:47:19.000Z');
  assert.equal(e?.event.code, '103');
  assert.equal(e?.host?.name, 'WIN-3QMDJGKF3G9');
  assert.deepEqual(
    [e?.winlog?.channel, e?.winlog?.provider_name, e?.winlog?.record_id, e?.winlog?.computer_name],
    ['Application', 'ESENT', '890', 'WIN-3QMDJGKF3G9'],
  );
  assert.deepEqual(e?.winlog?.event_data, { param1: 'Windows', param2: '2124', param3: 'Windows: ', param4: '0' });
  assert.equal(e?.log?.offset, 4096 + 512, 'the record offset in the file');
});
