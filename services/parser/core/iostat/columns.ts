import { ParseFailure } from '../parse-failure.js';

// The device header names the columns, and their set and order changed across sysstat versions:
//   9.x   rrqm/s wrqm/s r/s w/s rsec/s wsec/s avgrq-sz avgqu-sz await svctm %util
//   10.x  rrqm/s wrqm/s r/s w/s rkB/s wkB/s avgrq-sz avgqu-sz await r_await w_await svctm %util
//   11.x/12.0-12.2  r/s w/s rkB/s wkB/s rrqm/s wrqm/s %rrqm %wrqm r_await w_await aqu-sz rareq-sz wareq-sz svctm %util
//   12.3+ r/s rkB/s rrqm/s %rrqm r_await rareq-sz w/s wkB/s ... d/s ... f/s f_await aqu-sz %util
// so a device line is read through the layout of the last header, by name, never by position.

export type IostatFields = {
  device: string;
  r_s?: number;
  w_s?: number;
  r_await_ms?: number;
  w_await_ms?: number;
  await_ms?: number;
  util_pct?: number;
};

type NumericField = Exclude<keyof IostatFields, 'device'>;

const FIELD_OF_COLUMN: Readonly<Record<string, NumericField>> = {
  'r/s': 'r_s',
  'w/s': 'w_s',
  r_await: 'r_await_ms',
  w_await: 'w_await_ms',
  await: 'await_ms',
  '%util': 'util_pct',
};

export interface ColumnLayout {
  readonly columns: readonly string[];
  readonly fields: ReadonlyArray<readonly [NumericField, number]>;
}

export function buildLayout(columns: readonly string[]): ColumnLayout {
  const fields: Array<readonly [NumericField, number]> = [];
  columns.forEach((name, i) => {
    const field = FIELD_OF_COLUMN[name];
    if (field) fields.push([field, i]);
  });
  return { columns, fields };
}

/** sysstat prints two decimals; the derived await keeps the same precision. */
function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export function readDeviceStats(layout: ColumnLayout, device: string, values: readonly number[]): IostatFields {
  if (values.length !== layout.columns.length) {
    throw new ParseFailure('HW_PARSE_NO_MATCH', 'iostat', `${device}: ${values.length} values under a header of ${layout.columns.length} columns`, [
      `${layout.columns.length} values`,
    ]);
  }
  const stats: IostatFields = { device };
  for (const [field, i] of layout.fields) stats[field] = values[i];
  // sysstat 11.x dropped the combined await column: weight r_await and w_await by the request rates, which is
  // what 10.x computed ((read ticks + write ticks) / (reads + writes)).
  if (stats.await_ms === undefined && stats.r_await_ms !== undefined && stats.w_await_ms !== undefined && stats.r_s !== undefined && stats.w_s !== undefined) {
    const ios = stats.r_s + stats.w_s;
    stats.await_ms = ios > 0 ? round2((stats.r_s * stats.r_await_ms + stats.w_s * stats.w_await_ms) / ios) : 0;
  }
  return stats;
}
