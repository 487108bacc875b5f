import { requireOffsetMinutes, type Zone } from '../../../../shared/time.js';
import type { YearReference } from '../event-draft.js';
import { monthFromName, readSyslogStamp } from '../syslog-stamp.js';
import { syslogYear } from '../syslog-time.js';
import { ParseFailure } from '../parse-failure.js';
import { cachedLocalToUtcMs } from './local-time-cache.js';

// Instants of kernel log stamps, built from the stamp's characters with Date.UTC (DESIGN.md section 6: no
// date-fns parse() per line). Impossible dates (Feb 30, hour 25) are HW_TIME_INVALID dead letters, not silently
// rolled over into March as bare Date.UTC would. Month and day names may be in the host's locale (strftime's %b
// and %a in journalctl, syslog-ng and dmesg -T); rsyslog's English is read first, by position.

const ENGLISH: Readonly<Record<string, number>> = { Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12 };
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** An instant with what it rests on: an offset written in the stamp (`explicit`) or the host's zone. */
export interface StampInstant {
  readonly ms: number;
  readonly explicit: boolean;
}

const digits = (s: string, from: number, n: number): number => Number(s.slice(from, from + n));

/** Milliseconds of a fraction written after a dot ("123456" -> 123). */
function fractionMs(frac: string): number {
  return frac === '' ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
}

