import type { EcsEvent } from '../../../../shared/schema/event.js';
import { normalizeMac } from '../../../../shared/identity.js';

// Which hypervisor runs the guest with a given MAC, so a Winlogbeat record that reached Kafka straight from the
// guest can be keyed (and `libvirt.hypervisor`-tagged) like the host's own records: the correlator's state is
// per hypervisor and resolves the domain from that hypervisor's qemu `mac=` facts (DESIGN.md section 7).
// Learned from the qemu command lines this parser normalizes, and at start from the correlator's snapshots on
// the identity topic. A MAC's placement at an instant is the latest learned at or before it, else the earliest
// after it (the same rule as the correlator's TimedFacts), so arrival order does not matter once both are in.

export interface GuestPlacement {
  readonly hypervisor: string;
  readonly domain: string;
  readonly atMs: number;
  readonly eventId: string;
}

/** Placements kept per MAC: a guest restarted daily for months stays bounded; the oldest go first. */
const MAX_PLACEMENTS_PER_MAC = 64;

export class GuestDirectory {
  private readonly macs = new Map<string, GuestPlacement[]>();

  /** Learns from a normalized event; true when it taught something new (a qemu command line with `mac=`). */
  learnEvent(event: EcsEvent): boolean {
    const macs = event.qemu?.net?.mac;
    const hypervisor = event.libvirt?.hypervisor;
    const domain = event.libvirt?.domain?.name;
    if (!macs || macs.length === 0 || !hypervisor || !domain) return false;
    const atMs = Date.parse(event['@timestamp']);
    let learned = false;
    for (const mac of macs) learned = this.add(mac, { hypervisor, domain, atMs, eventId: event.event.id }) || learned;
    return learned;
  }

  /** Learns a correlator snapshot's `macs` (MAC -> timed domain facts of one hypervisor). */
  learnSnapshot(hypervisor: string, macs: Readonly<Record<string, readonly { atMs: number; eventId: string; value: string }[]>>): void {
    for (const [mac, facts] of Object.entries(macs)) {
      for (const fact of facts) this.add(mac, { hypervisor, domain: fact.value, atMs: fact.atMs, eventId: fact.eventId });
    }
  }

  /** Where the first of the MACs that is known was placed at an instant. */
  place(macs: readonly string[], atMs: number): GuestPlacement | undefined {
    for (const mac of macs) {
      const list = this.macs.get(normalizeMac(mac));
      if (!list || list.length === 0) continue;
      let best: GuestPlacement | undefined;
      for (const p of list) if (p.atMs <= atMs) best = p;
      return best ?? list[0];
    }
    return undefined;
  }

  get size(): number {
    return this.macs.size;
  }

  private add(mac: string, placement: GuestPlacement): boolean {
    const key = normalizeMac(mac);
    let list = this.macs.get(key);
    if (!list) this.macs.set(key, (list = []));
    if (list.some((p) => p.eventId === placement.eventId && p.hypervisor === placement.hypervisor)) return false;
    let at = list.length;
    while (at > 0 && compare(list[at - 1]!, placement) > 0) at -= 1;
    list.splice(at, 0, placement);
    if (list.length > MAX_PLACEMENTS_PER_MAC) list.shift();
    return true;
  }
}

function compare(a: GuestPlacement, b: GuestPlacement): number {
  if (a.atMs !== b.atMs) return a.atMs - b.atMs;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}
