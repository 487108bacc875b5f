import { UTC_ZONE, type Zone } from '../../../../shared/time.js';
import type { TimeBasis, YearBasis } from '../../../../shared/vocabulary.js';
import type { ParseContext, YearReference } from '../event-draft.js';
import { uptimeTokenMs, type DmesgLine, type SyslogLine } from './line-shape.js';
import { bsdStampMs, ctimeStampMs, deltaMs, epochStampMs, fullStampMs, isoStampMs, reltimeMs, wallClockMs, type StampInstant } from './kernel-time.js';
import { kernelMemo, type KernelMemo } from './kernel-memo.js';

// DESIGN.md section 6 for kernel lines. Stamps with an offset are `explicit`; local stamps are read in the
// configured host zone (UTC when none), basis `zone`. A stamp without a year (syslog's "Mar 15 13:05:01", dmesg
// -e's "[Mar15 13:05]") takes it from the year reference by its rule, and says which rule in `year`: a full date of
// the same host found in this source (journal header, a program's own ISO stamp, an audit stamp) or else
// ParseContext.year (--year-reference, the host's dated records, the file's mtime, the read time). dmesg uptime
// stamps need a boot time learned in the same source, else they are `inherited` (or `ingest` for a first line).

export interface ResolvedTime {
  readonly ms: number;
  readonly basis: TimeBasis;
  readonly zone?: string;
  /** Which rule gave the year, when the stamp had none. */
  readonly year?: YearBasis;
}

export function hostZoneOf(ctx: ParseContext): Zone {
  return ctx.options.hostZone ?? UTC_ZONE;
}

/**
 * The reference a year-less stamp of this source takes its year from: an explicit --year-reference wins; then a
 * full date of the same host seen in this very source (closer evidence than the host's other files); then
 * ParseContext.year (the host's dated records, the file's mtime, the read time).
 */
export function yearReferenceOf(ctx: ParseContext, memo: KernelMemo): YearReference {
  const dated = memo.datedMs;
  if (dated === undefined || ctx.year.basis === 'reference') return ctx.year;
  // Both are the host's records: the later one is the closer to what is being read now (a live source).
  if (ctx.year.basis === 'host-records' && ctx.year.ms > dated) return ctx.year;
  return { ms: dated, basis: 'host-records' };
}

function zoned(ms: number, zone: Zone, year?: YearBasis): ResolvedTime {
  return year === undefined ? { ms, basis: 'zone', zone: zone.name } : { ms, basis: 'zone', zone: zone.name, year };
}

function fromInstant(instant: StampInstant, zone: Zone): ResolvedTime {
  return instant.explicit ? { ms: instant.ms, basis: 'explicit' } : zoned(instant.ms, zone);
}

/** The time a syslog-style stamp names ("Mar 15 13:05:01 ", "2017-03-15T13:05:01+08:00 ", ...). */
export function syslogStampTime(kind: SyslogLine['stampKind'], stamp: string, ctx: ParseContext, memo: KernelMemo): ResolvedTime {
  const zone = hostZoneOf(ctx);
  switch (kind) {
    case 'bsdStamp': {
      const reference = yearReferenceOf(ctx, memo);
      return zoned(bsdStampMs(stamp, reference, zone), zone, reference.basis);
    }
    case 'isoStamp':
      return fromInstant(isoStampMs(stamp, zone), zone);
    case 'fullStamp':
      return fromInstant(fullStampMs(stamp, zone), zone);
    case 'ctimeStamp':
      return zoned(ctimeStampMs(stamp, zone), zone);
    case 'epochStamp':
      return { ms: epochStampMs(stamp), basis: 'explicit' };
  }
}

export function resolveSyslogTime(line: SyslogLine, ctx: ParseContext): ResolvedTime {
  const memo = kernelMemo(ctx.state);
  const time = syslogStampTime(line.stampKind, line.stamp, ctx, memo);
  // A wall clock and "[uptime]" on one line give the boot time (to syslog's delivery delay, milliseconds).
  if (line.uptimeMs !== undefined) learnBoot(memo, time.ms - line.uptimeMs, time.year);
  return time;
}

