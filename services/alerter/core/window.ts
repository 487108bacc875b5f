import type { IncidentRule as Rule } from './rule.js';

// The condition of a rule over one key's matching incidents, in event time. A window ending at t covers
// (t - window, t]. Counts only change at member timestamps, so checking the window ends at member times is
// exact: a threshold/cardinality condition can only start to hold at some member's time.

export interface Member {
  readonly id: string;
  readonly ts: number;
  /** The value counted by a cardinality rule (e.g. the domain); undefined for other rule types. */
  readonly value: string | undefined;
}

export function compareMembers(a: Member, b: Member): number {
  return a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Members in the window ending at t, oldest first. `sorted` must be sorted by compareMembers. */
export function membersInWindow(rule: Rule, sorted: readonly Member[], t: number): Member[] {
  if (rule.type === 'first-seen') return sorted.filter((m) => m.ts === t);
  return sorted.filter((m) => m.ts > t - rule.windowMs && m.ts <= t);
}

/**
 * The times that make the window ending at t hold, newest first: one per incident for threshold rules, the
 * latest time of each distinct value for cardinality rules. Empty when the condition does not hold at t.
 */
function holdingContributions(rule: Rule, sorted: readonly Member[], t: number): number[] {
  const inWindow = membersInWindow(rule, sorted, t);
  if (rule.type === 'first-seen') return inWindow.length > 0 ? [t] : [];
  let times: number[];
  if (rule.type === 'threshold') {
    times = inWindow.map((m) => m.ts);
  } else {
    const latest = new Map<string, number>();
    for (const m of inWindow) if (m.value !== undefined) latest.set(m.value, Math.max(latest.get(m.value) ?? -Infinity, m.ts));
    times = [...latest.values()];
  }
  if (times.length < rule.threshold) return [];
  return times.sort((a, b) => b - a);
}

export function holdsAt(rule: Rule, sorted: readonly Member[], t: number): boolean {
  return holdingContributions(rule, sorted, t).length > 0;
}

/**
 * When the condition stops holding if nothing new arrives: the window keeps holding until the contribution
 * it needs the oldest of (the threshold-th newest) slides out. A first-seen condition is an instant.
 * Undefined when it never held.
 */
export function clearTime(rule: Rule, sorted: readonly Member[]): number | undefined {
  let clear: number | undefined;
  for (const m of sorted) {
    const times = holdingContributions(rule, sorted, m.ts);
    if (times.length === 0) continue;
    const end = rule.type === 'first-seen' ? m.ts : (times[rule.threshold - 1] as number) + rule.windowMs;
    clear = clear === undefined ? end : Math.max(clear, end);
  }
  return clear;
}

/** Window ends worth checking after a member at t arrived: t itself and every later member still in reach. */
export function candidateEnds(rule: Rule, sorted: readonly Member[], t: number): number[] {
  if (rule.type === 'first-seen') return [t];
  const ends = new Set<number>([t]);
  for (const m of sorted) if (m.ts > t && m.ts < t + rule.windowMs) ends.add(m.ts);
  return [...ends].sort((a, b) => a - b);
}
