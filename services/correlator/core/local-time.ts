import { localToUtcMs, type Zone } from '../../../shared/time.js';

// Guest local times (DESIGN.md section 6). A record whose time is local and whose zone was unknown to the parser
// carries `hangwatch.time.basis: zone` without `hangwatch.time.zone`, and its `@timestamp` holds the wall-clock
// time written as if it were UTC; the correlator re-times it once the guest's zone is known.

export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly ms: number;
}

/** Reads the wall clock out of an `@timestamp` that was written without a zone. */
export function readWallClock(isoUtcText: string): WallClock | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/.exec(isoUtcText);
  if (!m) return undefined;
  return { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4]!, minute: +m[5]!, second: +m[6]!, ms: +m[7]! };
}

export function wallClockToUtcMs(wall: WallClock, zone: Zone): number {
  return localToUtcMs(zone, wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second, wall.ms);
}

// Marks Windows puts around locale-formatted numbers (U+200E, U+200F, U+202A..U+202E).
const BIDI_MARKS = /[\u200e\u200f\u202a-\u202e]/g;

/**
 * Parses 6008's locale-formatted previous-shutdown date and time: en-US (`3/15/2017`, `1:11:54 PM`),
 * zh-CN (`2017/3/15`, `13:11:54`, also `下午 1:11:54`), de-DE (`15.03.2017`, `13:11:54`), and ISO dates.
 */
export function parseWindowsLocalDateTime(dateText: string, timeText: string): WallClock | undefined {
  const date = dateText.replace(BIDI_MARKS, '').trim();
  const time = timeText.replace(BIDI_MARKS, '').trim();
  let year: number;
  let month: number;
  let day: number;
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/.exec(date))) [year, month, day] = [+m[1]!, +m[2]!, +m[3]!];
  else if ((m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(date))) [day, month, year] = [+m[1]!, +m[2]!, +m[3]!];
  else if ((m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(date))) [month, day, year] = [+m[1]!, +m[2]!, +m[3]!];
  else return undefined;
  const t = /^(上午|下午)?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,](\d{1,3}))?\s*(AM|PM|上午|下午)?$/i.exec(time);
  if (!t) return undefined;
  let hour = +t[2]!;
  const marker = (t[1] ?? t[6] ?? '').toUpperCase();
  if (marker === 'PM' || marker === '下午') hour = hour === 12 ? 12 : hour + 12;
  else if ((marker === 'AM' || marker === '上午') && hour === 12) hour = 0;
  const wall = { year, month, day, hour, minute: +t[3]!, second: +(t[4] ?? 0), ms: +(t[5] ?? '0').padEnd(3, '0') };
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || wall.minute > 59 || wall.second > 60) return undefined;
  return wall;
}
