import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EcsEvent } from '../../../shared/schema/event.js';
import type { RawRecord } from '../../../shared/raw-record.js';
import { readArtefactRecords } from '../../../services/parser/adapters/read-artefact-records.js';
import { parseRecord, SourceStates } from '../../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../../services/parser/core/registry.js';
import { SOURCE_XML_FILES } from '../../fixtures/evtx/fixture-events.js';

// The EVTX path and the event XML path give the same normalized events for the same records (issue 10): same
// event.id (computer + channel + record id), time, action, winlog.*, windows.bugcheck / windows.shutdown, message.

const FIXTURE = fileURLToPath(new URL('../../fixtures/evtx/seed-guest-system.evtx', import.meta.url));
const XML_DIR = fileURLToPath(new URL('../../grammars/fixtures/winevent-xml/', import.meta.url));
const options = { maxRecordBytes: 1 << 20, validate: true };
const created = '2026-01-01T00:00:00.000Z';

function xmlEvents(): EcsEvent[] {
  const states = new SourceStates();
  return SOURCE_XML_FILES.flatMap((name) => {
    const record: RawRecord = { bytes: readFileSync(`${XML_DIR}${name}`), host: 'kvm01', path: `guests/vm113/${name}`, format: 'winevent-xml', fingerprint: 'f', offset: 0, created };
    const outcome = parseRecord(record, FORMAT_PARSERS, states, options);
    assert.deepEqual(outcome.deadletters, []);
    return outcome.events;
  });
}

async function evtxEvents(): Promise<{ events: EcsEvent[]; deadletters: number }> {
  const states = new SourceStates();
  const events: EcsEvent[] = [];
  let deadletters = 0;
  for await (const record of readArtefactRecords({ path: FIXTURE, host: 'kvm01', created })) {
    const outcome = parseRecord(record, FORMAT_PARSERS, states, options);
    events.push(...outcome.events);
    deadletters += outcome.deadletters.length;
  }
  return { events, deadletters };
}

function normalized(e: EcsEvent): unknown {
  const { original: _original, created: _created, ...event } = e.event;
  return { '@timestamp': e['@timestamp'], event, message: e.message, winlog: e.winlog, windows: e.windows, host: e.host, level: e.log?.level, basis: e.hangwatch.time.basis, flags: e.hangwatch.parse?.flags };
}

test('events 41, 1001, 6008, 6005 and 6006 normalize the same from EVTX as from their event XML', async () => {
  const fromXml = xmlEvents();
  const { events: fromEvtx, deadletters } = await evtxEvents();
  assert.equal(deadletters, 0);
  assert.equal(fromEvtx.length, fromXml.length + 1, 'every XML event plus the value-type test event');
  const byId = new Map(fromEvtx.map((e) => [e.event.id, e]));
  for (const code of ['41', '1001', '6008', '6005', '6006']) assert.ok(fromXml.some((e) => e.event.code === code), `fixture has ${code}`);
  for (const x of fromXml) {
    const y = byId.get(x.event.id);
    assert.ok(y, `EVTX gave no event with id of record ${x.winlog?.record_id}`);
    assert.deepEqual(normalized(y), normalized(x), `record ${x.winlog?.record_id} (${x.event.code})`);
    assert.equal(y.hangwatch.parse?.grammar, 'evtx');
    assert.equal(y.hangwatch.source?.format, 'evtx');
    assert.match(y.event.original ?? '', /^<Event xmlns=/);
  }
  const watchdog = fromEvtx.find((e) => e.event.code === '41' && e.windows?.bugcheck);
  assert.deepEqual(watchdog?.windows?.bugcheck?.parameters, ['0x61', '0x0', '0x807a3120', '0x1']);
  assert.equal(watchdog?.windows?.bugcheck?.name, 'CLOCK_WATCHDOG_TIMEOUT');
  const shutdown = fromEvtx.find((e) => e.event.code === '6008');
  assert.equal(shutdown?.windows?.shutdown?.time_utc, '2017-03-15T05:11:54.777Z');
});

test('records carry their file offsets: inside chunks, increasing within a chunk', async () => {
  const offsets: number[] = [];
  for await (const record of readArtefactRecords({ path: FIXTURE, host: 'kvm01', created })) offsets.push(record.offset);
  assert.equal(offsets.length, 12);
  for (const o of offsets) assert.ok((o - 4096) % 65536 >= 512, `offset ${o} lies in a chunk's record area`);
  assert.ok(offsets.every((o, i) => i === 0 || o > (offsets[i - 1] as number)));
});
