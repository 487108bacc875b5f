import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RawRecord } from '../../shared/raw-record.js';
import type { Format } from '../../shared/vocabulary.js';
import type { FormatParser } from '../../services/parser/core/event-draft.js';
import { parseRecord, SourceStates, type FormatRegistry, type ParseOutcome } from '../../services/parser/core/parse-record.js';

// Golden-fixture harness shared by every grammar test (pgsql-ast-parser's habit): each input file in
// test/grammars/fixtures/<format>/ has a sibling `<file>.expected.ndjson` holding the events and dead letters
// it must produce. `UPDATE_GOLDEN=1` rewrites the expected files; review the diff before committing.

export const FIXED_CREATED = '2026-01-01T00:00:00.000Z';
export const FIXED_MTIME = '2017-03-20T00:00:00.000Z';

export type Framing = 'lines' | 'whole';

/** Splits bytes into records with their byte offsets: newline-framed lines (CR stripped) or the whole file. */
export function frameRecords(bytes: Buffer, framing: Framing): Array<{ offset: number; bytes: Buffer }> {
  if (framing === 'whole') return [{ offset: 0, bytes }];
  const out: Array<{ offset: number; bytes: Buffer }> = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    let line = bytes.subarray(start, end);
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    if (line.length > 0) out.push({ offset: start, bytes: line });
    start = end + 1;
  }
  return out;
}

export function registryOf(...parsers: FormatParser[]): FormatRegistry {
  const map: Partial<Record<Format, FormatParser>> = {};
  for (const p of parsers) map[p.format] = p;
  return new Proxy(map as FormatRegistry, {
    get(target, key: string) {
      const p = (target as Record<string, FormatParser>)[key];
      if (!p) throw new Error(`no parser registered for ${key} in this test`);
      return p;
    },
  });
}

export interface ParseFileOptions {
  readonly format: Format | 'auto';
  readonly framing: Framing;
  readonly host?: string;
  readonly path?: string;
  readonly parseOptions?: Partial<import('../../services/parser/core/event-draft.js').ParseOptions>;
}

/** Parses a whole file the way the shipper would feed it: one record per frame, shared per-source state. */
export function parseFile(file: string, registry: FormatRegistry, options: ParseFileOptions): ParseOutcome {
  const bytes = readFileSync(file);
  const states = new SourceStates();
  const events: ParseOutcome['events'] = [];
  const deadletters: ParseOutcome['deadletters'] = [];
  for (const frame of frameRecords(bytes, options.framing)) {
    const record: RawRecord = {
      bytes: frame.bytes,
      host: options.host ?? 'testhost',
      path: options.path ?? file.replace(/^.*test\/grammars\/fixtures\//, 'fixtures/'),
      format: options.format,
      fingerprint: 'fixture',
      offset: frame.offset,
      created: FIXED_CREATED,
      mtime: FIXED_MTIME,
    };
    const outcome = parseRecord(record, registry, states, { maxRecordBytes: 16 << 20, validate: true, ...options.parseOptions });
    events.push(...outcome.events);
    deadletters.push(...outcome.deadletters);
  }
  return { events, deadletters };
}

/** Compares a file's outcome with its `.expected.ndjson` (or writes it with UPDATE_GOLDEN=1). */
export function assertGolden(file: string, outcome: ParseOutcome): void {
  const expectedFile = `${file}.expected.ndjson`;
  const actual = [...outcome.events.map((e) => ({ event: e })), ...outcome.deadletters.map((d) => ({ deadletter: d }))];
  const text = actual.map((x) => JSON.stringify(x)).join('\n') + '\n';
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(expectedFile)) {
    if (process.env.UPDATE_GOLDEN !== '1') throw new Error(`missing golden file ${expectedFile}: run with UPDATE_GOLDEN=1 and review it`);
    writeFileSync(expectedFile, text);
    return;
  }
  const expected = readFileSync(expectedFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
  assert.deepEqual(actual, expected, `golden mismatch for ${file}`);
}

/** Input files of a fixture folder (everything but the expected files and READMEs). */
export function listFixtures(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && !d.name.endsWith('.expected.ndjson') && !/^(README|SOURCES)/i.test(d.name))
    .map((d) => join(dir, d.name))
    .sort();
}
