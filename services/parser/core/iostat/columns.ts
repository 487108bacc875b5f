import type { Token } from 'moo';
import { ParseFailure } from '../parse-failure.js';

// The device header names the columns, and their set and order changed across sysstat versions and options:
//   5.x-9.x  -x   rrqm/s wrqm/s r/s w/s rsec/s wsec/s [rkB/s wkB/s] avgrq-sz avgqu-sz await svctm %util
//   10.x     -x   rrqm/s wrqm/s r/s w/s rkB/s wkB/s avgrq-sz avgqu-sz await r_await w_await svctm %util
//   11.x/12.0-12.2 -x  r/s w/s rkB/s wkB/s rrqm/s wrqm/s %rrqm %wrqm r_await w_await aqu-sz rareq-sz wareq-sz svctm %util
//   12.3+    -x   r/s rkB/s rrqm/s %rrqm r_await rareq-sz w/s wkB/s ... d/s ... f/s f_await aqu-sz %util
//            (-x -r / a --dec run that kept only the read group; --pretty splits the groups into four tables)
//   12.x     -xs  tps kB/s rqm/s await areq-sz aqu-sz %util
//   any      -d   tps kB_read/s kB_wrtn/s [kB_dscd/s] kB_read kB_wrtn [kB_dscd] | Blk_read/s ... | MB_read/s ...
//   12.x     -s   tps kB_read/s kB_w+d/s kB_read kB_w+d
// so a device row is read through the layout of the last header, by name, never by position. With --pretty (and
// -h) the device name is the LAST column ("   r/s ... Device"). -m prints MB, old -x sectors, -h a unit per value.

export type IostatFields = {
  device: string;
  r_s?: number;
  w_s?: number;
  r_await_ms?: number;
  w_await_ms?: number;
  await_ms?: number;
  util_pct?: number;
  tps?: number;
  r_kb_s?: number;
  w_kb_s?: number;
  aqu_sz?: number;
};

type NumericField = Exclude<keyof IostatFields, 'device'>;

/** Column -> field and the factor to the field's unit (kB for throughput: MB x1024, 512-byte sectors x0.5). */
const FIELD_OF_COLUMN: Readonly<Record<string, readonly [NumericField, number]>> = {
  'r/s': ['r_s', 1],
  'w/s': ['w_s', 1],
  tps: ['tps', 1],
  r_await: ['r_await_ms', 1],
  w_await: ['w_await_ms', 1],
  await: ['await_ms', 1],
  '%util': ['util_pct', 1],
  'avgqu-sz': ['aqu_sz', 1],
  'aqu-sz': ['aqu_sz', 1],
  'rkB/s': ['r_kb_s', 1],
  'wkB/s': ['w_kb_s', 1],
  'kB_read/s': ['r_kb_s', 1],
  'kB_wrtn/s': ['w_kb_s', 1],
  'rMB/s': ['r_kb_s', 1024],
  'wMB/s': ['w_kb_s', 1024],
  'MB_read/s': ['r_kb_s', 1024],
  'MB_wrtn/s': ['w_kb_s', 1024],
  'GB_read/s': ['r_kb_s', 1024 * 1024],
  'GB_wrtn/s': ['w_kb_s', 1024 * 1024],
  'rsec/s': ['r_kb_s', 0.5],
  'wsec/s': ['w_kb_s', 0.5],
  'Blk_read/s': ['r_kb_s', 0.5],
  'Blk_wrtn/s': ['w_kb_s', 0.5],
};

/** The fields whose values are sizes: a --human unit suffix is their unit (k = kB, M = MB, ...). */
const SIZE_FIELDS: ReadonlySet<NumericField> = new Set(['r_kb_s', 'w_kb_s']);

export interface ColumnLayout {
  readonly columns: readonly string[];
  /** --pretty / -h: the device name follows the numbers. */
  readonly deviceLast: boolean;
  readonly fields: ReadonlyArray<readonly [NumericField, number, number]>;
  /** Names the table within a report: a report holds each table once (--pretty -x prints four). */
  readonly signature: string;
}

export function buildLayout(columns: readonly string[], deviceLast: boolean): ColumnLayout {
  const fields: Array<readonly [NumericField, number, number]> = [];
  columns.forEach((name, i) => {
    const field = FIELD_OF_COLUMN[name];
    if (field) fields.push([field[0], i, field[1]]);
  });
  return { columns, deviceLast, fields, signature: `${deviceLast ? 'pretty ' : ''}${columns.join(' ')}` };
}

/** sysstat prints two decimals; derived values keep the same precision. */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

const UNIT_KB: Readonly<Record<string, number>> = { k: 1, M: 1024, G: 1024 ** 2, T: 1024 ** 3, P: 1024 ** 4, E: 1024 ** 5 };

