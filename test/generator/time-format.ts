import { parseZone, zoneOffsetAt, type Zone } from '../../shared/time.js';

// The time notations of the real files, built from UTC milliseconds. Each function names the source whose
// format it copies; all of them are pure so a corpus is reproducible byte for byte.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

export const pad = (n: number | string, width = 2): string => String(n).padStart(width, '0');

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  weekday: number;
  offsetMinutes: number;
}

/** The wall clock of `zone` at a UTC instant. */
export function wallClock(utcMs: number, zone: Zone): WallClock {
  const offsetMinutes = zoneOffsetAt(zone, utcMs);
  const d = new Date(utcMs + offsetMinutes * 60_000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    ms: d.getUTCMilliseconds(),
    weekday: d.getUTCDay(),
    offsetMinutes,
  };
}

export const UTC: Zone = parseZone('UTC');

/** libvirtd and qemu log header stamps: `2017-03-15 06:03:08.894+0000` (libvirt virTimeStringNow). */
export function formatLibvirtTime(utcMs: number): string {
  const w = wallClock(utcMs, UTC);
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}.${pad(w.ms, 3)}+0000`;
}

/** qemu `-msg timestamp=on` prefix: `2017-03-15T05:11:54.777123Z` (g_time_val_to_iso8601, microseconds). */
export function formatQemuMsgTime(utcMs: number, micros: number): string {
  const w = wallClock(utcMs, UTC);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}.${pad(w.ms, 3)}${pad(micros % 1000, 3)}Z`;
}

/** rsyslog's traditional file format: `Mar 15 13:05:01` in the host's local time, day padded with a space. */
export function formatSyslogTime(utcMs: number, zone: Zone): string {
  const w = wallClock(utcMs, zone);
  return `${MONTHS[w.month - 1]} ${String(w.day).padStart(2, ' ')} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

/** `+0800` style offset as strftime %z prints it. */
export function formatOffsetCompact(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

/** sysstat with S_TIME_FORMAT=ISO: `2017-03-15T13:05:01+0800`. */
export function formatIostatIsoTime(utcMs: number, zone: Zone): string {
  const w = wallClock(utcMs, zone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${formatOffsetCompact(w.offsetMinutes)}`;
}

/** sysstat in an en_US locale: `03/15/2017 01:05:01 PM`. */
export function formatIostatUsTime(utcMs: number, zone: Zone): string {
  const w = wallClock(utcMs, zone);
  const h12 = w.hour % 12 === 0 ? 12 : w.hour % 12;
  return `${pad(w.month)}/${pad(w.day)}/${w.year} ${pad(h12)}:${pad(w.minute)}:${pad(w.second)} ${w.hour < 12 ? 'AM' : 'PM'}`;
}

/** WinDbg 6.11 `Debug session time: Wed Mar 15 13:11:54.777 2017 (GMT+8)`. */
export function formatWindbgTime(utcMs: number, zone: Zone): string {
  const w = wallClock(utcMs, zone);
  const abs = Math.abs(w.offsetMinutes);
  const gmt = `GMT${w.offsetMinutes < 0 ? '-' : '+'}${Math.floor(abs / 60)}${abs % 60 ? `:${pad(abs % 60)}` : ''}`;
  return `${DAYS[w.weekday]} ${MONTHS[w.month - 1]} ${String(w.day).padStart(2, ' ')} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}.${pad(w.ms, 3)} ${w.year} (${gmt})`;
}

/** WinDbg `System Uptime: 0 days 5:00:52.740`. */
export function formatWindbgUptime(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  const rest = ms % 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  const m = Math.floor((rest % 3_600_000) / 60_000);
  const s = Math.floor((rest % 60_000) / 1000);
  return `${days} days ${h}:${pad(m)}:${pad(s)}.${pad(rest % 1000, 3)}`;
}

/**
 * Windows 7 wevtutil `SystemTime='2017-03-15T05:14:02.609375000Z'`: FILETIME rendered with nine digits; the
 * system clock ticks in 1/64 s (15.625 ms), so the fraction is a multiple of 15625000 ns.
 */
export function formatWinSystemTime(utcMs: number): { text: string; quantizedMs: number } {
  const tick = 15.625;
  const whole = Math.floor(utcMs / 1000) * 1000;
  const ticks = Math.floor((utcMs - whole) / tick);
  const w = wallClock(whole, UTC);
  const nanos = pad(ticks * 15_625_000, 9);
  return {
    text: `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}.${nanos}Z`,
    quantizedMs: whole + Math.floor(ticks * tick),
  };
}

export type GuestLocale = 'zh-CN' | 'en-US' | 'de-DE';
export const GUEST_LOCALES: readonly GuestLocale[] = ['zh-CN', 'en-US', 'de-DE'];

const LRM = '\u200e';

/**
 * EventLog 6008 writes the previous shutdown's local time and date as text in the guest's locale: zh-CN
 * `13:11:54` / `2017/3/15`, en-US `1:11:54 PM` / `‎3/‎15/‎2017` (left-to-right marks before each date part),
 * de-DE `13:11:54` / `15.03.2017`.
 */
export function formatLocaleTimeDate(utcMs: number, zone: Zone, locale: GuestLocale): { time: string; date: string } {
  const w = wallClock(utcMs, zone);
  const hms = `${pad(w.minute)}:${pad(w.second)}`;
  switch (locale) {
    case 'zh-CN':
      return { time: `${pad(w.hour)}:${hms}`, date: `${w.year}/${w.month}/${w.day}` };
    case 'en-US': {
      const h12 = w.hour % 12 === 0 ? 12 : w.hour % 12;
      return { time: `${h12}:${hms} ${w.hour < 12 ? 'AM' : 'PM'}`, date: `${LRM}${w.month}/${LRM}${w.day}/${LRM}${w.year}` };
    }
    case 'de-DE':
      return { time: `${pad(w.hour)}:${hms}`, date: `${pad(w.day)}.${pad(w.month)}.${w.year}` };
  }
}

/** A SYSTEMTIME structure as EventLog's Binary data holds it: eight little-endian 16-bit words, as hex. */
export function formatSystemTimeHex(utcMs: number, zone: Zone): string {
  const w = wallClock(utcMs, zone);
  const words = [w.year, w.month, w.weekday, w.day, w.hour, w.minute, w.second, w.ms];
  return words.map((v) => pad((v & 0xff).toString(16).toUpperCase()) + pad(((v >> 8) & 0xff).toString(16).toUpperCase())).join('');
}
