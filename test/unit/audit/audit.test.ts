import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HangwatchError } from '../../../shared/errors.js';
import { readAuditInputs } from '../../../services/audit/adapters/read-audit-inputs.js';
import { auditDomains } from '../../../services/audit/core/audit-domains.js';
import type { AuditFinding } from '../../../services/audit/core/audit-finding.js';
import { readXmlTree } from '../../../services/audit/core/xml-tree.js';

const root = join(import.meta.dirname, '..', '..', '..');
const xmlDir = join(root, 'test', 'fixtures', 'domain-xml');
const qemuDir = join(root, 'test', 'grammars', 'fixtures', 'qemu');
const NOW = Date.parse('2026-05-01T00:00:00Z');

async function audit(paths: string[], inventory?: Parameters<typeof readAuditInputs>[1]['inventory']): Promise<{ findings: AuditFinding[]; skipped: string[] }> {
  const inputs = await readAuditInputs(paths, { host: 'sc7', created: '2026-05-01T00:00:00.000Z', ...(inventory ? { inventory } : {}) });
  return { findings: auditDomains(inputs.configs, inputs.hints, NOW), skipped: inputs.skipped.map((s) => s.path.split('/').pop() ?? '') };
}

function byName(findings: AuditFinding[], name: string): AuditFinding {
  const f = findings.find((x) => x.libvirt.domain.name === name);
  assert.ok(f, `a finding for ${name}`);
  return f;
}

test('domain XML of several libvirt generations: what each Windows guest lacks, and the exact XML', async () => {
  const { findings, skipped } = await audit([xmlDir]);
  assert.deepEqual(skipped.sort(), ['doctype-xxe.xml', 'truncated.xml']);
  assert.deepEqual(findings.map((f) => [f.libvirt.domain.name, f.audit.status]), [
    ['vm113', 'exposed'],
    ['win10', 'ok'],
    ['win11-gaming', 'exposed'],
    ['win2k16-sql', 'exposed'],
    ['win7', 'partial'],
  ]);
  // The Linux guest (libosinfo ubuntu, utc clock) is not reported.
  assert.ok(!findings.some((f) => f.libvirt.domain.name === 'noble_default'));

  const seed = byName(findings, 'vm113');
  assert.deepEqual(seed.audit.missing, ['relaxed', 'spinlocks', 'vapic', 'time']);
  assert.deepEqual(seed.audit.windows, { certainty: 'likely', reasons: ['localtime-clock'] });
  assert.equal(
    seed.audit.remediation,
    "inside <features>: <hyperv><relaxed state='on'/><vapic state='on'/><spinlocks state='on' retries='8191'/></hyperv>\ninside <clock offset='localtime'>: <timer name='hypervclock' present='yes'/>",
  );
  assert.equal(seed.libvirt.domain.uuid, '3fec386e-23ee-4853-b46a-37feb9ee3cf9');

  const win7 = byName(findings, 'win7');
  assert.deepEqual(win7.audit.missing, ['time']);
  assert.equal(win7.audit.windows.os_id, 'http://microsoft.com/win/7');
  assert.equal(win7.audit.remediation, "inside <clock offset='localtime'>: <timer name='hypervclock' present='yes'/>");

  const server = byName(findings, 'win2k16-sql');
  assert.deepEqual(server.audit.missing, ['relaxed', 'spinlocks', 'vapic', 'time', 'rtc-catchup']);
  assert.match(server.audit.remediation ?? '', /<timer name='rtc' tickpolicy='catchup'\/>/);

  // <qemu:commandline> -cpu override: the <hyperv> block is void, the fix goes into the override.
  const override = byName(findings, 'win11-gaming');
  assert.deepEqual(override.audit.missing, ['relaxed', 'spinlocks', 'vapic', 'time']);
  assert.match(override.audit.remediation ?? '', /<qemu:arg value='host,kvm=off,hv_relaxed,hv_vapic,hv_spinlocks=0x1fff,hv_time'\/>/);

  const ok = byName(findings, 'win10');
  assert.deepEqual([ok.audit.missing, ok.audit.problems, ok.audit.remediation], [[], [], undefined]);
});

test('qemu command lines from logs: the seed (no hv_*) and a modern q35 guest; the XML wins, the log shows what ran', async () => {
  const { findings } = await audit([join(qemuDir, 'seed--vm113.log'), join(qemuDir, 'modern-q35-hyperv--win2022.log')]);
  const seed = byName(findings, 'vm113');
  assert.equal(seed.audit.source.kind, 'qemu-cmdline');
  assert.equal(seed.audit.status, 'exposed');
  assert.deepEqual(seed.audit.windows.reasons, ['localtime-clock']);
  assert.equal(byName(findings, 'win2022').audit.status, 'ok');

  const withXml = await audit([join(xmlDir, 'seed-vm113-libvirt1.3-no-hyperv.xml'), join(qemuDir, 'seed--vm113.log')]);
  const merged = byName(withXml.findings, 'vm113');
  assert.equal(merged.audit.source.kind, 'domain-xml');
  assert.deepEqual(merged.audit.running?.missing, ['relaxed', 'spinlocks', 'vapic', 'time']);
});