/**
 * A value as iostat prints it: "0.02", "0,02" (decimal comma locales), "222.1k" / "1.5%" (--human). `sizeKb`:
 * the field is a size, and a unit letter gives its size in kB (sysstat's -h prints kB with k, MB with M...).
 */
export function readValue(text: string, sizeKb = false): number {
  const last = text.charCodeAt(text.length - 1);
  let body = text;
  let factor = 1;
  if (last > 57 || last < 48) {
    body = text.slice(0, -1);
    const unit = UNIT_KB[text[text.length - 1] as string];
    if (sizeKb && unit !== undefined) factor = unit;
  }
  if (body.includes(',')) body = body.replace(',', '.');
  return Number(body) * factor;
}

/** A device row's values are `values[first]` .. `values[first + count - 1]` (the name before or after them). */
export function readDeviceStats(layout: ColumnLayout, device: string, values: readonly Token[], first: number, count: number): IostatFields {
  if (count !== layout.columns.length) {
    throw new ParseFailure('HW_PARSE_NO_MATCH', 'iostat', `${device}: ${count} values under a header of ${layout.columns.length} columns`, [
      `${layout.columns.length} values`,
    ]);
  }
  const stats: IostatFields = { device };
  for (const [field, i, factor] of layout.fields) {
    const text = (values[first + i] as Token).text;
    const size = SIZE_FIELDS.has(field);
    const value = readValue(text, size);
    // A --human size already carries its unit; otherwise the column's unit (MB, sectors) converts to kB.
    const unit = text.charCodeAt(text.length - 1) > 57;
    stats[field] = size && unit ? round2(value) : factor === 1 ? value : round2(value * factor);
  }
  return withCombinedAwait(stats);
}

/** A -o JSON device object: the text columns' names as keys ("util" for %util), JSON numbers. */
export function readJsonDeviceStats(values: Readonly<Record<string, unknown>>): IostatFields {
  const name = String(values.disk_device);
  const stats: IostatFields = { device: name.trim() };
  for (const key of Object.keys(values)) {
    const field = FIELD_OF_COLUMN[key === 'util' ? '%util' : key];
    const value = values[key];
    if (field && typeof value === 'number') stats[field[0]] = field[1] === 1 ? value : round2(value * field[1]);
  }
  return withCombinedAwait(stats);
}

/**
 * sysstat 11.x dropped the combined await column: weight r_await and w_await by the request rates, which is
 * what 10.x computed ((read ticks + write ticks) / (reads + writes)).
 */
function withCombinedAwait(stats: IostatFields): IostatFields {
  if (stats.await_ms === undefined && stats.r_await_ms !== undefined && stats.w_await_ms !== undefined && stats.r_s !== undefined && stats.w_s !== undefined) {
    const ios = stats.r_s + stats.w_s;
    stats.await_ms = ios > 0 ? round2((stats.r_s * stats.r_await_ms + stats.w_s * stats.w_await_ms) / ios) : 0;
  }
  return stats;
}

// avg-cpu: "%user %nice %system %iowait %steal %idle" (sysstat >= 5.1; older "%sys" and no "%steal").

export type CpuFields = {
  user_pct?: number;
  nice_pct?: number;
  system_pct?: number;
  iowait_pct?: number;
  steal_pct?: number;
  idle_pct?: number;
};

const CPU_FIELD_OF_COLUMN: Readonly<Record<string, keyof CpuFields>> = {
  '%user': 'user_pct',
  '%nice': 'nice_pct',
  '%system': 'system_pct',
  '%sys': 'system_pct',
  '%iowait': 'iowait_pct',
  '%steal': 'steal_pct',
  '%idle': 'idle_pct',
};

export function readCpuStats(columns: readonly string[], values: readonly Token[]): CpuFields {
  if (values.length !== columns.length) {
    throw new ParseFailure('HW_PARSE_NO_MATCH', 'iostat', `avg-cpu: ${values.length} values under a header of ${columns.length} columns`, [`${columns.length} values`]);
  }
  const cpu: CpuFields = {};
  columns.forEach((name, i) => {
    const field = CPU_FIELD_OF_COLUMN[name];
    if (field) cpu[field] = readValue((values[i] as Token).text);
  });
  return cpu;
}

/** A -o JSON avg-cpu object: {"user": 1.49, "nice": ..., "system", "iowait", "steal", "idle"}. */
export function readJsonCpuStats(values: Readonly<Record<string, unknown>>): CpuFields {
  const cpu: CpuFields = {};
  for (const key of Object.keys(values)) {
    const field = CPU_FIELD_OF_COLUMN[`%${key}`];
    const value = values[key];
    if (field && typeof value === 'number') cpu[field] = value;
  }
  return cpu;
}
