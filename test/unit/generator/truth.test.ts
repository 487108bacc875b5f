import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateTemp, lines, readText } from './corpus-helpers.js';

// truth.json must describe what the files actually contain, or precision/recall tests measure nothing.

const { dir, truth } = generateTemp({ hangs: 6, cleanShutdowns: 3 });
const guestXml = (host: string, vm: string): string => readText(dir, `${host}/guests/${vm}/System.xml`);
const qemuLog = (host: string, vm: string): string => readText(dir, `${host}/var/log/libvirt/qemu/${vm}.log`);
const events = (xml: string, id: number): string[] => lines(xml).filter((l) => l.includes(`>${id}</EventID>`));
const systemTime = (record: string): number => Date.parse(/SystemTime='([^']+)'/.exec(record)?.[1] ?? '');

test('every cause is injected and each hang lies inside the window', () => {
  assert.deepEqual(new Set(truth.hangs.map((h) => h.cause)).size, 5);
  for (const h of truth.hangs) {
    const t = Date.parse(h.hangTime);
    assert.ok(t > Date.parse(truth.window.gte) && t < Date.parse(truth.window.lte), h.id);
    assert.ok(truth.files.some((f) => f.path === `${h.hypervisor}/guests/${h.domain}/System.xml`));
  }
});

test('bugcheck hangs: Kernel-Power 41 with the decimal code, WER 1001 param1, and a WinDbg report at the crash time', () => {
  const bugchecks = truth.hangs.filter((h) => h.kind === 'bugcheck');
  assert.ok(bugchecks.length >= 1);
  for (const h of bugchecks) {
    const xml = guestXml(h.hypervisor, h.domain);
    const hang = Date.parse(h.hangTime);
    const k41 = events(xml, 41).filter((r) => r.includes("<Data Name='BugcheckCode'>257</Data>") && systemTime(r) > hang);
    assert.equal(k41.length, 1, `${h.id}: one 41 with BugcheckCode 257 after the crash`);
    assert.ok(k41[0]?.includes("<Data Name='BugcheckParameter3'>0x807a3120</Data>"));
    assert.ok(events(xml, 1001).some((r) => r.includes("<Data Name='param1'>0x00000101 (0x00000061, 0x00000000, 0x807a3120, 0x00000001)</Data>")));
    assert.ok(h.windbg && existsSync(join(dir, h.windbg)), `${h.id}: WinDbg report`);
    const report = readText(dir, h.windbg);
    assert.match(report, /CLOCK_WATCHDOG_TIMEOUT \(101\)/);
    const local = new Date(hang + 8 * 3_600_000).toISOString();
    assert.ok(report.includes(`${local.slice(11, 19)}.${local.slice(20, 23)} 2017 (GMT+8)`), `${h.id}: debug session time is the crash time in GMT+8`);
    // The watchdog diagnosis needs a guest without Hyper-V enlightenments on its effective -cpu.
    const cmd = lines(qemuLog(h.hypervisor, h.domain)).filter((l) => l.startsWith('LC_ALL=C '));
    assert.ok(cmd.length >= 1 && cmd.every((l) => !l.includes('hv_relaxed')));
  }
});

test('hard hangs and qemu exits: 6008 near the hang and 41 with code 0 at the next boot', () => {
  for (const h of truth.hangs.filter((x) => x.kind !== 'bugcheck')) {
    const xml = guestXml(h.hypervisor, h.domain);
    const hang = Date.parse(h.hangTime);
    const after = (r: string): boolean => systemTime(r) > hang && systemTime(r) < hang + 2 * 3_600_000;
    assert.ok(events(xml, 6008).some(after), `${h.id}: 6008 after the hang`);
    assert.ok(events(xml, 41).some((r) => after(r) && r.includes("<Data Name='BugcheckCode'>0</Data>")), `${h.id}: 41 with code 0`);
  }
});

test('host evidence for each host-side cause is in the host files before the hang', () => {
  for (const h of truth.hangs) {
    const hang = Date.parse(h.hangTime);
    const logDir = `${h.hypervisor}/var/log`;
    if (h.cause === 'kvm-internal-error') {
      const q = qemuLog(h.hypervisor, h.domain);
      assert.match(q, /^KVM internal error\. Suberror: 1$/m);
      assert.match(q, /shutting down, reason=crashed$/m);
    }
    if (h.cause === 'host-soft-lockup') {
      assert.ok(lines(readText(dir, `${logDir}/kern.log`)).some((l) => l.includes('soft lockup - CPU#')));
      const cmd = lines(qemuLog(h.hypervisor, h.domain)).filter((l) => l.startsWith('LC_ALL=C '));
      assert.ok(cmd.every((l) => /hv_relaxed/.test(l)), 'soft-lockup victims have the enlightenments');
    }
    if (h.cause === 'host-io-stall') {
      const stamps = lines(readText(dir, `${logDir}/iostat.log`)).filter((l) => /^\d{4}-\d\d-\d\dT/.test(l));
      const iostat = readText(dir, `${logDir}/iostat.log`);
      assert.ok(stamps.length > 100);
      assert.match(iostat, /^sd[b-d] .* (99\.\d\d|100\.00)$/m, 'saturated data disks');
    }
    if (h.cause === 'migration-failure') {
      const daemon = lines(readText(dir, `${logDir}/libvirt/libvirtd.log`));
      const failures = daemon.filter((l) => l.includes('migration job: unexpectedly failed') && Date.parse(`${l.slice(0, 10)}T${l.slice(11, 23)}Z`) < hang);
      assert.ok(failures.length >= 2, `${h.id}: migration failures before the hang`);
      assert.ok(daemon.some((l) => l.includes(`for domain ${h.domain};`)));
    }
  }
});

test('clean shutdowns: 6006 in the guest and reason=shutdown in qemu, and no unexpected-shutdown record for them', () => {
  assert.equal(truth.cleanShutdowns.length, 3);
  for (const c of truth.cleanShutdowns) {
    const xml = guestXml(c.hypervisor, c.domain);
    const t = Date.parse(c.time);
    assert.ok(events(xml, 6006).some((r) => Math.abs(systemTime(r) - t) < 1000));
    assert.match(qemuLog(c.hypervisor, c.domain), /shutting down, reason=shutdown$/m);
    const restart = Date.parse(c.restartTime);
    assert.ok(!events(xml, 6008).some((r) => systemTime(r) > t && systemTime(r) < restart + 120_000), 'a clean restart logs no 6008');
  }
});

test('the hostile option mixes broken records in and lists them', () => {
  const hostile = generateTemp({ hostile: true, hangs: 1, cleanShutdowns: 0 });
  const kinds = new Set(hostile.truth.hostile.map((x) => x.kind));
  for (const k of ['invalid-utf8', 'nul-bytes', 'oversized-line', 'malformed-xml', 'xml-entity']) assert.ok(kinds.has(k as never), k);
  const raw = readText(hostile.dir, 'sc1/var/log/libvirt/libvirtd.log');
  assert.ok(raw.includes('\uFFFD'), 'invalid UTF-8 bytes are really in the file');
});
