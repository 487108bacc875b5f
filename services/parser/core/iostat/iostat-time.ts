import { requireOffsetMinutes, utcMsFromParts, type Zone } from '../../../../shared/time.js';
import { cachedLocalToUtcMs } from '../kernel/local-time-cache.js';
import { ParseFailure } from '../parse-failure.js';

// The dates and times iostat prints: the banner's date is strftime("%x") and a -t stamp strftime("%x %X") in the
// locale of LC_TIME (or "%Y-%m-%d" / "%FT%T%z" with S_TIME_FORMAT=ISO). Built from the digits with Date.UTC; no
// date library per line (stamps come once per report, but the rule is the same everywhere).

export interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** Which of a numeric date's first two numbers is the month, when the year comes last. */
export type DayOrder = 'mdy' | 'dmy';

export interface ReadDate {
  readonly date: CalendarDate;
  /** Set when this date alone shows the order (a number above 12): later ambiguous dates of the run follow it. */
  readonly learned?: DayOrder;
}

function invalid(what: string, cause?: unknown): ParseFailure {
  return new ParseFailure('HW_TIME_INVALID', 'iostat', `impossible date ${JSON.stringify(what)}`, [], cause);
}

function digitRuns(text: string): string[] {
  return text.match(/\d+/g) ?? [];
}

/**
 * A %x date of the common glibc locales: year first ("2022-05-21" ISO/sv/hu/fr_CA/lt, "2022年05月21日" zh/ja,
 * "2022년 05월 21일" ko, "2022.05.21." lv) or year last ("05/21/2022" en_US, "05/21/22" C, "21/05/2022" fr/it/pt_BR,
 * "21/05/22" en_GB/es, "21.05.2022" de/ru/pl/fi, "21.5.2022" cs, "21-05-22" nl/da/tr/pt_PT).
 *
 * Year last, the text alone does not always say which number is the month. In order: a number above 12 decides
 * (and teaches the run); else the order this run already showed (`known`); else the separator ("." and "-" are
 * day-first in every glibc locale that uses them); else a slash date with a 4-digit year under a 24-hour clock is
 * day-first (en_US writes "%m/%d/%Y" with a 12-hour "%r"; fr, it, pt_BR write "%d/%m/%Y" with "%T"); else
 * month-first (C and en_US, the usual locales of a host's cron job or service). Put LC_TIME=C or S_TIME_FORMAT=ISO
 * in the environment of the iostat you collect and nothing is guessed.
 */
export function readLocaleDate(text: string, known: DayOrder | undefined, clock24h?: boolean): ReadDate {
  const runs = digitRuns(text);
  if (runs.length !== 3) throw invalid(text);
  const [p, q, r] = runs as [string, string, string];
  let year: number;
  let month: number;
  let day: number;
  let learned: DayOrder | undefined;
  if (p.length === 4) {
    year = Number(p);
    month = Number(q);
    day = Number(r);
  } else {
    const a = Number(p);
    const b = Number(q);
    year = r.length <= 2 ? 2000 + Number(r) : Number(r);
    let order: DayOrder;
    if (a > 12 && b <= 12) order = learned = 'dmy';
    else if (b > 12 && a <= 12) order = learned = 'mdy';
    else if (known) order = known;
    else if (!text.includes('/')) order = 'dmy';
    else order = r.length === 4 && clock24h === true ? 'dmy' : 'mdy';
    [month, day] = order === 'mdy' ? [a, b] : [b, a];
  }
  try {
    utcMsFromParts(year, month, day, 0, 0, 0);
  } catch (error) {
    throw invalid(text, error);
  }
  return learned ? { date: { year, month, day }, learned } : { date: { year, month, day } };
}

const AFTERNOON = new Set(['PM', 'P.M.', '下午', '午後', '오후']);

export function isAfternoon(meridiem: string): boolean {
  return AFTERNOON.has(meridiem.toUpperCase());
}

/** "01:05:01" / "10时11分12秒" / "10시 11분 12초" and an optional meridiem word -> seconds of the day. */
export function clockSeconds(clock: string, meridiem: string | undefined): number {
  const runs = digitRuns(clock);
  let hour = Number(runs[0]);
  const minute = Number(runs[1]);
  const second = runs[2] === undefined ? 0 : Number(runs[2]);
  if (meridiem !== undefined) {
    if (hour < 1 || hour > 12) throw invalid(`${clock} ${meridiem}`);
    hour = (hour % 12) + (isAfternoon(meridiem) ? 12 : 0);
  }
  if (!(hour <= 23 && minute <= 59 && second <= 60)) throw invalid(clock);
  return (hour * 60 + minute) * 60 + second;
}

export function localDateTimeMs(date: CalendarDate, seconds: number, zone: Zone, dayOffset = 0): number {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (dayOffset === 0) return cachedLocalToUtcMs(zone, date.year, date.month, date.day, h, m, s);
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + dayOffset));
  return cachedLocalToUtcMs(zone, shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate(), h, m, s);
}

/**
 * "2017-03-15T13:05:01+0800" (strftime "%FT%T%z" of S_TIME_FORMAT=ISO): explicit. Without an offset it is local
 * time of the host. The lexer has checked the shape, so the fields sit at fixed places.
 */
export function isoBlockMs(stamp: string, zone: Zone): { ms: number; explicit: boolean } {
  const date = readLocaleDate(stamp.slice(0, 10), undefined).date;
  const seconds = clockSeconds(stamp.slice(11, 19), undefined);
  let i = 19;
  let fractionMs = 0;
  if (stamp[i] === '.') {
    let j = i + 1;
    while (j < stamp.length && stamp.charCodeAt(j) >= 48 && stamp.charCodeAt(j) <= 57) j++;
    fractionMs = Math.floor(Number(`0.${stamp.slice(i + 1, j)}`) * 1000);
    i = j;
  }
  if (i >= stamp.length) return { ms: localDateTimeMs(date, seconds, zone) + fractionMs, explicit: false };
  let offsetMinutes = 0;
  if (stamp[i] !== 'Z') {
    const hhmm = stamp.slice(i + 1).replace(':', '');
    offsetMinutes = requireOffsetMinutes(stamp[i] as string, Number(hhmm.slice(0, 2)), Number(hhmm.slice(2, 4)), stamp.slice(i));
  }
  const utc = Date.UTC(date.year, date.month - 1, date.day) + seconds * 1000 + fractionMs;
  return { ms: utc - offsetMinutes * 60_000, explicit: true };
}
