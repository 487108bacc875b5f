import { UTC_ZONE, type Zone } from '../../../../shared/time.js';
import type { ParseContext } from '../event-draft.js';
import { ParseFailure } from '../parse-failure.js';
import type { BlockTime, IostatMemo } from './iostat-memo.js';
import { clockSeconds, isoBlockMs, localDateTimeMs, readLocaleDate } from './iostat-time.js';
import type { IostatLine } from './line-shape.js';
import { intervalFromPath } from './sampling-interval.js';

// When each report of an iostat run was sampled. With -t every report starts with its stamp. Without it a report
// is recognised by its tables: each report prints the avg-cpu table and the device table(s) once (--pretty -x
// prints four device tables), so a table seen again starts the next report. Its time then comes from context:
//   - the banner's date (the day the run started; midnight in the host zone, the time of day is not in the
//     output: flagged `time-of-day-unknown`) for report 0, plus report x interval for report k when the interval
//     is known (configuration, the pasted command, the file name): basis `header-interval`;
//   - without an interval, later reports keep report 0's time (basis `inherited`) and their order (offsets);
//   - no banner at all: the file's modification time (basis `file-mtime`), else the read time (`ingest`).

export function hostZone(ctx: ParseContext): Zone {
  return ctx.options.hostZone ?? UTC_ZONE;
}

/** The sampling interval from outside the output: configuration, then the pasted command, then the file name. */
export function knownIntervalMs(memo: IostatMemo, ctx: ParseContext): number | undefined {
  if (ctx.options.iostatIntervalMs !== undefined) return ctx.options.iostatIntervalMs;
  if (memo.commandIntervalMs !== undefined) return memo.commandIntervalMs;
  if (memo.pathIntervalMs === undefined) memo.pathIntervalMs = intervalFromPath(ctx.record.path) ?? null;
  return memo.pathIntervalMs ?? undefined;
}

function contextTime(memo: IostatMemo, ctx: ParseContext): BlockTime {
  if (memo.bannerDate) {
    const zone = hostZone(ctx);
    const midnight = localDateTimeMs(memo.bannerDate, 0, zone);
    const intervalMs = knownIntervalMs(memo, ctx);
    // With -y the first report printed is the first interval's, not the averages since boot.
    const k = memo.report + (memo.commandOmitsSinceBoot ? 1 : 0);
    if (k === 0) return { ms: midnight, basis: 'header-interval', zone: zone.name, dateOnly: true };
    if (intervalMs !== undefined) return { ms: midnight + k * intervalMs, basis: 'header-interval', zone: zone.name, dateOnly: true, intervalMs };
    if (memo.report === 0) return { ms: midnight, basis: 'header-interval', zone: zone.name, dateOnly: true };
    return { ms: midnight, basis: 'inherited', zone: zone.name, dateOnly: true };
  }
  if (ctx.mtimeMs !== undefined && Number.isFinite(ctx.mtimeMs)) return { ms: ctx.mtimeMs, basis: 'file-mtime' };
  return { ms: ctx.createdMs, basis: 'ingest' };
}

function startReport(memo: IostatMemo, ctx: ParseContext, stamped: BlockTime | undefined): void {
  const previousMs = memo.block?.ms;
  memo.report++;
  memo.tables = [];
  memo.awaitingCpuValues = false;
  let block = stamped ?? contextTime(memo, ctx);
  if (stamped && previousMs !== undefined && stamped.ms > previousMs && memo.report > 0) block = { ...stamped, intervalMs: stamped.ms - previousMs };
  memo.block = block;
  ctx.state.lastTimestampMs = block.ms;
}

/** A table header (avg-cpu or a device layout): the first of a report, or the start of the next one. */
export function enterTable(memo: IostatMemo, signature: string, ctx: ParseContext): void {
  if (memo.report < 0 || memo.tables.includes(signature)) startReport(memo, ctx, undefined);
  memo.tables.push(signature);
}

/** The time of the report a row belongs to (a row before any header opens report 0). */
export function currentBlock(memo: IostatMemo, ctx: ParseContext): BlockTime {
  if (!memo.block || memo.report < 0) startReport(memo, ctx, undefined);
  return memo.block as BlockTime;
}

type StampLine = Extract<IostatLine, { kind: 'stamp' | 'iso' | 'epoch' }>;

/** A -t stamp opens a report at its time. A stamp that cannot be read still opens it (dated from context). */
export function enterStamp(line: StampLine, memo: IostatMemo, ctx: ParseContext): void {
  let time: BlockTime;
  try {
    time = stampTime(line, memo, ctx);
  } catch (error) {
    startReport(memo, ctx, undefined);
    throw error;
  }
  startReport(memo, ctx, time);
}

function stampTime(line: StampLine, memo: IostatMemo, ctx: ParseContext): BlockTime {
  const zone = hostZone(ctx);
  const zoned = (ms: number): BlockTime => ({ ms, basis: 'zone', zone: zone.name });
  if (line.kind === 'epoch') return { ms: Number(line.stamp.text) * 1000, basis: 'explicit' };
  if (line.kind === 'iso') {
    const { ms, explicit } = isoBlockMs(line.stamp.text, zone);
    return explicit ? { ms, basis: 'explicit' } : zoned(ms);
  }
  const meridiem = line.meridiem?.text;
  const seconds = clockSeconds(line.clock.text, meridiem);
  if (line.date !== null) {
    const read = readLocaleDate(line.date.text, memo.dayOrder, meridiem === undefined);
    if (read.learned) memo.dayOrder = read.learned;
    return zoned(localDateTimeMs(read.date, seconds, zone));
  }
  // "Time: hh:mm:ss" (sysstat < 10): the banner's date, a day later each time the clock goes backwards.
  if (!memo.bannerDate) throw new ParseFailure('HW_PARSE_NO_MATCH', 'iostat', 'a time without a date before any banner', ['bannerOs']);
  if (memo.lastClockS !== undefined && seconds < memo.lastClockS) memo.dayOffset++;
  memo.lastClockS = seconds;
  return zoned(localDateTimeMs(memo.bannerDate, seconds, zone, memo.dayOffset));
}
