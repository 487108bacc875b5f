// The suite's closing table: the rows every fault test recorded (harness/table.ts), printed and written to
// out/faults-table.md. Runs last (file order); the rows are cleared afterwards so a next run starts clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clearRows, readRows, renderTable, writeTable } from './harness/table.js';
import { MODE, SIZES } from './harness/mode.js';

test('fault table', async () => {
  const rows = await readRows();
  assert.ok(rows.length > 0, 'the fault tests recorded their rows');
  const sizes = Object.entries(SIZES).map(([k, v]) => `${k}=${v}`).join(', ');
  const text = `${renderTable(rows, MODE)}\nSizes (${MODE} mode; HANGWATCH_FAULTS_FULL=1 for the full ones): ${sizes}\n`;
  const path = await writeTable(text);
  process.stdout.write(`\n${text}\nwritten to ${path}\n`);
  await clearRows();
});
