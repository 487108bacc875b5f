import { createHash } from 'node:crypto';
import { isoUtc } from '../../../shared/time.js';
import type { AuditCheck, AuditFinding, AuditProblem } from './audit-finding.js';
import type { DomainConfig } from './domain-config.js';
import { decideWindows, type WindowsHints } from './windows-evidence.js';

// The audit: group what was read by domain (hypervisor + name, DESIGN.md section 7), decide Windows, and for each
// Windows domain list what is missing with the exact libvirt XML that adds it (libvirt formatdomain:
// "Hypervisor features" and "Time keeping"). The XML is the configuration judged when it was read (it is what the
// next start uses and where the fix goes); a command line only when no XML was. Pure: time is passed in.

const HYPERV_XML: Readonly<Record<'relaxed' | 'vapic' | 'spinlocks', string>> = {
  relaxed: "<relaxed state='on'/>",
  vapic: "<vapic state='on'/>",
  spinlocks: "<spinlocks state='on' retries='8191'/>",
};
const QEMU_FLAG: Readonly<Record<'relaxed' | 'vapic' | 'spinlocks' | 'time', string>> = {
  relaxed: 'hv_relaxed',
  vapic: 'hv_vapic',
  spinlocks: 'hv_spinlocks=0x1fff',
  time: 'hv_time',
};
const WHY: Readonly<Record<AuditCheck, string>> = {
  relaxed: 'without hv_relaxed Windows takes a late vCPU for a hung processor and bugchecks (0x101 / 0x133)',
  spinlocks: 'without hv_spinlocks a vCPU spinning on a lock held by a descheduled vCPU burns its time slice',
  vapic: 'without hv_vapic every APIC access (EOI, IPI) exits to the host, slowing interrupts',
  time: 'without hv_time (hypervclock) Windows keeps time with the emulated HPET/RTC/PIT, costly and drifting',
  'rtc-catchup': "an RTC timer without tickpolicy='catchup' loses ticks while the guest is descheduled; Windows' clock falls behind",
};

function missingOf(c: DomainConfig): AuditCheck[] {
  const out: AuditCheck[] = [];
  for (const check of ['relaxed', 'spinlocks', 'vapic', 'time'] as const) if (!c.hyperv.has(check)) out.push(check);
  if (c.rtcTimer?.present && c.rtcTimer.tickpolicy !== 'catchup') out.push('rtc-catchup');
  return out;
}

export function remediationXml(c: DomainConfig, missing: readonly AuditCheck[]): string | undefined {
  const lines: string[] = [];
  if (c.cpuOverride !== undefined) {
    const flags = (['relaxed', 'vapic', 'spinlocks', 'time'] as const).filter((m) => missing.includes(m)).map((m) => QEMU_FLAG[m]);
    if (flags.length > 0) lines.push(`<qemu:commandline> overrides -cpu (QEMU uses the last one): change <qemu:arg value='${c.cpuOverride}'/> to <qemu:arg value='${c.cpuOverride},${flags.join(',')}'/>`);
  } else {
    const hv = (['relaxed', 'vapic', 'spinlocks'] as const).filter((m) => missing.includes(m)).map((m) => HYPERV_XML[m]);
    if (hv.length > 0) lines.push(c.hasHypervElement ? `inside <features><hyperv>: ${hv.join('')}` : `inside <features>: <hyperv>${hv.join('')}</hyperv>`);
    if (missing.includes('time')) {
      const timer = "<timer name='hypervclock' present='yes'/>";
      lines.push(c.hasClockElement ? `inside <clock offset='${c.clockOffset ?? 'utc'}'>: ${timer}` : `inside <domain>: <clock offset='localtime'>${timer}</clock>`);
    }
  }
  if (missing.includes('rtc-catchup')) lines.push("inside <clock>: replace the rtc timer with <timer name='rtc' tickpolicy='catchup'/>");
  return lines.length > 0 ? lines.join('\n') : undefined;
}

