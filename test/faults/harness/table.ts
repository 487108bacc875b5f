import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OUT, ROWS_DIR } from './paths.js';

// The suite's closing table. node --test runs each test file in its own process, so every test adds its row
// to a file of its own under ROWS_DIR, and the last test file (90-report) gathers, prints and writes them.

export interface Row {
  readonly fault: string;
  readonly recordsIn: number | string;
  readonly indexed: number | string;
  readonly deadletters: number | string;
  readonly duplicates: number | string;
  readonly lost: number | string;
  /** Seconds from the end of the fault until the batch was complete, or a note. */
  readonly recovery: string;
  readonly notes?: string;
}

export async function recordRow(order: string, row: Row): Promise<void> {
  await mkdir(ROWS_DIR, { recursive: true });
  await writeFile(join(ROWS_DIR, `${order}.json`), JSON.stringify(row));
}

export async function readRows(): Promise<Row[]> {
  let names: string[];
  try {
    names = (await readdir(ROWS_DIR)).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return Promise.all(names.map(async (n) => JSON.parse(await readFile(join(ROWS_DIR, n), 'utf8')) as Row));
}

export async function clearRows(): Promise<void> {
  await rm(ROWS_DIR, { recursive: true, force: true });
}

export function renderTable(rows: readonly Row[], mode: string): string {
  const head = ['fault', 'records in', 'records indexed', 'dead letters', 'duplicates', 'lost', 'recovery time', 'notes'];
  const body = rows.map((r) => [r.fault, r.recordsIn, r.indexed, r.deadletters, r.duplicates, r.lost, r.recovery, r.notes ?? ''].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    `hangwatch fault suite, ${mode} mode`,
    '',
    line(head),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...body.map(line),
    '',
  ].join('\n');
}

export async function writeTable(text: string): Promise<string> {
  await mkdir(OUT, { recursive: true });
  const path = join(OUT, 'faults-table.md');
  await writeFile(path, text);
  return path;
}
