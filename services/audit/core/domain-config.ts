import type { EcsEvent } from '../../../shared/schema/event.js';
import { readCpuOption } from '../../parser/core/qemu/cpu.js';
import { child, children, type XmlNode } from './xml-tree.js';
import { configShowsCpu } from '../../../shared/vm-config.js';

// What the audit needs of one domain, from either source: its libvirt domain XML (what the next start uses, and
// where a fix goes) or a qemu command line from its log (what was running). Enlightenment names as the qemu
// parser writes them (`relaxed`, `vapic`, `spinlocks`, `time`, ...; services/parser/core/qemu/cpu.ts).

export type ConfigSource = 'domain-xml' | 'qemu-cmdline';

export interface DomainConfig {
  readonly name: string;
  readonly uuid?: string;
  readonly hypervisor?: string;
  readonly source: ConfigSource;
  readonly path: string;
  /** When a command line was seen (its @timestamp); the newest one of a domain describes what ran last. */
  readonly seenAt?: string;
  /** libosinfo os id (`http://microsoft.com/win/7`). */
  readonly osId?: string;
  /** Enlightenments in effect. */
  readonly hyperv: ReadonlySet<string>;
  /** The XML has a <features><hyperv> element (so a fix adds children to it rather than the element). */
  readonly hasHypervElement: boolean;
  /** `-cpu` value of a <qemu:commandline> override: QEMU uses the last -cpu, so it decides the enlightenments. */
  readonly cpuOverride?: string;
  /** <clock offset=...> or -rtc base=... */
  readonly clockOffset?: string;
  readonly hasClockElement: boolean;
  /** <timer name='rtc'> when present, with its tickpolicy. */
  readonly rtcTimer?: { readonly present: boolean; readonly tickpolicy?: string };
}

const ON = (node: XmlNode): boolean => (node.attributes.state ?? 'on') === 'on';

function hypervFromXml(features: XmlNode | undefined, clock: XmlNode | undefined): Set<string> {
  const out = new Set<string>();
  const hyperv = child(features, 'hyperv');
  if (hyperv?.attributes.mode === 'passthrough') for (const n of ['relaxed', 'vapic', 'spinlocks']) out.add(n);
  for (const c of hyperv?.children ?? []) if (ON(c)) out.add(c.name);
  // hv_time is libvirt's hypervclock timer, not a <hyperv> child.
  const hypervclock = children(clock, 'timer').find((t) => t.attributes.name === 'hypervclock');
  if (hypervclock && hypervclock.attributes.present !== 'no') out.add('time');
  if (hyperv?.attributes.mode === 'passthrough') out.add('time');
  return out;
}

function cpuOverrideOf(domain: XmlNode): string | undefined {
  const args = children(child(domain, 'commandline'), 'arg').map((a) => a.attributes.value ?? '');
  let value: string | undefined;
  for (let i = 0; i < args.length - 1; i++) if (args[i] === '-cpu') value = args[i + 1];
  return value;
}

export function configFromDomainXml(domain: XmlNode, path: string, hypervisor: string | undefined): DomainConfig {
  const features = child(domain, 'features');
  const clock = child(domain, 'clock');
  const osNode = children(child(domain, 'metadata'), 'libosinfo').flatMap((l) => children(l, 'os'))[0];
  const override = cpuOverrideOf(domain);
  const hyperv = override !== undefined ? new Set(readCpuOption(override).hyperv) : hypervFromXml(features, clock);
  const rtc = children(clock, 'timer').find((t) => t.attributes.name === 'rtc');
  const uuid = child(domain, 'uuid')?.text.trim();
  return {
    name: child(domain, 'name')?.text.trim() ?? '(unnamed)',
    ...(uuid ? { uuid } : {}),
    ...(hypervisor ? { hypervisor } : {}),
    source: 'domain-xml',
    path,
    ...(osNode?.attributes.id ? { osId: osNode.attributes.id } : {}),
    hyperv,
    hasHypervElement: child(features, 'hyperv') !== undefined,
    ...(override !== undefined ? { cpuOverride: override } : {}),
    ...(clock?.attributes.offset ? { clockOffset: clock.attributes.offset } : {}),
    hasClockElement: clock !== undefined,
    ...(rtc ? { rtcTimer: { present: rtc.attributes.present !== 'no', ...(rtc.attributes.tickpolicy ? { tickpolicy: rtc.attributes.tickpolicy } : {}) } } : {}),
  };
}

/** A qemu `vm-config` event (services/parser/core/formats/qemu.ts) as a domain configuration. */
export function configFromQemuEvent(event: EcsEvent): DomainConfig | undefined {
  const name = event.libvirt?.domain?.name;
  if (event.event.action !== 'vm-config' || !name) return undefined;
  // Cut before its -cpu: its enlightenments are unknown, so it cannot show a domain exposed.
  if (!configShowsCpu(event)) return undefined;
  const uuid = event.libvirt?.domain?.uuid;
  const hypervisor = event.libvirt?.hypervisor ?? event.host?.name;
  const original = event.event.original ?? '';
  return {
    name,
    ...(uuid ? { uuid } : {}),
    ...(hypervisor ? { hypervisor } : {}),
    source: 'qemu-cmdline',
    path: event.log?.file?.path ?? '',
    seenAt: event['@timestamp'],
    hyperv: new Set(event.qemu?.hyperv ?? []),
    hasHypervElement: (event.qemu?.hyperv ?? []).length > 0,
    ...(event.qemu?.rtc?.base ? { clockOffset: event.qemu.rtc.base } : {}),
    hasClockElement: true,
    // libvirt writes tickpolicy='catchup' on the rtc timer as -rtc ...,driftfix=slew.
    ...(/-rtc \S*driftfix=slew/.test(original) ? { rtcTimer: { present: true, tickpolicy: 'catchup' } } : {}),
  };
}
