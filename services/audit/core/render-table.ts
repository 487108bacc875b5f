import type { AuditFinding } from './audit-finding.js';

// `hangwatch audit --format table`: one row per Windows domain, then the exact XML for each one that needs it.

export function renderAuditTable(findings: readonly AuditFinding[]): string {
  const rows = findings.map((f) => [
    f.libvirt.hypervisor ?? '-',
    f.libvirt.domain.name,
    f.audit.status,
    f.audit.missing.join(',') || '-',
    `${f.audit.windows.certainty}: ${f.audit.windows.reasons.join(',')}`,
    f.audit.source.path,
  ]);
  const header = ['HOST', 'DOMAIN', 'STATUS', 'MISSING', 'WINDOWS', 'SOURCE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  const out = [line(header), ...rows.map(line)];
  for (const f of findings) {
    if (!f.audit.remediation && !f.audit.problems.some((p) => p.check === 'restart-pending')) continue;
    out.push('', `${f.libvirt.domain.name}${f.libvirt.hypervisor ? ` (${f.libvirt.hypervisor})` : ''}: virsh edit ${f.libvirt.domain.name}`);
    if (f.audit.remediation) for (const l of f.audit.remediation.split('\n')) out.push(`  ${l}`);
    for (const p of f.audit.problems) out.push(`  - ${p.check}: ${p.detail}`);
  }
  return `${out.join('\n')}\n`;
}