export function learnBoot(memo: KernelMemo, bootMs: number, year: YearBasis | undefined): void {
  memo.bootMs = bootMs;
  if (year === undefined) delete memo.bootYear;
  else memo.bootYear = year;
}

/** The time of a line that has none of its own: the previous line's (with its year rule), else the read time. */
export function inheritedTime(ctx: ParseContext): ResolvedTime {
  const last = ctx.state.lastTimestampMs;
  if (last === undefined) return { ms: ctx.createdMs, basis: 'ingest' };
  const year = kernelMemo(ctx.state).lastYear;
  return year === undefined ? { ms: last, basis: 'inherited' } : { ms: last, basis: 'inherited', year };
}

export function resolveDmesgTime(line: DmesgLine, ctx: ParseContext): ResolvedTime {
  const memo = kernelMemo(ctx.state);
  const zone = hostZoneOf(ctx);
  switch (line.stampKind) {
    case 'wallClock': {
      const ms = wallClockMs(line.stamp, zone);
      // `dmesg` and `dmesg -T` output of the same message side by side: boot = wall - uptime (to the second
      // that -T prints).
      if (memo.lastUptime?.message === line.message) learnBoot(memo, ms - memo.lastUptime.ms, undefined);
      memo.lastWall = { ms, message: line.message };
      return zoned(ms, zone);
    }
    case 'dmesgIso':
      return fromInstant(isoStampMs(line.stamp, zone), zone);
    case 'reltime': {
      const reference = yearReferenceOf(ctx, memo);
      return zoned(reltimeMs(line.stamp, reference, zone), zone, reference.basis);
    }
    case 'delta': {
      const base = inheritedTime(ctx);
      return base.basis === 'ingest' ? base : { ...base, ms: base.ms + deltaMs(line.stamp) };
    }
    case 'uptime':
      return uptimeTime(line, ctx, memo);
  }
}

function uptimeTime(line: DmesgLine, ctx: ParseContext, memo: KernelMemo): ResolvedTime {
  const uptimeMs = uptimeTokenMs(line.stamp);
  noteReboot(memo, uptimeMs);
  if (memo.lastWall?.message === line.message) learnBoot(memo, memo.lastWall.ms - uptimeMs, undefined);
  memo.lastUptime = { ms: uptimeMs, message: line.message };
  if (memo.bootMs !== undefined) {
    const ms = Math.floor(memo.bootMs + uptimeMs);
    return memo.bootYear === undefined ? { ms, basis: 'uptime' } : { ms, basis: 'uptime', year: memo.bootYear };
  }
  return inheritedTime(ctx);
}

/** Uptime going backwards means a new boot: the boot time learned before no longer applies. */
function noteReboot(memo: KernelMemo, uptimeMs: number): void {
  if (memo.lastUptime !== undefined && uptimeMs < memo.lastUptime.ms) {
    delete memo.bootMs;
    delete memo.bootYear;
  }
}

// "-- Logs begin at Wed 2017-03-15 09:00:01 CST, end at Wed 2017-03-15 13:30:01 CST. --" (systemd < 246) and
// "-- Journal begins at Mon 2021-03-08 10:11:12 UTC, ends at ... --" (246+): the journal's own dates, which give
// the year of the short-format lines below them.
const JOURNAL_RANGE = /(?:Logs begin at|Journal begins at) .*?(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:.*?(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d))?/;

/** journalctl's markers: "-- Reboot --" / "-- Boot <id> --" start a new boot; the header dates the journal. */
export function noteJournalMarker(text: string, ctx: ParseContext): void {
  const memo = kernelMemo(ctx.state);
  if (/^-- (Reboot|Boot\b)/.test(text)) {
    delete memo.bootMs;
    delete memo.bootYear;
    delete memo.lastUptime;
    return;
  }
  const m = JOURNAL_RANGE.exec(text);
  if (m) {
    // The end of the range when printed (the latest line), else its start; the zone abbreviation is not needed
    // for a year.
    const n = (i: number): number => Number(m[m[7] !== undefined ? i + 6 : i]);
    memo.datedMs = Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6));
  }
}
