import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { collectFiles } from '../../../cli/analyze/collect-files.js';
import { datedFirst, parseCollectedFiles } from '../../../cli/analyze/parse-files.js';
import { correlateAll } from '../../../services/correlator/core/index.js';

// DESIGN.md section 6: a syslog line without a year takes it from the same host's dated records first (libvirtd,
// qemu, iostat), the file's modification time only when the host has none. Logs are copied (`cp` without -p, git
// checkouts, untarred archives), so a copy with fresh modification times must give the same kernel @timestamps,
// and so the same incidents and diagnoses, as the original. `hangwatch analyze` parses a host's dated files
// before its year-less ones for that.

const SAMPLES = fileURLToPath(new URL('../../../samples/', import.meta.url));
const silent = { advance: () => undefined, done: () => undefined };
const CREATED = '2026-06-01T00:00:00.000Z';

function touchTree(dir: string, at: Date): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) touchTree(path, at);
    else utimesSync(path, at, at);
  }
}

/** A copy of a sample set as `cp -r` (no -p) leaves it: every file modified "now" (years after its records). */
function freshCopy(set: string): string {
  const dir = mkdtempSync(join(tmpdir(), `hangwatch-fresh-${set}-`));
  cpSync(join(SAMPLES, set), join(dir, set), { recursive: true, preserveTimestamps: false });
  touchTree(join(dir, set), new Date());
  return join(dir, set);
}

/** What `hangwatch analyze` computes (collect, parse, correlate), without --year-reference. */
async function analyze(root: string) {
  const files = await collectFiles([root]);
  const parsed = await parseCollectedFiles(files, { maxRecordBytes: 16 << 20, validate: false }, CREATED, 'localhost', silent);
  const { incidents } = correlateAll(parsed.events, {});
  const kernel = parsed.events
    .filter((e) => e.event.dataset === 'linux.kernel')
    .map((e) => `${relative(root, e.log?.file?.path ?? '')}@${e.log?.offset} ${e['@timestamp']} ${e.hangwatch.time.year ?? '-'}`)
    .sort();
  const summary = incidents.map((i) => `${i.libvirt.hypervisor}/${i.libvirt.domain.name} ${i['@timestamp']} ${i.incident.kind} ${i.incident.diagnosis.map((d) => d.code).join(',')}`);
  return { kernel, summary, files: parsed.files.map((f) => relative(root, f.path)), events: parsed.events };
}

function kernelYears(events: readonly EcsEvent[]): Set<string> {
  return new Set(events.filter((e) => e.event.dataset === 'linux.kernel').map((e) => e['@timestamp'].slice(0, 4)));
}

test('samples/seed copied with fresh modification times gives the same incident as the original', async () => {
  const copy = freshCopy('seed');
  try {
    const original = await analyze(join(SAMPLES, 'seed'));
    const fresh = await analyze(copy);
    // README: one incident at 2017-03-15T05:11:54.777Z on vm113, diagnosed missing-hyperv-enlightenments.
    assert.equal(original.summary.length, 1, original.summary.join('\n'));
    assert.match(original.summary[0] ?? '', /^sc7\/vm113 2017-03-15T05:11:54\.777Z \S+ missing-hyperv-enlightenments/);
    assert.deepEqual(fresh.summary, original.summary);
    assert.deepEqual(fresh.kernel, original.kernel);
  } finally {
    rmSync(join(copy, '..'), { recursive: true, force: true });
  }
});

/**
 * Drops the hosts' iostat.log, so kern.log sorts before every dated file of its host (libvirt/...), and kern.log's
 * apparmor audit lines, whose `audit(<epoch>)` stamps would date the file by themselves (a host without apparmor).
 */
function withoutOwnDates(root: string): void {
  for (const host of readdirSync(root, { withFileTypes: true })) {
    if (!host.isDirectory()) continue;
    rmSync(join(root, host.name, 'var', 'log', 'iostat.log'), { force: true });
    const kernLog = join(root, host.name, 'var', 'log', 'kern.log');
    const kept = readFileSync(kernLog, 'utf8').split('\n').filter((line) => !line.includes('audit('));
    writeFileSync(kernLog, kept.join('\n'));
  }
}

test('samples/fleet copied with fresh modification times: kern.log keeps 2017 from the hosts\' libvirtd and qemu records, same incidents', async () => {
  const truth = JSON.parse(readFileSync(join(SAMPLES, 'fleet', 'truth.json'), 'utf8')) as { referenceTime: string };
  // The original as the generator left it (what `cp -p` keeps): every file modified at the end of the day.
  const original = freshCopy('fleet');
  touchTree(original, new Date(truth.referenceTime));
  const copy = freshCopy('fleet');
  // kern.log is then the first file of each host in collection order and carries no date of its own: only
  // reading the host's dated files first dates it from the host's records.
  withoutOwnDates(original);
  withoutOwnDates(copy);
  touchTree(original, new Date(truth.referenceTime));
  touchTree(copy, new Date());
  try {
    const before = await analyze(original);
    const after = await analyze(copy);
    assert.ok(before.kernel.length > 0, 'the fleet has kernel lines');
    assert.deepEqual([...kernelYears(after.events)], ['2017']);
    // Same instants; only the rule that gave the year is named, and it is the hosts' records in both.
    assert.deepEqual(after.kernel, before.kernel);
    assert.ok(after.kernel.every((k) => k.endsWith(' host-records')), after.kernel.find((k) => !k.endsWith(' host-records')));
    assert.deepEqual(after.summary, before.summary);
    assert.ok(after.summary.some((s) => s.includes('host-soft-lockup')), after.summary.join('\n'));
    // Reported in collection order, whatever order they were parsed in.
    assert.deepEqual(after.files, [...after.files].sort());
  } finally {
    rmSync(join(original, '..'), { recursive: true, force: true });
    rmSync(join(copy, '..'), { recursive: true, force: true });
  }
});

test('analyze parses year-less files after the dated ones, keeping each group in collection order', () => {
  const files = [
    { path: 'a/kern.log', size: 1, format: 'kernel' as const, yearLess: true },
    { path: 'a/libvirtd.log', size: 1, format: 'libvirtd' as const },
    { path: 'a/messages', size: 1, format: 'kernel' as const, yearLess: true },
    { path: 'a/qemu/vm1.log', size: 1, format: 'qemu' as const },
    { path: 'a/short-iso.log', size: 1, format: 'kernel' as const },
  ];
  assert.deepEqual(datedFirst(files), [1, 3, 4, 0, 2]);
  assert.ok(statSync(SAMPLES).isDirectory());
});
