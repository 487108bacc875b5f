import type { HangSignal } from './hang-signals.js';

// Several records of one hang (WinDbg report, 1001, 41, 6008, the qemu panic line, the kill of the frozen guest)
// become one group, hence one incident (DESIGN.md section 5: one incident is one guest hang). Groups are built
// from the time-sorted set, so arrival order never matters.

export interface SignalGroup {
  readonly signals: HangSignal[];
}

export function compareSignals(a: HangSignal, b: HangSignal): number {
  if (a.hangMs !== b.hangMs) return a.hangMs - b.hangMs;
  if (a.tsMs !== b.tsMs) return a.tsMs - b.tsMs;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

interface OpenGroup {
  readonly signals: HangSignal[];
  readonly firstHangMs: number;
  /** The earliest restart a boot record of the group reports; nothing after it is the same hang. */
  rebootedAtMs: number;
  hasBoot: boolean;
  /** When the group's first boot record was written (41, 6008 and 1001 of one boot come within minutes). */
  bootTsMs?: number;
  code?: string;
}

/**
 * A signal joins the open group when the group has not already rebooted before it (a boot record of the group
 * written earlier than this hang means this is a later hang), it does not report a different bugcheck, and
 * either its hang time is within the merge window of the group's first, or the group holds a boot record: the
 * guest was down from the group's hang until that reboot, so whatever else ended it in between (an operator's
 * `virsh destroy` 25 minutes later) is the same hang. Boot records written within the merge window of the
 * group's first boot record report the same restart.
 *
 * A second pass joins a group with no boot record to the next group when that one's boot record reports a
 * restart after it and the domain did not restart in between (`rebootedBetween`, inclusive): a guest stuck at
 * its blue screen, or crashed, then booted after the merge window.
 */
export function groupSignals(signals: readonly HangSignal[], mergeWindowMs: number, rebootedBetween: (fromMs: number, toMs: number) => boolean = () => true): SignalGroup[] {
  // A report dated by another record of its crash (partnerId) goes where that record goes, after the others are grouped.
  const ids = new Set(signals.map((s) => s.id));
  const borrowed = signals.filter((s) => s.partnerId !== undefined && ids.has(s.partnerId));
  const own = borrowed.length === 0 ? signals : signals.filter((s) => !borrowed.includes(s));
  const sorted = [...own].sort(compareSignals);
  const groups: OpenGroup[] = [];
  let open: OpenGroup | undefined;
  for (const s of sorted) {
    const sameBoot = s.cls === 'boot' && open?.bootTsMs !== undefined && Math.abs(s.tsMs - open.bootTsMs) <= mergeWindowMs;
    const beforeReboot = open !== undefined && s.hangMs < open.rebootedAtMs && (s.hangMs - open.firstHangMs <= mergeWindowMs || open.hasBoot);
    const joins = open !== undefined && codesAgree(open.code, s.bugcheck?.code) && (sameBoot || beforeReboot);
    if (!joins || !open) {
      open = { signals: [], firstHangMs: s.hangMs, rebootedAtMs: Infinity, hasBoot: false };
      groups.push(open);
    }
    addTo(open, s);
  }
  const merged: OpenGroup[] = [];
  for (const group of groups) {
    const previous = merged[merged.length - 1];
    if (previous && !previous.hasBoot && group.hasBoot && previous.firstHangMs < group.rebootedAtMs && codesAgree(previous.code, group.code)) {
      if (!rebootedBetween(previous.firstHangMs, group.rebootedAtMs - 1)) {
        for (const s of group.signals) addTo(previous, s);
        continue;
      }
    }
    merged.push(group);
  }
  for (const s of [...borrowed].sort(compareSignals)) {
    const home = merged.find((g) => g.signals.some((x) => x.id === s.partnerId));
    if (home && codesAgree(home.code, s.bugcheck?.code)) addTo(home, s);
    else merged.push(addTo({ signals: [], firstHangMs: s.hangMs, rebootedAtMs: Infinity, hasBoot: false }, s));
  }
  return merged.map((g) => ({ signals: g.signals }));
}

function addTo(group: OpenGroup, s: HangSignal): OpenGroup {
  group.signals.push(s);
  if (s.cls === 'boot') {
    group.hasBoot = true;
    group.bootTsMs ??= s.tsMs;
    group.rebootedAtMs = Math.min(group.rebootedAtMs, s.rebootMs ?? s.tsMs, s.tsMs);
  }
  if (s.bugcheck?.code !== undefined) group.code ??= s.bugcheck.code;
  return group;
}

function codesAgree(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

/** A group is a hang only with more than a soft exit: a monitor EOF or SIGTERM alone is host evidence. */
export function isHang(group: SignalGroup): boolean {
  return group.signals.some((s) => s.cls !== 'exit-soft');
}

/**
 * The first hang signal, deterministic whatever the arrival order: earliest by (@timestamp, event.id), among the
 * signals with a time of their own (a report dated by another record joins that record's incident, whose id stays).
 */
export function firstSignalOf(group: SignalGroup): HangSignal {
  const dated = group.signals.filter((s) => s.partnerId === undefined);
  const list = dated.length > 0 ? dated : group.signals;
  let first = list[0]!;
  for (const s of list) if (s.tsMs < first.tsMs || (s.tsMs === first.tsMs && s.id < first.id)) first = s;
  return first;
}
