import { UTC_ZONE, type Zone } from '../../../../shared/time.js';
import type { TimeBasis } from '../../../../shared/vocabulary.js';
import type { ParseContext } from '../event-draft.js';
import type { DmesgLine, SyslogLine } from './line-shape.js';
import { bsdStampMs, isoStampMs, wallClockMs } from './kernel-time.js';
import { kernelMemo, type KernelMemo } from './kernel-memo.js';

// DESIGN.md section 6 for kernel lines: syslog stamps have no year (inferred from the file's mtime) and no
// zone (configured host zone, else UTC, basis `zone` either way); ISO stamps are `explicit`; dmesg uptime
// stamps need a boot time learned in the same source, else they are `inherited` (or `ingest` for a first line).

export interface ResolvedTime {
  readonly ms: number;
  readonly basis: TimeBasis;
  readonly zone?: string;
}

export function hostZoneOf(ctx: ParseContext): Zone {
  return ctx.options.hostZone ?? UTC_ZONE;
}

export function resolveSyslogTime(line: SyslogLine, ctx: ParseContext): ResolvedTime {
  const memo = kernelMemo(ctx.state);
  let time: ResolvedTime;
  if (line.iso) {
    time = { ms: isoStampMs(line.stamp, 'kernel'), basis: 'explicit' };
  } else {
    const zone = hostZoneOf(ctx);
    time = { ms: bsdStampMs(line.stamp, ctx.year.ms, zone), basis: 'zone', zone: zone.name };
  }
  // A wall clock and "[uptime]" on one line give the boot time (to syslog's delivery delay, milliseconds).
  if (line.uptimeMs !== undefined) memo.bootMs = time.ms - line.uptimeMs;
  return time;
}

export function resolveDmesgTime(line: DmesgLine, ctx: ParseContext): ResolvedTime {
  const memo = kernelMemo(ctx.state);
  if (line.wallClock !== undefined) {
    const zone = hostZoneOf(ctx);
    const ms = wallClockMs(line.wallClock, zone);
    // `dmesg` and `dmesg -T` output of the same message side by side: boot = wall - uptime (to the second
    // that -T prints).
    if (memo.lastUptime?.message === line.message) memo.bootMs = ms - memo.lastUptime.ms;
    memo.lastWall = { ms, message: line.message };
    return { ms, basis: 'zone', zone: zone.name };
  }
  const uptimeMs = line.uptimeMs ?? 0;
  noteReboot(memo, uptimeMs);
  if (memo.lastWall?.message === line.message) memo.bootMs = memo.lastWall.ms - uptimeMs;
  memo.lastUptime = { ms: uptimeMs, message: line.message };
  if (memo.bootMs !== undefined) return { ms: Math.floor(memo.bootMs + uptimeMs), basis: 'uptime' };
  if (ctx.state.lastTimestampMs !== undefined) return { ms: ctx.state.lastTimestampMs, basis: 'inherited' };
  return { ms: ctx.createdMs, basis: 'ingest' };
}

/** Uptime going backwards means a new boot: the boot time learned before no longer applies. */
function noteReboot(memo: KernelMemo, uptimeMs: number): void {
  if (memo.lastUptime !== undefined && uptimeMs < memo.lastUptime.ms) delete memo.bootMs;
}

/** journalctl's "-- Reboot --" / "-- Boot <id> --" separators: a new boot starts. */
export function noteJournalMarker(text: string, ctx: ParseContext): void {
  if (/^-- (Reboot|Boot\b)/.test(text)) {
    const memo = kernelMemo(ctx.state);
    delete memo.bootMs;
    delete memo.lastUptime;
  }
}
