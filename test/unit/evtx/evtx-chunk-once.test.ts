import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawRecord } from '../../../shared/raw-record.js';
import { readArtefactRecords } from '../../../services/parser/adapters/read-artefact-records.js';
import { parseRecord, SourceStates } from '../../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../../services/parser/core/registry.js';
import { templateBombEvtx } from '../../generator/hostile-files.js';

// A damaged record arrives as its whole chunk; a chunk of a thousand damaged records must be decoded once, not
// once per record (each decode runs the chunk's rendering budget: 16 s for one 68 KB file of template bombs).

const OPTIONS = { maxRecordBytes: 1 << 20, validate: true };

test('the damaged records of one chunk: the chunk is decoded once for all of them, the dead letters as if decoded each time', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hangwatch-evtx-once-'));
  try {
    const { file, records } = templateBombEvtx();
    const path = join(dir, 'System.evtx');
    writeFileSync(path, file);
    const raw: RawRecord[] = [];
    for await (const r of readArtefactRecords({ path, host: 'kvm01', created: '2026-01-01T00:00:00.000Z', format: 'evtx' })) raw.push(r);
    assert.equal(raw.length, records);
    const shared = new SourceStates();
    let decoded: unknown;
    for (const [i, record] of raw.entries()) {
      const once = parseRecord(record, FORMAT_PARSERS, shared, OPTIONS);
      const memo = shared.get(record).memo.evtxChunk;
      if (i === 0) decoded = memo;
      else assert.equal(memo, decoded, `record ${i}: the chunk decoded for the first record is used again`);
      if (i < 20 || i === raw.length - 1) {
        const afresh = parseRecord(record, FORMAT_PARSERS, new SourceStates(), OPTIONS);
        assert.deepEqual(once.deadletters.map((d) => d.error), afresh.deadletters.map((d) => d.error));
      }
      assert.equal(once.deadletters[0]?.error.code, 'HW_EVTX_DAMAGED');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
