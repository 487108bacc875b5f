import type { ResolvedOptions } from './options.js';
import type { TimedFacts } from './timed-facts.js';

// A guest's clock skew, measured against the hypervisor (issue 13). Winlogbeat's @timestamp, event.created and
// even the Kafka CreateTime all come from the guest's clock, so none of them can show that clock is wrong; the
// host's qemu/libvirt lines can. A guest writes its boot records (6005 "Event log service started", 6009) a few
// seconds to minutes after qemu starts it, so the lag between the two bounds the skew:
//   skew = guest clock - host clock,  true boot time in [start, start + bootAllowance]
//   => skew in [lag - bootAllowance, lag]   with lag = boot (guest clock) - start (host clock)
// We report the value of that interval nearest to zero (0 when the lag is a plausible boot time), so a skew is
// never over-stated and a correction never over-corrects.
// Which boot belongs to which qemu start: mutual nearest neighbours only, within skewMaxMs. A guest that
// reboots inside a running qemu (a bugcheck with automatic restart) writes a second 6005 with no qemu start of
// its own: it is not the nearest boot of any start, so it measures nothing, and the records after it keep the
// skew measured at the start of that qemu run. A skew larger than skewMaxMs is not measured (configurable:
// pairing farther risks taking a reboot inside qemu for a late clock).

export interface SkewMeasurement {
  /** Guest clock minus host clock (the smallest consistent with the evidence), ms. */
  readonly skewMs: number;
  /** The guest's boot record (its own clock) and the qemu start (host clock) it was measured from. */
  readonly bootMs: number;
  readonly startMs: number;
  readonly bootEventId: string;
  readonly startEventId: string;
}

export type SkewOptions = Pick<ResolvedOptions, 'bootAllowanceMs' | 'skewMaxMs'>;

/** Every measurement of one domain, by boot time (pure function of the two fact sets). */
export function measureSkews(boots: TimedFacts<string> | undefined, starts: TimedFacts<string> | undefined, options: SkewOptions): SkewMeasurement[] {
  if (!boots || !starts || boots.size === 0 || starts.size === 0) return [];
  const bootList = boots.list();
  const startList = starts.list();
  const nearest = <A extends { atMs: number; eventId: string }>(to: number, list: readonly A[]): A | undefined => {
    let best: A | undefined;
    for (const item of list) {
      const d = Math.abs(item.atMs - to);
      const bd = best ? Math.abs(best.atMs - to) : Infinity;
      if (d < bd || (d === bd && best && item.eventId < best.eventId)) best = item;
    }
    return best;
  };
  const out: SkewMeasurement[] = [];
  for (const start of startList) {
    const boot = nearest(start.atMs, bootList);
    if (!boot || nearest(boot.atMs, startList) !== start) continue;
    const lag = boot.atMs - start.atMs;
    if (lag < -options.skewMaxMs || lag > options.bootAllowanceMs + options.skewMaxMs) continue;
    const skewMs = lag < 0 ? lag : lag > options.bootAllowanceMs ? lag - options.bootAllowanceMs : 0;
    out.push({ skewMs, bootMs: boot.atMs, startMs: start.atMs, bootEventId: boot.eventId, startEventId: start.eventId });
  }
  return out.sort((a, b) => a.bootMs - b.bootMs || (a.bootEventId < b.bootEventId ? -1 : 1));
}

/** The measurement in force for a guest record at its own clock's time: the last boot at or before it, else the first. */
export function skewAt(measurements: readonly SkewMeasurement[], guestMs: number): SkewMeasurement | undefined {
  let chosen: SkewMeasurement | undefined;
  for (const m of measurements) {
    if (m.bootMs <= guestMs) chosen = m;
    else break;
  }
  return chosen ?? measurements[0];
}
