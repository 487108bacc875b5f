import type { ParseContext } from '../event-draft.js';
import type { KernelMemo } from './kernel-memo.js';
import type { SyslogLine } from './line-shape.js';
import { bsdStampMs } from './kernel-time.js';
import { hostZoneOf } from './resolve-time.js';
import { offsetMinutesOf } from '../../../../shared/time.js';

// Full dates a year-less log carries inside its own lines (DESIGN.md section 6: the same host's dated records give
// the year). Two kinds are common in kern.log / messages:
// - the kernel's audit records: "audit(1489554301.123:42)" is the audit event's CLOCK_REALTIME in epoch seconds
//   (kernel/audit.c audit_log_start), printed by apparmor, SELinux and systemd's unit audit lines;
// - a program's own ISO stamp inside its syslog message: Docker/logrus `time="2015-04-14T20:38:09Z"`, libvirt's
//   `2017-03-15 05:09:01.123+0000:`, Go and Python loggers.
// A date only counts when the syslog stamp, read with it as the reference, lands within a day of it (a zone's
// worth of difference): a build date or a date the program talks about is not the line's time.

const DAY_MS = 26 * 3_600_000;
const AUDIT = /audit\((\d{9,11})\.(\d{3}):\d+\)/;
const ISO = /(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d:?\d\d)?/;

/** Epoch ms of an audit record's stamp in a kernel message, if any. */
export function auditEpochMs(message: string): number | undefined {
  if (message.indexOf('audit(') === -1) return undefined;
  const m = AUDIT.exec(message);
  return m ? Number(m[1]) * 1000 + Number(m[2]) : undefined;
}

/** Epoch ms of the first ISO date-time inside a message (UTC when it has no offset: a day of slack covers it). */
export function embeddedIsoMs(message: string): number | undefined {
  const m = ISO.exec(message);
  if (!m) return undefined;
  const n = (i: number): number => Number(m[i]);
  const ms = Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6), m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0);
  const zone = m[8];
  if (zone === undefined || zone === 'Z') return ms;
  const offset = zone.replace(':', '');
  // Evidence, not the record's own time: an offset no clock uses makes it no evidence.
  const minutes = offsetMinutesOf(offset[0] as string, Number(offset.slice(1, 3)), Number(offset.slice(3, 5)));
  return minutes === undefined ? undefined : ms - minutes * 60_000;
}

/**
 * Notes the full date a year-less syslog line carries inside (audit stamp of a kernel line, a program's own
 * ISO stamp), when it agrees with the line's month, day and time: the source's year reference from then on.
 */
export function noteDatedEvidence(line: SyslogLine, ctx: ParseContext, memo: KernelMemo): void {
  if (line.stampKind !== 'bsdStamp' || ctx.year.basis === 'reference') return;
  const evidence = line.program === 'kernel' ? auditEpochMs(line.message) : line.program !== undefined ? embeddedIsoMs(line.message) : undefined;
  if (evidence === undefined || !Number.isFinite(evidence)) return;
  let ms: number;
  try {
    ms = bsdStampMs(line.stamp, { ms: evidence, basis: 'host-records' }, hostZoneOf(ctx));
  } catch {
    return; // an impossible stamp is reported when the line's own time is resolved
  }
  if (Math.abs(ms - evidence) <= DAY_MS) memo.datedMs = evidence;
}