test('an XML fixed but a guest still running the old command line: restart pending, still exposed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-audit-'));
  try {
    const fixed = readFileSync(join(xmlDir, 'seed-vm113-libvirt1.3-no-hyperv.xml'), 'utf8').replace(
      '<pae/>',
      "<pae/>\n    <hyperv><relaxed state='on'/><vapic state='on'/><spinlocks state='on' retries='8191'/></hyperv>",
    ).replace("<clock offset='localtime'/>", "<clock offset='localtime'><timer name='hypervclock' present='yes'/></clock>");
    writeFileSync(join(dir, 'vm113.xml'), fixed);
    const { findings } = await audit([dir, join(qemuDir, 'seed--vm113.log')]);
    const f = byName(findings, 'vm113');
    assert.deepEqual(f.audit.missing, []);
    assert.equal(f.audit.status, 'exposed');
    assert.equal(f.audit.problems[0]?.check, 'restart-pending');
    assert.match(f.audit.problems[0]?.detail ?? '', /shut the guest down and start it/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Windows records collected under guests/<domain>/, or the inventory, make a plain-looking domain Windows', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-audit-'));
  try {
    mkdirSync(join(dir, 'sc9', 'guests', 'app01'), { recursive: true });
    mkdirSync(join(dir, 'sc9', 'etc', 'libvirt', 'qemu', 'x'), { recursive: true });
    // A plain XML: utc clock, no metadata, no hyperv; only the collected WinDbg report says Windows.
    const plain = (name: string) => `<domain type='kvm'><name>${name}</name><features><acpi/><apic/></features><clock offset='utc'/></domain>\n`;
    writeFileSync(join(dir, 'sc9', 'etc', 'libvirt', 'qemu', 'app01.xml'), plain('app01'));
    writeFileSync(join(dir, 'sc9', 'etc', 'libvirt', 'qemu', 'db01.xml'), plain('db01'));
    writeFileSync(join(dir, 'sc9', 'etc', 'libvirt', 'qemu', 'x', 'web01.xml'), plain('web01'));
    cpSync(join(root, 'test', 'grammars', 'fixtures', 'windbg', 'seed-win7-x86-clock-watchdog.txt'), join(dir, 'sc9', 'guests', 'app01', 'MEMORY-windbg.txt'));
    const { findings } = await audit([dir], [{ domain: 'db01', hypervisor: 'sc9', computerName: 'DB01' }]);
    assert.deepEqual(findings.map((f) => [f.libvirt.hypervisor, f.libvirt.domain.name, f.audit.windows.reasons]), [
      ['sc9', 'app01', ['guest-records']],
      ['sc9', 'db01', ['inventory']],
    ]);
    assert.equal(findings[0]?.audit.remediation?.includes("inside <domain>: <clock offset='localtime'>") ?? false, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('DOCTYPE and entity declarations are refused before parsing', () => {
  assert.throws(() => readXmlTree("<!DOCTYPE x [<!ENTITY a 'b'>]><domain>&a;</domain>", 'x.xml'), (e: unknown) => e instanceof HangwatchError && e.code === 'HW_XML_FORBIDDEN');
  assert.throws(() => readXmlTree('<domain>&undefined;</domain>', 'x.xml'), (e: unknown) => e instanceof HangwatchError && e.code === 'HW_XML_FORBIDDEN');
  assert.throws(() => readXmlTree('<domain>'.repeat(100), 'x.xml'), (e: unknown) => e instanceof HangwatchError && e.code === 'HW_XML_FORBIDDEN');
});

test('hangwatch audit --format json: findings on stdout, summary on stderr, exit 0', () => {
  const out = spawnSync(process.execPath, [join(root, 'bin', 'hangwatch.js'), 'audit', '--format', 'json', '--host', 'sc7', join(xmlDir, 'win7-q35-5.2-no-hypervclock.xml')], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const findings = JSON.parse(out.stdout) as AuditFinding[];
  assert.deepEqual(findings.map((f) => [f.libvirt.domain.name, f.audit.missing]), [['win7', ['time']]]);
  assert.match(out.stderr, /1 Windows, 0 exposed/);
  const bad = spawnSync(process.execPath, [join(root, 'bin', 'hangwatch.js'), 'audit', '--format', 'yaml'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  const missing = spawnSync(process.execPath, [join(root, 'bin', 'hangwatch.js'), 'audit', '/nonexistent/hw-audit'], { encoding: 'utf8' });
  assert.equal(missing.status, 1);
});
