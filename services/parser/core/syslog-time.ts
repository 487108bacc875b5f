import { inferSyslogYear, localToUtcMs, nearestSyslogYear, requireOffsetMinutes, UTC_ZONE, type Zone } from '../../../shared/time.js';
import type { YearReference } from './event-draft.js';

// Timestamps of syslog prefixes ("Mar 15 06:03:48") and ISO syslog prefixes, built from characters with
// Date.UTC (DESIGN.md section 6: no date-fns parse() per line).

const MONTHS: Readonly<Record<string, number>> = { Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12 };

/**
 * The year of a year-less stamp by the rule that gave its reference: nearest to the host's dated records, else
 * closest before the reference (an explicit --year-reference, the file's modification time, the read time).
 */
export function syslogYear(month: number, day: number, hour: number, minute: number, second: number, year: YearReference): number {
  const nearest = year.basis === 'host-records';
  if (last.month === month && last.day === day && last.referenceMs === year.ms && last.nearest === nearest) return last.year;
  if (month === 2 && day === 29) return leapDayYear(hour, minute, second, year.ms, nearest);
  const pick = (h: number, m: number, s: number): number =>
    nearest ? nearestSyslogYear(month, day, h, m, s, year.ms) : inferSyslogYear(month, day, h, m, s, year.ms);
  // Lines come in runs of the same day against the same reference: the year is remembered for the day when the
  // time of day cannot change it (the same at its first and last second). Measured: nearestSyslogYear's three
  // Date.UTC calls were 2% of bench/kernel-grammar.ts.
  const result = pick(hour, minute, second);
  if (pick(0, 0, 0) === result && pick(23, 59, 59) === result) last = { month, day, referenceMs: year.ms, nearest, year: result };
  return result;
}

let last = { month: 0, day: 0, referenceMs: Number.NaN, nearest: false, year: 0 };

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Feb 29 exists only in leap years (Date.UTC would roll a non-leap one into Mar 1): the leap year closest to the
 * reference, or the closest one before it (one day of slack, as inferSyslogYear allows), by the same two rules.
 */
function leapDayYear(hour: number, minute: number, second: number, referenceMs: number, nearest: boolean): number {
  const refYear = new Date(referenceMs).getUTCFullYear();
  let best = refYear;
  let bestDistance = Infinity;
  for (let y = refYear - 8; y <= refYear + 4; y++) {
    if (!isLeap(y)) continue;
    const at = Date.UTC(y, 1, 29, hour, minute, second);
    if (!nearest && at > referenceMs + 86_400_000) continue;
    const distance = Math.abs(at - referenceMs);
    if (distance < bestDistance) {
      best = y;
      bestDistance = distance;
    }
  }
  return best;
}

export interface SyslogInstant {
  readonly ms: number;
  readonly basis: 'zone' | 'explicit';
  readonly zone?: string;
}

/** "Mar 15 06:03:48" at the start of `text`: year inferred from the reference time, zone from config. */
export function syslogClassicInstant(text: string, referenceMs: number, zone: Zone | undefined): SyslogInstant | undefined {
  const month = MONTHS[text.slice(0, 3)];
  if (month === undefined) return undefined;
  const day = Number.parseInt(text.slice(4, 6).trim(), 10);
  const hour = Number(text.slice(7, 9));
  const minute = Number(text.slice(10, 12));
  const second = Number(text.slice(13, 15));
  if (!(day >= 1 && day <= 31) || Number.isNaN(hour + minute + second)) return undefined;
  const year = inferSyslogYear(month, day, hour, minute, second, referenceMs);
  const z = zone ?? UTC_ZONE;
  return { ms: localToUtcMs(z, year, month, day, hour, minute, second), basis: 'zone', zone: z.name };
}

/** "2017-03-15T13:05:01.123456+08:00" / "...+0800" / "...Z" at the start of `text`. */
export function isoPrefixInstant(text: string): SyslogInstant | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|([+-])(\d\d):?(\d\d))/.exec(text);
  if (!m) return undefined;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  let value = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
  if (m[8] !== 'Z') value -= requireOffsetMinutes(m[9] as string, Number(m[10]), Number(m[11]), m[8] as string) * 60_000;
  return { ms: value, basis: 'explicit' };
}

/** The host field of a classic or ISO syslog prefix ("Mar 15 06:03:48 sc7 prog[1]: " -> "sc7"). */
export function syslogHost(prefix: string): string | undefined {
  const m = /^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\S+T\S+) (\S+) /.exec(prefix);
  return m?.[1];
}
