import { normalizeMac } from '../../../shared/identity.js';
import { TimedFacts, type TimedFact } from './timed-facts.js';

// Fleet-wide MAC -> (hypervisor, domain), learned from qemu `mac=` (DESIGN.md section 7). A hypervisor's own
// facts (host-facts.ts) place guest records that arrive on that hypervisor; these place guest records that
// arrived with no hypervisor at all (Winlogbeat straight from a guest the parser could not place yet), so the
// correlator can re-emit them on the right hypervisor. Shared by every partition's Correlator in a process and
// fed by the identity topic (`mac:` records) from the other replicas. A placement at an instant follows
// TimedFacts: the latest at or before it, else the earliest after it, so arrival order does not matter.

export interface Placement {
  readonly hypervisor: string;
  readonly domain: string;
}

/** One identity-topic record: what one hypervisor learned about one MAC (key `mac:<hypervisor>:<mac>`). */
export interface MacRecord {
  readonly hypervisor: string;
  readonly mac: string;
  /** The domains that used this MAC on this hypervisor, at the times their qemu command lines said so. */
  readonly facts: readonly TimedFact<string>[];
}

export class GuestPlacements {
  private readonly macs = new Map<string, TimedFacts<Placement>>();
  private changes = 0;

  /** Learns one MAC's domain facts on one hypervisor; true when something was new. */
  learn(record: MacRecord): boolean {
    const key = normalizeMac(record.mac);
    let facts = this.macs.get(key);
    if (!facts) this.macs.set(key, (facts = new TimedFacts<Placement>()));
    let learned = false;
    for (const fact of record.facts) {
      // The event id alone is not unique across hypervisors' snapshots of the same id space: prefix it.
      learned = facts.add({ atMs: fact.atMs, eventId: `${record.hypervisor}\u0000${fact.eventId}`, value: { hypervisor: record.hypervisor, domain: fact.value } }) || learned;
    }
    if (learned) this.changes++;
    return learned;
  }

  /** Where the first known of the MACs was placed at an instant. */
  place(macs: readonly string[], atMs: number): Placement | undefined {
    for (const mac of macs) {
      const found = this.macs.get(normalizeMac(mac))?.at(atMs);
      if (found) return found.value;
    }
    return undefined;
  }

  /** Grows with every new fact: a cheap "did anything change since" for the adapter. */
  get version(): number {
    return this.changes;
  }

  get size(): number {
    return this.macs.size;
  }
}
