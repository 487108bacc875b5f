import { tzOffset } from '@date-fns/tz';
import { HangwatchError } from './errors.js';

// Time rules of DESIGN.md section 6. Hot paths build instants from grammar tokens with Date.UTC (date-fns
// parse() costs ~8 us a call); zones are applied with a cached offset lookup, not by parsing strings.

/** A zone: IANA name (daylight saving applies) or a fixed offset. */
export type Zone = { readonly kind: 'fixed'; readonly name: string; readonly offsetMinutes: number } | { readonly kind: 'iana'; readonly name: string };

export const UTC_ZONE: Zone = { kind: 'fixed', name: '+00:00', offsetMinutes: 0 };

const OFFSET_RE = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;

/** The offsets clocks use run from -12:00 (Baker Island) to +14:00 (Line Islands). */
export const MIN_OFFSET_MINUTES = -12 * 60;
export const MAX_OFFSET_MINUTES = 14 * 60;

/**
 * Minutes east of UTC of an offset written as its sign, hours and minutes; undefined for one no clock uses (beyond
 * -12:00 or +14:00, or minutes past 59). A record's `+9999` was read as 100 hours east and moved its time by four days.
 */
export function offsetMinutesOf(sign: string, hours: number, minutes: number): number | undefined {
  if (!Number.isInteger(hours) || !Number.isInteger(minutes) || minutes < 0 || minutes > 59 || hours < 0) return undefined;
  const value = (sign === '-' ? -1 : 1) * (hours * 60 + minutes);
  return value < MIN_OFFSET_MINUTES || value > MAX_OFFSET_MINUTES ? undefined : value;
}

/** offsetMinutesOf for a record's own time: an offset no clock uses is HW_TIME_INVALID, naming it as written. */
export function requireOffsetMinutes(sign: string, hours: number, minutes: number, written: string): number {
  const value = offsetMinutesOf(sign, hours, minutes);
  if (value === undefined) throw new HangwatchError('HW_TIME_INVALID', [`UTC offset ${JSON.stringify(written)} is out of range (offsets run from -12:00 to +14:00)`]);
  return value;
}

/** Parses `Asia/Shanghai`, `+08:00`, `+0800`, `GMT+8`, `UTC`, `Z`. Throws HW_TIME_INVALID otherwise. */
export function parseZone(text: string): Zone {
  const t = text.trim();
  if (t === 'Z' || /^(UTC|GMT)$/i.test(t)) return UTC_ZONE;
  const m = OFFSET_RE.exec(t);
  if (m) {
    const minutes = requireOffsetMinutes(m[1] as string, Number(m[2]), Number(m[3] ?? 0), t);
    return { kind: 'fixed', name: formatOffset(minutes), offsetMinutes: minutes };
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: t });
  } catch {
    throw new HangwatchError('HW_TIME_INVALID', [`unknown zone ${JSON.stringify(text)} (use an IANA name like Asia/Shanghai or an offset like +08:00)`]);
  }
  return { kind: 'iana', name: t };
}

export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Offset of a zone at a UTC instant, in minutes east of UTC. */
export function zoneOffsetAt(zone: Zone, utcMs: number): number {
  if (zone.kind === 'fixed') return zone.offsetMinutes;
  return tzOffset(zone.name, new Date(utcMs));
}

/**
 * UTC milliseconds of a wall-clock time in a zone. For a time that does not exist (spring-forward gap) the
 * offset before the gap is used; for one that exists twice (fall-back) the earlier instant is taken.
 */
export function localToUtcMs(
  zone: Zone,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms = 0,
): number {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (zone.kind === 'fixed') return asUtc - zone.offsetMinutes * 60_000;
  const first = asUtc - zoneOffsetAt(zone, asUtc) * 60_000;
  const second2 = asUtc - zoneOffsetAt(zone, first) * 60_000;
  return Math.min(first, second2);
}

/** Validated Date.UTC: throws HW_TIME_INVALID when the fields do not name a real instant. */
export function utcMsFromParts(year: number, month: number, day: number, hour: number, minute: number, second: number, ms = 0): number {
  const value = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const d = new Date(value);
  if (
    Number.isNaN(value) ||
    d.getUTCFullYear() !== year ||
    d.getUTCMonth() !== month - 1 ||
    d.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 60
  ) {
    throw new HangwatchError('HW_TIME_INVALID', [`${year}-${month}-${day} ${hour}:${minute}:${second}`]);
  }
  return value;
}

let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * ISO 8601 UTC with milliseconds, as every @timestamp is written. Log lines come in bursts within one second:
 * the "YYYY-MM-DDTHH:MM:SS." prefix of the last second is reused (toISOString was 4% of the parse profile).
 */
export function isoUtc(instant: number): string {
  const ms = Math.floor(instant);
  if (!(ms >= 0 && ms < 253_402_300_800_000)) return new Date(ms).toISOString(); // outside years 1970..9999
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
    cachedSecond = second;
  }
  const milli = ms - second * 1000;
  return `${cachedPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

/** ISO 8601 with the zone's offset, e.g. `2017-03-15T13:11:54.777+08:00`. */
export function isoInZone(ms: number, zone: Zone): string {
  const offset = zoneOffsetAt(zone, ms);
  const shifted = new Date(ms + offset * 60_000).toISOString().slice(0, 23);
  return `${shifted}${formatOffset(offset)}`;
}

/** Parses an ISO 8601 instant given on a command line; a bare date-time is read in `zone`. */
export function parseInstant(text: string, zone: Zone = UTC_ZONE): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) throw new HangwatchError('HW_TIME_INVALID', [`${JSON.stringify(text)} is not ISO 8601`]);
  const parts = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), Number((m[7] ?? '0').padEnd(3, '0'))] as const;
  if (m[8]) {
    const z = parseZone(m[8]);
    return utcMsFromParts(...parts) - (z.kind === 'fixed' ? z.offsetMinutes : 0) * 60_000;
  }
  utcMsFromParts(...parts);
  return localToUtcMs(zone, ...parts);
}

/**
 * Syslog lines carry no year: take the year that puts the line closest before the file's last-modified
 * time (DESIGN.md section 6), deterministic and right across New Year.
 */
/** The year (ref-1, ref, ref+1) that puts a month-day-time closest to the reference, either side. */
export function nearestSyslogYear(month: number, day: number, hour: number, minute: number, second: number, referenceMs: number): number {
  const refYear = new Date(referenceMs).getUTCFullYear();
  let best = refYear;
  let bestDistance = Infinity;
  for (const year of [refYear - 1, refYear, refYear + 1]) {
    const distance = Math.abs(Date.UTC(year, month - 1, day, hour, minute, second) - referenceMs);
    if (distance < bestDistance) {
      best = year;
      bestDistance = distance;
    }
  }
  return best;
}

export function inferSyslogYear(month: number, day: number, hour: number, minute: number, second: number, referenceMs: number): number {
  const refYear = new Date(referenceMs).getUTCFullYear();
  const candidate = Date.UTC(refYear, month - 1, day, hour, minute, second);
  // Allow a day of slack for zone differences between the line and the reference clock.
  return candidate > referenceMs + 86_400_000 ? refYear - 1 : refYear;
}
