import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseGeneratorArgs } from '../../generator/cli.js';
import { generateCorpus } from '../../generator/generate.js';
import { listFiles } from './corpus-helpers.js';

// samples/fleet is committed output of the generator; regenerating it with the recorded command must give
// the same bytes, so the sample can never drift from the generator (samples/fleet/README.md).

const FLEET = fileURLToPath(new URL('../../../samples/fleet/', import.meta.url));
export const FLEET_ARGS = ['--seed', '20170315', '--hosts', '3', '--vms', '4', '--day', '2017-03-15', '--hangs', '6'];

test('regenerating samples/fleet with its seed reproduces the committed files byte for byte', () => {
  const out = mkdtempSync(join(tmpdir(), 'hangwatch-fleet-'));
  const { options } = parseGeneratorArgs(['--out', out, ...FLEET_ARGS]);
  generateCorpus(out, options);
  const committed = listFiles(FLEET).filter((f) => f !== 'README.md');
  assert.deepEqual(listFiles(out), committed);
  for (const f of committed) assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(FLEET, f))), `${f} differs from the committed sample`);
  const size = committed.reduce((sum, f) => sum + readFileSync(join(FLEET, f)).length, 0);
  assert.ok(size < 5 * 1024 * 1024, `fleet sample is ${size} bytes`);
});
