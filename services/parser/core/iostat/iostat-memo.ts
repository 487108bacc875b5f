import type { TimeBasis } from '../../../../shared/vocabulary.js';
import type { SourceState } from '../event-draft.js';
import type { ColumnLayout } from './columns.js';
import type { CalendarDate, DayOrder } from './iostat-time.js';

// What the iostat parser carries between the lines of one source: records arrive one line at a time, and a
// device or CPU row only means something under the header, banner and timestamp printed before it.

export interface BlockTime {
  readonly ms: number;
  readonly basis: TimeBasis;
  readonly zone?: string;
  /** Dated from the banner's date alone: the time of day is not known (no -t). */
  readonly dateOnly?: boolean;
  /** The report's sampling interval when known (from two -t stamps, or the configured interval). */
  readonly intervalMs?: number;
}

export interface IostatMemo {
  /** A banner was seen, so reports are counted from the start of an iostat run: report 0 holds averages since boot. */
  bannerSeen: boolean;
  host?: string;
  cpuCount?: number;
  /** The banner's date (the day the run started) and the day order its locale showed, if it did. */
  bannerDate?: CalendarDate;
  dayOrder?: DayOrder;
  /** Reports since the banner, counting from 0; -1 before the first. */
  report: number;
  /** The tables (avg-cpu, device layouts) the current report printed: a table printed again opens the next one. */
  tables: string[];
  /** The current report's time. */
  block?: BlockTime;
  layout?: ColumnLayout;
  cpuColumns?: readonly string[];
  /** The avg-cpu header was the last table header: the next all-number row holds its values. */
  awaitingCpuValues: boolean;
  /** For "Time: hh:mm:ss" stamps (no date): seconds of day of the last one, and days past the banner date. */
  lastClockS?: number;
  dayOffset: number;
  /** The sampling interval of the last pasted command line ("$ iostat -x 5"); kept across runs. */
  commandIntervalMs?: number;
  /** The last pasted command had -y: its runs print no report of averages since boot. */
  commandOmitsSinceBoot?: boolean;
  /** The interval the source's file name spells, looked up once (null: none). */
  pathIntervalMs?: number | null;
}

export function freshRun(previous: IostatMemo | undefined): IostatMemo {
  const memo: IostatMemo = { bannerSeen: false, report: -1, tables: [], awaitingCpuValues: false, dayOffset: 0 };
  if (previous?.commandIntervalMs !== undefined) memo.commandIntervalMs = previous.commandIntervalMs;
  if (previous?.commandOmitsSinceBoot) memo.commandOmitsSinceBoot = true;
  if (previous?.pathIntervalMs !== undefined) memo.pathIntervalMs = previous.pathIntervalMs;
  return memo;
}

export function iostatMemo(state: SourceState): IostatMemo {
  let memo = state.memo.iostat as IostatMemo | undefined;
  if (!memo) {
    memo = freshRun(undefined);
    state.memo.iostat = memo;
  }
  return memo;
}
