// Windows time values as event XML writes them. FILETIME: 100 ns intervals since 1601-01-01 UTC, rendered with
// nine fraction digits as wevtutil and libevtx's evtxexport write it (`2017-03-15T05:11:54.921875000Z`: the
// seven significant digits and two zeros), so nothing is rounded away; SYSTEMTIME: UTC fields with milliseconds.

/** 100 ns intervals between 1601-01-01 and 1970-01-01. */
const EPOCH_DIFF_100NS = 116_444_736_000_000_000n;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Epoch milliseconds of a FILETIME (fractions below 1 ms are cut, like parseUtcInstant does). */
export function filetimeToMs(filetime: bigint): number {
  return Number((filetime - EPOCH_DIFF_100NS) / 10_000n);
}

export function formatFiletime(filetime: bigint): string {
  const unix100ns = filetime - EPOCH_DIFF_100NS;
  let ms = unix100ns / 10_000n;
  let sub = unix100ns % 10_000n;
  if (sub < 0n) {
    sub += 10_000n;
    ms -= 1n;
  }
  const iso = new Date(Number(ms)).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 23)}${pad(Number(sub), 4)}00Z`;
}

/** SYSTEMTIME fields: year, month, day of week (ignored), day, hour, minute, second, milliseconds. */
export function formatSystemtime(fields: readonly number[]): string {
  const [year = 0, month = 0, , day = 0, hour = 0, minute = 0, second = 0, millis = 0] = fields;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${pad(millis, 3)}Z`;
}