function invalid(what: string, reason = 'impossible date'): ParseFailure {
  return new ParseFailure('HW_TIME_INVALID', 'kernel', `${reason} ${JSON.stringify(what.trim())}`, []);
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Throws HW_TIME_INVALID unless the fields name a real wall-clock time (a leap second :60 is let through). */
function checkParts(stamp: string, year: number, month: number, day: number, hour: number, minute: number, second: number): void {
  const ok =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= (DAYS_IN_MONTH[month - 1] as number) &&
    (month !== 2 || day !== 29 || isLeap(year)) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 60 &&
    Number.isFinite(year + hour + minute + second);
  if (!ok) throw invalid(stamp);
}

/**
 * "Mar 15 13:05:01[.123456] " (any locale's month name): no year, no zone. The year comes from the reference by
 * its rule (syslog-time.ts syslogYear); the zone is the configured host zone (UTC when none is configured).
 */
export function bsdStampMs(stamp: string, year: YearReference, zone: Zone): number {
  let month = stamp.charCodeAt(3) === 32 ? ENGLISH[stamp.slice(0, 3)] : undefined;
  let day: number;
  let hour: number;
  let minute: number;
  let second: number;
  let ms = 0;
  if (month !== undefined && stamp.charCodeAt(9) === 58) {
    // rsyslog's fixed layout "Mmm dd HH:MM:SS[.ffffff]"
    day = stamp.charCodeAt(4) === 32 ? digits(stamp, 5, 1) : digits(stamp, 4, 2);
    hour = digits(stamp, 7, 2);
    minute = digits(stamp, 10, 2);
    second = digits(stamp, 13, 2);
    if (stamp[15] === '.') ms = fractionMs(stamp.slice(16, 19).trim());
  } else {
    const s = readSyslogStamp(stamp);
    if (s === undefined) throw invalid(stamp, 'no month name of a known locale in');
    ({ month, day, hour, minute, second, ms } = s);
  }
  const y = syslogYear(month, day, hour, minute, second, year);
  checkParts(stamp, y, month, day, hour, minute, second);
  return cachedLocalToUtcMs(zone, y, month, day, hour, minute, second, ms);
}

/**
 * "2017-03-15T13:05:01[.123456](Z|+08:00|+0800)", "2016-07-31 16:26:53 +0000 UTC" (Go), dmesg's
 * "2017-03-15T13:05:01,123456+08:00": explicit when an offset (or UTC/GMT) is written, else in the host zone.
 */
export function isoStampMs(stamp: string, zone: Zone): StampInstant {
  const s = stamp.trim();
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  checkParts(stamp, year, month, day, hour, minute, second);
  let i = 19;
  let frac = '';
  if (s[i] === '.' || s[i] === ',') {
    let j = i + 1;
    while (j < s.length && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
    frac = s.slice(i + 1, j);
    i = j;
  }
  if (s[i] === ' ') i++;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, fractionMs(frac));
  const sign = s[i];
  if (sign === 'Z' || s.startsWith('UTC', i) || s.startsWith('GMT', i)) return { ms: wall, explicit: true };
  if (sign === '+' || sign === '-') {
    const offset = s.slice(i + 1, i + 6).replace(':', '');
    const minutes = requireOffsetMinutes(sign, digits(offset, 0, 2), /^\d\d\d\d/.test(offset) ? digits(offset, 2, 2) : 0, s.slice(i, i + 6).trim());
    return { ms: wall - minutes * 60_000, explicit: true };
  }
  return { ms: cachedLocalToUtcMs(zone, year, month, day, hour, minute, second, fractionMs(frac)), explicit: false };
}

/** "Thu Jan  1 00:00:21 1970 " (ctime(3), OpenWrt logread): local time of the host with its year. */
export function ctimeStampMs(stamp: string, zone: Zone): number {
  return weekdayMonthMs(stamp, 0, zone);
}

/**
 * "Wed 2017-03-15 13:05:01[.123456] CST " (journalctl -o short-full): systemd writes the zone's abbreviation,
 * which names no zone unambiguously (CST is China, Cuba or US Central): UTC/GMT and numeric ones are explicit,
 * any other is read in the configured host zone.
 */
export function fullStampMs(stamp: string, zone: Zone): StampInstant {
  const rest = stamp.slice(4).trim();
  const space = rest.lastIndexOf(' ');
  const abbreviation = rest.slice(space + 1);
  const local = rest.slice(0, space);
  if (/^(UTC|GMT|Z)$/.test(abbreviation)) return isoStampMs(`${local}Z`, zone);
  if (/^[+-]\d\d(?::?\d\d)?$/.test(abbreviation)) return isoStampMs(`${local}${abbreviation.length === 3 ? `${abbreviation}00` : abbreviation}`, zone);
  return isoStampMs(local, zone);
}

/** "1489554301.123456 " (journalctl -o short-unix): seconds since the epoch. */
export function epochStampMs(stamp: string): number {
  const dot = stamp.indexOf('.');
  return Number(stamp.slice(0, dot)) * 1000 + fractionMs(stamp.slice(dot + 1).trim());
}

/** "[Wed Mar 15 13:05:01 2017] " of dmesg -T (strftime "%a %b %e %H:%M:%S %Y", localized): local time of the host. */
export function wallClockMs(stamp: string, zone: Zone): number {
  return weekdayMonthMs(stamp, stamp.indexOf('[') + 1, zone);
}

/** "<weekday> <month> <day> HH:MM:SS YYYY" from `from`, names in any locale. */
function weekdayMonthMs(stamp: string, from: number, zone: Zone): number {
  const m = /^\S+ +(\S+) +(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4})/.exec(stamp.slice(from));
  const month = m ? monthFromName(m[1] as string) : undefined;
  if (!m || month === undefined) throw invalid(stamp, 'no month name of a known locale in');
  const [day, hour, minute, second, year] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  checkParts(stamp, year, month, day, hour, minute, second);
  return cachedLocalToUtcMs(zone, year, month, day, hour, minute, second);
}

/** "[Mar15 13:05] " of dmesg -e (reltime): month, day, hour and minute, no year, no seconds. */
export function reltimeMs(stamp: string, year: YearReference, zone: Zone): number {
  const m = /^\[(\D+?)(\d{1,2}) (\d\d):(\d\d)\]/.exec(stamp);
  const month = m ? monthFromName(m[1] as string) : undefined;
  if (!m || month === undefined) throw invalid(stamp, 'no month name of a known locale in');
  const [day, hour, minute] = [Number(m[2]), Number(m[3]), Number(m[4])];
  const y = syslogYear(month, day, hour, minute, 0, year);
  checkParts(stamp, y, month, day, hour, minute, 0);
  return cachedLocalToUtcMs(zone, y, month, day, hour, minute, 0);
}

/** "[  +0.000123] " / "[<    0.000123>] " of dmesg -e / --time-format delta: ms since the previous line. */
export function deltaMs(stamp: string): number {
  const m = /(\d+)\.(\d+)/.exec(stamp);
  return m ? Number(m[1]) * 1000 + Number((m[2] as string).padEnd(6, '0').slice(0, 6)) / 1000 : 0;
}
