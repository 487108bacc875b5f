import { localToUtcMs, type Zone } from '../../../../shared/time.js';

// localToUtcMs of an IANA zone asks Intl for the offset two or three times (~5-7 us a call, measured in
// bench/kernel-grammar.ts), on every line. Log lines come in bursts within the same local hour, and zone
// offsets change on hour boundaries, so the UTC delta of the last local hour is remembered (one entry: no
// growth). In the hour a clock change repeats or skips, every minute takes localToUtcMs's choice for the
// hour's start (the earlier instant / the offset before the gap), as localToUtcMs itself does; zones whose
// offset changes off the hour (historic, Lord Howe's :30) fall back to the exact computation.

let last: { zone: Zone; hourUtc: number; deltaMs: number } | undefined;

export function cachedLocalToUtcMs(zone: Zone, year: number, month: number, day: number, hour: number, minute: number, second: number, ms = 0): number {
  if (zone.kind === 'fixed') return localToUtcMs(zone, year, month, day, hour, minute, second, ms);
  const hourUtc = Date.UTC(year, month - 1, day, hour);
  const offset = (minute * 60 + second) * 1000 + ms;
  if (last && last.zone === zone && last.hourUtc === hourUtc) return hourUtc + last.deltaMs + offset;
  const start = localToUtcMs(zone, year, month, day, hour, 0, 0);
  const end = localToUtcMs(zone, year, month, day, hour, 59, 59);
  // Same delta at both ends of the hour: no change inside it, cache; otherwise compute exactly, no cache.
  if (end - start !== 3_599_000) return localToUtcMs(zone, year, month, day, hour, minute, second, ms);
  last = { zone, hourUtc, deltaMs: start - hourUtc };
  return start + offset;
}
