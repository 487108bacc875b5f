import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readArtefactRecords } from '../../../services/parser/adapters/read-artefact-records.js';
import { parseRecord, SourceStates } from '../../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../../services/parser/core/registry.js';
import { writeDumpHeader } from '../../fixtures/dump/dump-header-writer.js';

// Crash dumps of one guest share their first kilobyte (signature, version, bugcheck of the same kind) and differ
// first at SystemTime (0xfa8). Their event ids must differ, and the same dump read again must keep its id.

async function eventIdsOf(path: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const record of readArtefactRecords({ path, host: 'sc7', created: '2026-01-01T00:00:00.000Z', format: 'auto' })) {
    const outcome = parseRecord(record, FORMAT_PARSERS, new SourceStates(), { maxRecordBytes: 1 << 20, validate: true });
    assert.equal(outcome.deadletters.length, 0, JSON.stringify(outcome.deadletters[0]));
    ids.push(...outcome.events.map((e) => e.event.id));
  }
  return ids;
}

test('four dumps that differ only after byte 1024 are four events; a dump read twice or copied keeps its id', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-dump-ids-'));
  const base = 131_340_000_000_000_000n; // FILETIME in 2017
  const paths = [0, 1, 2, 3].map((i) => {
    const path = join(dir, `MEMORY-${i}.DMP`);
    writeFileSync(path, writeDumpHeader({ bits: 64, dumpType: 1, systemTime: base + BigInt(i) * 36_000_000_000n, systemUpTime: 1_000_000_000n }));
    return path;
  });
  const ids = (await Promise.all(paths.map(eventIdsOf))).flat();
  assert.equal(ids.length, 4);
  assert.equal(new Set(ids).size, 4, 'one event per crash');
  assert.deepEqual(await eventIdsOf(paths[0] as string), [ids[0]], 'read again: the same id (replays stay idempotent)');
  const copy = join(dir, 'copied.dmp');
  writeFileSync(copy, writeDumpHeader({ bits: 64, dumpType: 1, systemTime: base, systemUpTime: 1_000_000_000n }));
  assert.deepEqual(await eventIdsOf(copy), [ids[0]], 'the same crash collected twice is one event');
});

function parseDumpBytes(bytes: Uint8Array, created = '2026-01-01T00:00:00.000Z'): ReturnType<typeof parseRecord> {
  return parseRecord({ bytes, host: 'sc7', path: 'guests/vm1/MEMORY.DMP', format: 'dump', fingerprint: 'f', offset: 0, created }, FORMAT_PARSERS, new SourceStates(), { maxRecordBytes: 1 << 20, validate: true });
}

test('a header of random bytes after a valid signature is a dead letter, not an incident in the year 48080', () => {
  let seed = 7;
  const random = new Uint8Array(0x2000).map(() => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24));
  random.set(new TextEncoder().encode('PAGEDU64'), 0);
  const outcome = parseDumpBytes(random);
  assert.equal(outcome.events.length, 0);
  assert.equal(outcome.deadletters.length, 1);
  assert.match(JSON.stringify(outcome.deadletters[0]), /HW_DUMP_INVALID.*implausible/);
});

test("a SystemTime after the read time is kept as a claim, flagged suspect, and the event is dated by the read", () => {
  const year48080 = 0x7fff_ffff_ffff_0000n; // FILETIME far beyond any plausible crash
  const outcome = parseDumpBytes(writeDumpHeader({ bits: 64, dumpType: 1, systemTime: year48080 }));
  const event = outcome.events[0];
  assert.ok(event);
  assert.equal(event['@timestamp'], '2026-01-01T00:00:00.000Z');
  assert.equal(event.hangwatch.time.basis, 'ingest');
  assert.equal(event.hangwatch.time.suspect, true);
  assert.equal(event.windows?.dump?.system_time_claimed, year48080.toString());
  assert.equal(event.windows?.dump?.system_time, undefined);
  const sound = parseDumpBytes(writeDumpHeader({ bits: 64, dumpType: 1, systemTime: 131_340_000_000_000_000n })).events[0];
  assert.equal(sound?.hangwatch.time.suspect, undefined);
  assert.equal(sound?.hangwatch.time.basis, 'explicit');
});
