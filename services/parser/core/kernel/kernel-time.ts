import { inferSyslogYear, utcMsFromParts, type Zone } from '../../../../shared/time.js';
import { cachedLocalToUtcMs } from './local-time-cache.js';
import { ParseFailure } from '../parse-failure.js';

// Instants of kernel log stamps, built from the stamp's characters with Date.UTC (DESIGN.md section 6: no
// date-fns parse() per line). Impossible dates (Feb 30) are HW_TIME_INVALID dead letters, not silently
// rolled over into March as bare Date.UTC would.

const MONTHS: Readonly<Record<string, number>> = { Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12 };

const digits = (s: string, from: number, n: number): number => Number(s.slice(from, from + n));

/** Milliseconds of a fraction written after a dot ("123456" -> 123). */
function fractionMs(frac: string): number {
  return frac === '' ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
}

function invalid(grammar: string, what: string, cause?: unknown): ParseFailure {
  return new ParseFailure('HW_TIME_INVALID', grammar, `impossible date ${JSON.stringify(what.trim())}`, [], cause);
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * "Mar 15 13:05:01[.123456] ": no year, no zone. The year is the one that puts the line closest before the
 * reference time (file mtime); the zone is the configured host zone (UTC when none is configured).
 */
export function bsdStampMs(stamp: string, referenceMs: number, zone: Zone): number {
  const month = MONTHS[stamp.slice(0, 3)];
  const day = Number(stamp.slice(4, 6).trim());
  const hour = digits(stamp, 7, 2);
  const minute = digits(stamp, 10, 2);
  const second = digits(stamp, 13, 2);
  const ms = stamp[15] === '.' ? fractionMs(stamp.slice(16).trim()) : 0;
  if (month === undefined) throw invalid('kernel', stamp);
  let year = inferSyslogYear(month, day, hour, minute, second, referenceMs);
  // Feb 29 only exists in leap years: the closest one before the reference is the right one.
  if (month === 2 && day === 29) while (!isLeap(year)) year--;
  try {
    utcMsFromParts(year, month, day, hour, minute, second, ms);
  } catch (error) {
    throw invalid('kernel', stamp, error);
  }
  return cachedLocalToUtcMs(zone, year, month, day, hour, minute, second, ms);
}

/** "2017-03-15T13:05:01[.123456](Z|+08:00|+0800)": explicit offset. */
export function isoStampMs(stamp: string, grammar: string): number {
  const s = stamp.trim();
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  let i = 19;
  let frac = '';
  if (s[i] === '.') {
    let j = i + 1;
    while (j < s.length && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
    frac = s.slice(i + 1, j);
    i = j;
  }
  let offsetMinutes = 0;
  if (s[i] !== 'Z') {
    const sign = s[i] === '-' ? -1 : 1;
    const zone = s.slice(i + 1).replace(':', '');
    offsetMinutes = sign * (digits(zone, 0, 2) * 60 + digits(zone, 2, 2));
  }
  try {
    return utcMsFromParts(year, month, day, hour, minute, second, fractionMs(frac)) - offsetMinutes * 60_000;
  } catch (error) {
    throw invalid(grammar, stamp, error);
  }
}

/** "[Wed Mar 15 13:05:01 2017] " of dmesg -T: local time of the host, read in its zone. */
export function wallClockMs(stamp: string, zone: Zone): number {
  const s = stamp.slice(stamp.indexOf('[') + 1);
  const month = MONTHS[s.slice(4, 7)];
  const day = Number(s.slice(8, 10).trim());
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  const year = digits(s, 20, 4);
  if (month === undefined) throw invalid('kernel', stamp);
  try {
    utcMsFromParts(year, month, day, hour, minute, second);
  } catch (error) {
    throw invalid('kernel', stamp, error);
  }
  return cachedLocalToUtcMs(zone, year, month, day, hour, minute, second);
}

