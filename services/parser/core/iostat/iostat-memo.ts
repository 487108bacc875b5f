import type { TimeBasis } from '../../../../shared/vocabulary.js';
import type { SourceState } from '../event-draft.js';
import type { ColumnLayout } from './columns.js';

// What the iostat parser carries between the lines of one source: records arrive one line at a time, and a
// device line only means something under the header and timestamp printed before it.

export interface BlockTime {
  readonly ms: number;
  readonly basis: TimeBasis;
  readonly zone?: string;
}

export interface IostatMemo {
  layout?: ColumnLayout;
  block?: BlockTime;
  /** A banner was seen, so reports are counted from the start of an iostat run. */
  bannerSeen: boolean;
  /** Device headers since the banner: report 1 holds the averages since boot. */
  reports: number;
  host?: string;
  bannerDate?: { readonly year: number; readonly month: number; readonly day: number };
  /** For "Time: hh:mm:ss" stamps (no date): seconds of day of the last one, and days past the banner date. */
  lastClockS?: number;
  dayOffset: number;
}

export function iostatMemo(state: SourceState): IostatMemo {
  let memo = state.memo.iostat as IostatMemo | undefined;
  if (!memo) {
    memo = { bannerSeen: false, reports: 0, dayOffset: 0 };
    state.memo.iostat = memo;
  }
  return memo;
}