function keyOf(c: DomainConfig): string {
  return `${c.hypervisor ?? ''}\u0000${c.name}`;
}

function newestCmdline(configs: readonly DomainConfig[]): DomainConfig | undefined {
  return configs.filter((c) => c.source === 'qemu-cmdline').sort((a, b) => (a.seenAt ?? '').localeCompare(b.seenAt ?? '')).pop();
}

export function auditDomains(configs: readonly DomainConfig[], hints: WindowsHints, nowMs: number): AuditFinding[] {
  const groups = new Map<string, DomainConfig[]>();
  for (const c of configs) {
    const list = groups.get(keyOf(c)) ?? [];
    list.push(c);
    groups.set(keyOf(c), list);
  }
  const findings: AuditFinding[] = [];
  for (const group of groups.values()) {
    const verdict = decideWindows(group, hints);
    if (!verdict.windows || !verdict.certainty) continue;
    const running = newestCmdline(group);
    const primary = group.find((c) => c.source === 'domain-xml') ?? running!;
    const missing = missingOf(primary);
    const problems: AuditProblem[] = missing.map((check) => ({ check, detail: WHY[check] }));
    let runningPart: NonNullable<AuditFinding['audit']['running']> | undefined;
    if (primary.source === 'domain-xml' && running) {
      const runningMissing = missingOf(running).filter((m) => m !== 'rtc-catchup');
      runningPart = { path: running.path, ...(running.seenAt ? { seen_at: running.seenAt } : {}), missing: runningMissing };
      const fixedSince = runningMissing.filter((m) => !missing.includes(m));
      if (fixedSince.length > 0) {
        problems.push({ check: 'restart-pending', detail: `the XML has ${fixedSince.join(', ')} but the last qemu command line (${running.seenAt ?? 'time unknown'}) ran without: shut the guest down and start it (a reboot inside the guest keeps the old command line)` });
      }
    }
    const id = createHash('sha256').update(`${primary.hypervisor ?? ''}|${primary.name}`).digest('hex').slice(0, 32);
    const exposed = missing.includes('relaxed') || problems.some((p) => p.check === 'restart-pending' && runningPart?.missing.includes('relaxed'));
    const remediation = remediationXml(primary, missing);
    const osId = group.find((c) => c.osId)?.osId;
    const uuid = group.find((c) => c.uuid)?.uuid;
    findings.push({
      '@timestamp': isoUtc(nowMs),
      event: { id, kind: 'state', category: ['configuration'], type: ['info'], dataset: 'hangwatch.audit', action: 'domain-audit' },
      message:
        missing.length === 0 && problems.length === 0
          ? `${primary.name}${primary.hypervisor ? ` on ${primary.hypervisor}` : ''}: Windows guest with hv_relaxed, hv_spinlocks, hv_vapic and hv_time`
          : `${primary.name}${primary.hypervisor ? ` on ${primary.hypervisor}` : ''}: Windows guest ${missing.length > 0 ? `lacks ${missing.join(', ')}` : 'needs a restart'}${exposed ? ' (exposed to CLOCK_WATCHDOG_TIMEOUT)' : ''}`,
      libvirt: { domain: { name: primary.name, ...(uuid ? { uuid } : {}) }, ...(primary.hypervisor ? { hypervisor: primary.hypervisor } : {}) },
      audit: {
        id,
        status: exposed ? 'exposed' : problems.length > 0 ? 'partial' : 'ok',
        windows: { certainty: verdict.certainty, reasons: verdict.reasons, ...(osId ? { os_id: osId } : {}) },
        missing,
        problems,
        ...(remediation ? { remediation } : {}),
        source: { kind: primary.source, path: primary.path },
        ...(runningPart ? { running: runningPart } : {}),
      },
    });
  }
  return findings.sort((a, b) => (a.libvirt.hypervisor ?? '').localeCompare(b.libvirt.hypervisor ?? '') || a.libvirt.domain.name.localeCompare(b.libvirt.domain.name));
}
