import type { EcsEvent } from '../../../shared/schema/event.js';
import type { EventAction } from '../../../shared/vocabulary.js';

// Lines without a time of their own (DESIGN.md section 6: `inherited`, the previous line's time) that are written
// at the end of what they report, so the next time-stamped line of the same file dates them better. QEMU writes
// `KVM internal error. Suberror: 1` and its register dump to stderr without a stamp, right before it stops and
// libvirt logs `shutting down, reason=crashed`; the previous stamp is the process's `starting up` line, often days
// earlier. A line parser cannot see the next line, so the correlator re-times these once it has seen it (the
// time stays `inherited`: it is still a neighbour's). Extend by adding an action to its dataset's set.

export const DATED_BY_NEXT_STAMP: ReadonlyMap<string, ReadonlySet<EventAction>> = new Map([['libvirt.qemu', new Set<EventAction>(['kvm-internal-error'])]]);

interface Stamp {
  readonly offset: number;
  readonly tsMs: number;
  readonly eventId: string;
}

/** The file a record came from (path + the shipper's fingerprint, so a rotated file is another source). */
export function sourceKeyOf(event: EcsEvent): string | undefined {
  const path = event.log?.file?.path;
  if (!path || event.log?.offset === undefined) return undefined;
  return `${path}\u0000${event.hangwatch.source?.fingerprint ?? ''}`;
}

/** A line that wants the next stamped line's time: no time of its own, and an action listed above. */
export function isDatedByNextStamp(event: EcsEvent): boolean {
  const basis = event.hangwatch.time.basis;
  if (basis !== 'inherited' && basis !== 'ingest') return false;
  return DATED_BY_NEXT_STAMP.get(event.event.dataset)?.has(event.event.action) === true && sourceKeyOf(event) !== undefined;
}

/** A line whose own stamp can date the unstamped lines before it. */
export function isStampFor(event: EcsEvent): boolean {
  return event.hangwatch.time.basis === 'explicit' && DATED_BY_NEXT_STAMP.has(event.event.dataset) && sourceKeyOf(event) !== undefined;
}

/** Per source, the offsets and times of its stamped lines (only for the datasets above, so few). */
export class SourceStamps {
  private readonly bySource = new Map<string, Stamp[]>();

  /** Returns false when the record was already known (replays are idempotent). */
  add(event: EcsEvent, tsMs: number): boolean {
    const key = sourceKeyOf(event);
    const offset = event.log?.offset;
    if (key === undefined || offset === undefined) return false;
    let list = this.bySource.get(key);
    if (!list) this.bySource.set(key, (list = []));
    const at = lowerBound(list, offset);
    if (list[at]?.offset === offset) return false;
    list.splice(at, 0, { offset, tsMs, eventId: event.event.id });
    return true;
  }

  /** The time of the first stamped line after the record in its file, if seen. */
  nextAfter(event: EcsEvent): number | undefined {
    const key = sourceKeyOf(event);
    const offset = event.log?.offset;
    if (key === undefined || offset === undefined) return undefined;
    const list = this.bySource.get(key);
    return list?.[lowerBound(list, offset + 1)]?.tsMs;
  }

  /** Drops stamps older than the horizon: the lines they date are older still. */
  prune(horizonMs: number): void {
    for (const [key, list] of this.bySource) {
      const kept = list.filter((s) => s.tsMs >= horizonMs);
      if (kept.length === 0) this.bySource.delete(key);
      else if (kept.length !== list.length) this.bySource.set(key, kept);
    }
  }

  get size(): number {
    let n = 0;
    for (const list of this.bySource.values()) n += list.length;
    return n;
  }
}

function lowerBound(list: readonly Stamp[], offset: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.offset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
