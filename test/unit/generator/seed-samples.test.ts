import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseZone } from '../../../shared/time.js';
import { buildSeedWindbgReport, renderWindbgReport } from '../../generator/windbg-writer.js';
import { lines } from './corpus-helpers.js';

// samples/seed is the field report's evidence with its line breaks restored. Everything except the line
// breaks (and WinDbg's column spacing) must be verbatim from the report.

const SEED = readFileSync(new URL('../../../samples/field-report.txt', import.meta.url), 'utf8');
const read = (rel: string): string => readFileSync(new URL(`../../../samples/${rel}`, import.meta.url), 'utf8');
const collapse = (text: string): string => text.replace(/\s+/g, ' ').trim();

test('libvirtd.log holds the 18 seed entries, one per line, verbatim and in order', () => {
  const all = lines(read('seed/sc7/var/log/libvirt/libvirtd.log'));
  assert.equal(all.length, 18);
  assert.ok(SEED.includes(all.join(' ')), 'joined with spaces the lines are the seed text');
  for (const l of all) assert.match(l, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+0000: \d+: (info|warning|error) : /);
});

test('vm113.log: header, the full command line on one line, the redirect, 30 CPUID warnings, 22 spice lines', () => {
  const all = lines(read('seed/sc7/var/log/libvirt/qemu/vm113.log'));
  assert.equal(all.length, 2 + 1 + 30 + 22);
  assert.match(all[0] ?? '', /^2017-03-16 02:55:46\.227\+0000: starting up libvirt version: 1\.3\.1, .*hostname: sc7$/);
  assert.match(all[1] ?? '', /^LC_ALL=C .* -name vm113 .* -msg timestamp=on$/);
  assert.equal((all[1] ?? '').match(/ -cpu /g)?.length, 1);
  assert.ok(SEED.includes(all.join(' ')), 'joined with spaces the lines are the seed text');
});

test('seed-fixed differs only by the seed fix appended as the last -cpu', () => {
  const broken = lines(read('seed/sc7/var/log/libvirt/qemu/vm113.log'));
  const fixed = lines(read('seed-fixed/sc7/var/log/libvirt/qemu/vm113.log'));
  assert.equal(fixed.length, broken.length);
  fixed.forEach((l, i) => {
    if (i !== 1) assert.equal(l, broken[i]);
  });
  const cpus = [...(fixed[1] ?? '').matchAll(/ -cpu (\S+)/g)].map((m) => m[1]);
  assert.equal(cpus.at(-1), 'host,hv_time,hv_relaxed,hv_vapic,hv_spinlocks=0x1fff,kvm=off,hv_vendor_id=xeon');
  assert.equal(read('seed-fixed/sc7/guests/vm113/windbg-analyze.txt'), read('seed/sc7/guests/vm113/windbg-analyze.txt'));
});

test('the WinDbg report is the seed text with line breaks restored, and the writer reproduces it', () => {
  const report = read('seed/sc7/guests/vm113/windbg-analyze.txt');
  assert.equal(renderWindbgReport(buildSeedWindbgReport(parseZone('Asia/Shanghai'))), report);
  const [loading, analysis] = report.split(/\n(?=0: kd> !analyze -v)/);
  assert.ok(collapse(SEED).includes(collapse(loading ?? '')), 'load banner verbatim');
  // The closing `---------` is WinDbg's; the report's text stops at `Followup: MachineOwner`.
  const body = collapse((analysis ?? '').replace(/---------\s*$/, ''));
  assert.ok(collapse(SEED).includes(body), 'analysis verbatim');
  assert.match(report, /^Debug session time: Wed Mar 15 13:11:54\.777 2017 \(GMT\+8\)$/m);
});
