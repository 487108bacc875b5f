import type { HangSignal } from './hang-signals.js';

// Several records of one hang (WinDbg report, 1001, 41, 6008, the qemu panic line) become one group, hence one
// incident. Groups are built from the time-sorted set, so arrival order never matters.

export interface SignalGroup {
  readonly signals: HangSignal[];
}

export function compareSignals(a: HangSignal, b: HangSignal): number {
  if (a.hangMs !== b.hangMs) return a.hangMs - b.hangMs;
  if (a.tsMs !== b.tsMs) return a.tsMs - b.tsMs;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * A signal joins the open group when its hang time is within the merge window of the group's first, the group
 * has not already rebooted before it (a boot record of the group written earlier than this hang means this is a
 * later hang), and it does not report a different bugcheck.
 */
export function groupSignals(signals: readonly HangSignal[], mergeWindowMs: number): SignalGroup[] {
  const sorted = [...signals].sort(compareSignals);
  const groups: SignalGroup[] = [];
  let open: { signals: HangSignal[]; firstHangMs: number; rebootedAtMs: number; code?: string } | undefined;
  for (const s of sorted) {
    const code = s.bugcheck?.code;
    const joins =
      open !== undefined &&
      s.hangMs - open.firstHangMs <= mergeWindowMs &&
      s.hangMs < open.rebootedAtMs &&
      (code === undefined || open.code === undefined || code === open.code);
    if (!joins || !open) {
      open = { signals: [], firstHangMs: s.hangMs, rebootedAtMs: Infinity };
      groups.push(open);
    }
    open.signals.push(s);
    if (s.cls === 'boot') open.rebootedAtMs = Math.min(open.rebootedAtMs, s.tsMs);
    if (code !== undefined) open.code ??= code;
  }
  return groups;
}

/** A group is a hang only with more than a soft exit: a monitor EOF or SIGTERM alone is host evidence. */
export function isHang(group: SignalGroup): boolean {
  return group.signals.some((s) => s.cls !== 'exit-soft');
}

/** The first hang signal, deterministic whatever the arrival order: earliest by (@timestamp, event.id). */
export function firstSignalOf(group: SignalGroup): HangSignal {
  let first = group.signals[0]!;
  for (const s of group.signals) if (s.tsMs < first.tsMs || (s.tsMs === first.tsMs && s.id < first.id)) first = s;
  return first;
}
