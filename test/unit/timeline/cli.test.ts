import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readSeedIncident, SEED_DIR } from './seed-fixture.js';

// The command as a user runs it: data on stdout or in --out, the summary on stderr, exit codes.

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'hangwatch.js');

function hangwatch(...args: string[]) {
  return spawnSync(process.execPath, [BIN, 'timeline', ...args], { encoding: 'utf8' });
}

test('timeline --source DIR writes data to stdout and the summary to stderr', () => {
  const id = readSeedIncident().incident.id;
  const run = hangwatch('--incident', id, '--source', SEED_DIR, '--format', 'jsonl', '--tz', 'Asia/Shanghai');
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trimEnd().split('\n');
  assert.ok(lines.every((l) => JSON.parse(l) !== null), 'stdout holds only JSONL');
  assert.match(run.stderr, new RegExp(`timeline: ${lines.length} rows`));
});

test('timeline --out picks the format from the extension and leaves no partial file on failure', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-timeline-'));
  const id = readSeedIncident().incident.id;
  const ok = hangwatch('--incident', id, '--source', SEED_DIR, '--out', join(dir, 'seed.html'));
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout, '');
  assert.match(readFileSync(join(dir, 'seed.html'), 'utf8'), /^<!DOCTYPE html>/);
  const missing = hangwatch('--incident', 'nope', '--source', SEED_DIR, '--out', join(dir, 'nope.md'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /HW_NOT_FOUND/);
  assert.deepEqual(readdirSync(dir), ['seed.html']);
});

test('timeline --domain and --host take a range read in --tz', () => {
  const domain = hangwatch('--domain', 'vm113', '--from', '2017-03-15 12:00', '--to', '2017-03-15 14:00', '--tz', 'Asia/Shanghai', '--source', SEED_DIR, '-f', 'csv');
  assert.equal(domain.status, 0, domain.stderr);
  assert.match(domain.stdout, /CLOCK_WATCHDOG_TIMEOUT/);
  assert.doesNotMatch(domain.stdout, /2017-03-15T14:03:08/, '14:03 Shanghai is after --to');
  const usage = hangwatch('--host', 'sc7', '--source', SEED_DIR);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /--from and --to/);
});
