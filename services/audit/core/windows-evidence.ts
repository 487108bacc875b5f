import type { DomainConfig } from './domain-config.js';

// Which domains run Windows. Known: libosinfo metadata names a Microsoft OS, Windows records were collected for
// the domain (guests/<domain>/ event XML, WinDbg, Winlogbeat), or the inventory says so. Likely: Hyper-V
// enlightenments are configured (nobody turns them on for Linux), the clock runs on local time (only Windows
// wants an RTC in local time), or the name says win. A likely-Windows domain is audited too: the seed's
// guests had none of the known marks (libvirt 1.3, no libosinfo, no <hyperv>), and that is the exposure.

export type WindowsReason = 'libosinfo' | 'guest-records' | 'inventory' | 'hyperv-features' | 'localtime-clock' | 'name';

export interface WindowsVerdict {
  readonly windows: boolean;
  readonly certainty?: 'known' | 'likely';
  readonly reasons: WindowsReason[];
}

export interface WindowsHints {
  /** Domain names (hypervisor-qualified `host/name`, or bare `name`) with Windows records collected. */
  readonly guestRecords: ReadonlySet<string>;
  /** Domain names the inventory marks as Windows. */
  readonly inventory: ReadonlySet<string>;
}

const KNOWN: ReadonlySet<WindowsReason> = new Set(['libosinfo', 'guest-records', 'inventory']);

function has(set: ReadonlySet<string>, config: DomainConfig): boolean {
  return set.has(config.name) || (config.hypervisor !== undefined && set.has(`${config.hypervisor}/${config.name}`));
}

export function decideWindows(configs: readonly DomainConfig[], hints: WindowsHints): WindowsVerdict {
  const reasons = new Set<WindowsReason>();
  for (const c of configs) {
    if (c.osId?.startsWith('http://microsoft.com/win')) reasons.add('libosinfo');
    if (has(hints.guestRecords, c)) reasons.add('guest-records');
    if (has(hints.inventory, c)) reasons.add('inventory');
    if (c.hyperv.size > 0 || c.hasHypervElement) reasons.add('hyperv-features');
    if (c.clockOffset === 'localtime') reasons.add('localtime-clock');
    if (/win/i.test(c.name)) reasons.add('name');
  }
  // A libosinfo id that names another OS outweighs the weak hints.
  const otherOs = configs.some((c) => c.osId !== undefined && !c.osId.startsWith('http://microsoft.com/win'));
  const list = [...reasons].sort();
  if (list.some((r) => KNOWN.has(r))) return { windows: true, certainty: 'known', reasons: list };
  if (list.length > 0 && !otherOs) return { windows: true, certainty: 'likely', reasons: list };
  return { windows: false, reasons: list };
}
