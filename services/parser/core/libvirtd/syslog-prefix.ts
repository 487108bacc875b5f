import { readSyslogStamp, type SyslogStamp } from '../syslog-stamp.js';
import { offsetOfZoneAbbreviation } from './zone-abbreviation.js';
import { requireOffsetMinutes } from '../../../../shared/time.js';

// The prefix a syslog daemon or `journalctl` puts in front of a daemon's message, read by typed code rather than
// the grammar (month names of every common locale and any program name are more than a lexer token should be):
//   rsyslog / syslog-ng / journalctl -o short   `Mär 27 11:47:53 host virtqemud[7180]: ` (`prog: ` without pid,
//                                               the host field may be missing, `<30>` of a raw packet in front)
//   journalctl -o short-precise                 `Mar 27 11:47:53.335123 host prog[1]: `
//   rsyslog RFC 3339 / journalctl -o short-iso  `2024-01-05T10:20:30.123456+01:00 host prog[1]: `
//   journalctl -o short-full                    `Thu 2025-03-27 11:47:53 CET host prog[1]: `
//   journalctl -o short-unix                    `1743072473.335123 host prog[1]: `
//   RFC 5424 (rsyslog's SyslogProtocol23Format) `<30>1 2024-01-05T10:20:30.123+01:00 host prog 1234 - - `
// What follows the prefix (the body) is libvirt's own line, its syslog form, or a bare message.

export type PrefixTime =
  /** Month, day and time, no year and no zone: the year comes from the parse context, the zone from config. */
  | { readonly kind: 'month-day'; readonly stamp: SyslogStamp }
  /** An instant the prefix states with its offset (or as epoch seconds). */
  | { readonly kind: 'instant'; readonly ms: number }
  /** A full local date and time whose zone the prefix does not state in a way we can read (`CST`, no offset). */
  | { readonly kind: 'local'; readonly localAsUtcMs: number; readonly zoneName?: string };

export interface SyslogPrefix {
  readonly time: PrefixTime;
  readonly host?: string;
  readonly program: string;
  readonly pid?: number;
  /** The text after `program[pid]: `. */
  readonly body: string;
}

const PRI = /^<\d{1,3}>/;
const ISO = /(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d(?::?\d\d)?)?(?= )/y;
const UNIX = /(\d{9,11})(?:\.(\d{1,9}))?(?= )/y;
const FULL = /[A-Z][a-z]{2} (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))? ([A-Za-z]{1,6}|[+-]\d\d(?::?\d\d)?)(?=[ ;]|$)/y;
// ` host prog[pid]: `; the host is optional (`prog` is followed by `[` or `:`, a host by a space). A tag may be a
// path (`/usr/sbin/libvirtd[1]:`); the basename is the program.
const HEADER = / (?:([^\s:[\]]+) )?([^\s:[\]]+)(?:\[(\d+)\])?:(?: |$)/y;

const ms3 = (fraction: string | undefined): number => (fraction ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0);

function offsetMinutes(text: string): number {
  if (text === 'Z') return 0;
  const digits = text.slice(1).replace(':', '');
  return requireOffsetMinutes(text[0] as string, Number(digits.slice(0, 2)), Number(digits.slice(2, 4) || '0'), text);
}

function readTime(text: string, at: number): { time: PrefixTime; end: number } | undefined {
  const c = text.charCodeAt(at);
  if (c >= 48 && c <= 57) {
    ISO.lastIndex = at;
    const iso = ISO.exec(text);
    if (iso) {
      const asUtc = Date.UTC(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]), Number(iso[4]), Number(iso[5]), Number(iso[6]), ms3(iso[7]));
      const time: PrefixTime = iso[8] ? { kind: 'instant', ms: asUtc - offsetMinutes(iso[8]) * 60_000 } : { kind: 'local', localAsUtcMs: asUtc };
      return { time, end: ISO.lastIndex };
    }
    UNIX.lastIndex = at;
    const unix = UNIX.exec(text);
    if (unix) return { time: { kind: 'instant', ms: Number(unix[1]) * 1000 + ms3(unix[2]) }, end: UNIX.lastIndex };
  } else if (text.charCodeAt(at + 3) === 32 && c >= 65 && c <= 90) {
    const full = readWeekdayStamp(text, at);
    if (full) return full;
  }
  const rest = at === 0 ? text : text.slice(at);
  const stamp = readSyslogStamp(rest);
  return stamp ? { time: { kind: 'month-day', stamp }, end: at + stamp.end } : undefined;
}

/**
 * systemd's own `Thu 2025-03-27 11:47:53 CET` at `at` (journalctl -o short-full, `systemctl status` "since"): an
 * instant when the zone names one offset, else a local time with the zone's name.
 */
export function readWeekdayStamp(text: string, at: number): { time: PrefixTime; end: number } | undefined {
  FULL.lastIndex = at;
  const full = FULL.exec(text);
  if (!full) return undefined;
  const asUtc = Date.UTC(Number(full[1]), Number(full[2]) - 1, Number(full[3]), Number(full[4]), Number(full[5]), Number(full[6]), ms3(full[7]));
  const zone = full[8] as string;
  const offset = /^[+-]/.test(zone) ? offsetMinutes(zone) : offsetOfZoneAbbreviation(zone);
  const time: PrefixTime = offset !== undefined ? { kind: 'instant', ms: asUtc - offset * 60_000 } : { kind: 'local', localAsUtcMs: asUtc, zoneName: zone };
  return { time, end: FULL.lastIndex };
}

// RFC 5424: VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]; `-` for a missing field.
const RFC5424 = /^<\d{1,3}>1 (\S+) (\S+) (\S+) (\S+) \S+ (?:-|(?:\[(?:[^\]\\]|\\.)*\])+)(?: |$)/;

function readRfc5424(text: string): SyslogPrefix | undefined {
  const m = RFC5424.exec(text);
  if (!m) return undefined;
  const stamp = m[1] as string;
  const read = stamp === '-' ? undefined : readTime(`${stamp} `, 0);
  if (!read || read.end !== stamp.length) return undefined;
  const field = (v: string | undefined): string | undefined => (v === undefined || v === '-' ? undefined : v);
  const pid = Number(field(m[4]));
  return { time: read.time, host: field(m[2]), program: field(m[3]) ?? '-', pid: Number.isSafeInteger(pid) && pid > 0 ? pid : undefined, body: text.slice(m[0].length) };
}

/** Reads a syslog or journalctl prefix at the start of `text`; undefined when there is none. */
export function readSyslogPrefix(text: string): SyslogPrefix | undefined {
  let at = 0;
  if (text.charCodeAt(0) === 60) {
    const pri = PRI.exec(text);
    if (!pri) return undefined;
    at = pri[0].length;
    if (text.charCodeAt(at) === 49 && text.charCodeAt(at + 1) === 32) return readRfc5424(text);
  }
  const read = readTime(text, at);
  if (!read) return undefined;
  HEADER.lastIndex = read.end;
  const m = HEADER.exec(text);
  if (!m) return undefined;
  const tag = m[2] as string;
  const slash = tag.lastIndexOf('/');
  // One object shape whatever is present (conditional spreads measured ~2x slower on the syslog path).
  return {
    time: read.time,
    host: m[1],
    program: slash >= 0 && slash < tag.length - 1 ? tag.slice(slash + 1) : tag,
    pid: m[3] ? Number(m[3]) : undefined,
    body: text.slice(HEADER.lastIndex),
  };
}
