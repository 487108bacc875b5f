import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeadLetter } from '../../../shared/schema/deadletter.js';
import type { EcsEvent } from '../../../shared/schema/event.js';
import type { Format } from '../../../shared/vocabulary.js';
import type { ParseOptions } from '../../../services/parser/core/event-draft.js';
import { parseRecord, SourceStates } from '../../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../../services/parser/core/registry.js';
import { readSourceRecords } from '../../../services/parser/adapters/read-source-records.js';

// Golden tests over real public records (test/fixtures/real-logs, origins in its SOURCES.md). Each file is read
// the way `hangwatch parse --format <kind> FILE` reads it (the same reader and parser core), with a fixed read
// time and a fixed modification time, and the key fields of what came out (time and basis, host, domain, action,
// bugcheck, qemu -cpu) are compared with `golden/<kind>/<file>.golden.ndjson`. `UPDATE_GOLDEN=1` rewrites them:
// read the diff line by line before committing, the golden file is the claim that these are the right answers.

const HERE = dirname(fileURLToPath(import.meta.url));
export const REAL_LOGS_DIR = join(HERE, '../../fixtures/real-logs');
const GOLDEN_DIR = join(HERE, 'golden');

export const FIXED_CREATED = '2026-01-01T00:00:00.000Z';
/** Every fixture's modification time is set to this before reading: a clone gets fresh ones. */
export const FIXED_MTIME = new Date('2025-12-31T00:00:00.000Z');

/** The format each folder's files are given as (`--format`). */
export const KIND_FORMATS: Readonly<Record<string, Format>> = {
  libvirtd: 'libvirtd',
  qemu: 'qemu',
  kernel: 'kernel',
  iostat: 'iostat',
  windbg: 'windbg',
  'winevent-xml': 'winevent-xml',
  winlogbeat: 'winlogbeat',
  evtx: 'evtx',
};

export interface RealLogOutcome {
  readonly records: number;
  readonly events: EcsEvent[];
  readonly deadletters: DeadLetter[];
}

export function listRealLogs(kind: string): string[] {
  const dir = join(REAL_LOGS_DIR, kind);
  return readdirSync(dir).filter((n) => !n.startsWith('.')).sort();
}

export async function parseRealLog(kind: string, name: string, options: Partial<ParseOptions> = {}): Promise<RealLogOutcome> {
  const path = join(REAL_LOGS_DIR, kind, name);
  utimesSync(path, FIXED_MTIME, FIXED_MTIME);
  const states = new SourceStates();
  const events: EcsEvent[] = [];
  const deadletters: DeadLetter[] = [];
  let records = 0;
  const source = { path: `real-logs/${kind}/${name}`, host: 'collector', format: KIND_FORMATS[kind] as Format, maxRecordBytes: 16 << 20, created: FIXED_CREATED };
  for await (const record of readSourceRecords({ ...source, path })) {
    records++;
    const outcome = parseRecord({ ...record, path: source.path }, FORMAT_PARSERS, states, { maxRecordBytes: 16 << 20, validate: true, ...options });
    events.push(...outcome.events);
    deadletters.push(...outcome.deadletters);
  }
  return { records, events, deadletters };
}

const clip = (text: string | undefined, n: number): string | undefined => (text === undefined ? undefined : text.length > n ? `${text.slice(0, n)}…` : text);

/** The fields a golden file pins for an event: what a diagnosis depends on, not every detail. */
export function keyFields(e: EcsEvent): Record<string, unknown> {
  const any = e as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const out: Record<string, unknown> = {
    offset: e.log?.offset,
    ts: e['@timestamp'],
    basis: e.hangwatch.time.basis,
    zone: e.hangwatch.time.zone,
    year: e.hangwatch.time.year,
    suspect: any.hangwatch?.time?.suspect,
    host: e.host?.name,
    dataset: e.event.dataset,
    action: e.event.action,
    code: e.event.code,
    level: e.log?.level,
    domain: e.libvirt?.domain?.name,
    uuid: e.libvirt?.domain?.uuid,
    attribution: e.hangwatch.attribution,
    bugcheck: any.windows?.bugcheck ? { code: any.windows.bugcheck.code, name: any.windows.bugcheck.name, parameters: any.windows.bugcheck.parameters } : undefined,
    cpu: any.qemu?.cpu ? { model: any.qemu.cpu.model, flags: any.qemu.cpu.flags } : undefined,
    hyperv: any.qemu?.hyperv,
    record_id: any.winlog?.record_id,
    channel: any.winlog?.channel,
    flags: e.hangwatch.parse.flags,
    message: clip(e.message, 100),
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

export function deadLetterFields(d: DeadLetter): Record<string, unknown> {
  const any = d as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  return { deadletter: any.error?.code, reason: clip(any.error?.message, 160), offset: any.log?.offset, original: clip(any.event?.original, 100) };
}

/** Compares an outcome's key fields with the golden file (writes it with UPDATE_GOLDEN=1). */
export function assertRealGolden(kind: string, name: string, outcome: RealLogOutcome): void {
  const file = join(GOLDEN_DIR, kind, `${name}.golden.ndjson`);
  const actual = [...outcome.events.map(keyFields), ...outcome.deadletters.map(deadLetterFields)].map((x) => JSON.parse(JSON.stringify(x)) as unknown);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual.map((x) => JSON.stringify(x)).join('\n') + '\n');
    return;
  }
  if (!existsSync(file)) throw new Error(`missing golden file ${file}: run with UPDATE_GOLDEN=1 and review it`);
  const expected = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
  assert.deepEqual(actual, expected, `golden mismatch for ${kind}/${name}`);
}

/** Every dead letter says why (error code and message) and keeps its original. */
export function assertDeadLettersExplained(outcome: RealLogOutcome): void {
  for (const d of outcome.deadletters) {
    const any = d as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.ok(any.error?.code, 'dead letter without an error code');
    assert.ok(any.error?.message, 'dead letter without a reason');
    assert.ok(any.hangwatch?.original?.length >= 0, 'dead letter without its original');
  }
}

/** One golden test per file of a kind's folder, each also checking that its dead letters say why. */
export function describeRealLogs(kind: string, test: (name: string, fn: () => Promise<void>) => unknown): void {
  for (const name of listRealLogs(kind)) {
    test(`${kind}/${name} matches its golden key fields`, async () => {
      const outcome = await parseRealLog(kind, name);
      assertDeadLettersExplained(outcome);
      assertRealGolden(kind, name, outcome);
    });
  }
}
