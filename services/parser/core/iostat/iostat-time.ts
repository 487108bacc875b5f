import { utcMsFromParts, type Zone } from '../../../../shared/time.js';
import { cachedLocalToUtcMs } from '../kernel/local-time-cache.js';
import { ParseFailure } from '../parse-failure.js';
import { isoStampMs } from '../kernel/kernel-time.js';

// iostat -t stamps (sysstat prints them with strftime "%x %X" in the locale, or ISO with S_TIME_FORMAT=ISO),
// built from the characters with Date.UTC.

export interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

function invalid(what: string, cause?: unknown): ParseFailure {
  return new ParseFailure('HW_TIME_INVALID', 'iostat', `impossible date ${JSON.stringify(what)}`, [], cause);
}

/**
 * "03/15/2017", "03/15/17" (en_US %x), "2017-03-15" (ISO). Day-first locales ("15/03/2017") are recognized
 * only when the first number cannot be a month; configure LC_TIME=C or S_TIME_FORMAT=ISO on the hosts.
 */
export function parseCalendarDate(text: string): CalendarDate {
  let year: number;
  let month: number;
  let day: number;
  if (text[4] === '-') {
    year = Number(text.slice(0, 4));
    month = Number(text.slice(5, 7));
    day = Number(text.slice(8, 10));
  } else {
    const a = Number(text.slice(0, 2));
    const b = Number(text.slice(3, 5));
    const y = text.slice(6);
    year = y.length === 2 ? 2000 + Number(y) : Number(y);
    [month, day] = a > 12 && b <= 12 ? [b, a] : [a, b];
  }
  try {
    utcMsFromParts(year, month, day, 0, 0, 0);
  } catch (error) {
    throw invalid(text, error);
  }
  return { year, month, day };
}

/** "01:05:01" + optional "PM" -> seconds of the day. */
export function clockSeconds(clock: string, meridiem: string | undefined): number {
  let hour = Number(clock.slice(0, 2));
  const minute = Number(clock.slice(3, 5));
  const second = Number(clock.slice(6, 8));
  if (meridiem !== undefined) {
    if (hour < 1 || hour > 12) throw invalid(`${clock} ${meridiem}`);
    hour = (hour % 12) + (meridiem === 'PM' ? 12 : 0);
  }
  if (hour > 23 || minute > 59 || second > 60) throw invalid(clock);
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

/** "2017-03-15T13:05:01+0800": explicit; without an offset it is local time of the host. */
export function isoBlockMs(stamp: string, zone: Zone): { ms: number; explicit: boolean } {
  if (stamp.length > 19) return { ms: isoStampMs(stamp, 'iostat'), explicit: true };
  const date = parseCalendarDate(stamp.slice(0, 10));
  return { ms: localDateTimeMs(date, clockSeconds(stamp.slice(11, 19), undefined), zone), explicit: false };
}
