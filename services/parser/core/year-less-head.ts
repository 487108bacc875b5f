import { readSyslogStamp } from './syslog-stamp.js';

// Whether a text log's records carry a year (DESIGN.md section 6). Year-less syslog stamps take their year from
// the same host's dated records, so `hangwatch analyze` reads a host's dated files (libvirtd, qemu, iostat, an ISO
// or journal-export kernel log) before its year-less ones (kern.log, messages, journalctl's short output).

// A full date anywhere in the line: libvirt's own stamp inside a syslog-wrapped line outranks the syslog prefix.
const FULL_DATE = /\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d/;
const LINES_LOOKED_AT = 50;

/** True when the first stamped line of the head is a month-day syslog stamp with no full date in the line. */
export function headIsYearLess(head: string): boolean {
  let seen = 0;
  for (const raw of head.split('\n')) {
    if (++seen > LINES_LOOKED_AT) break;
    const line = raw.replace(/^<\d{1,3}>/, '');
    if (line.trim() === '') continue;
    if (FULL_DATE.test(line)) return false;
    if (readSyslogStamp(line) !== undefined) return true;
  }
  return false;
}
