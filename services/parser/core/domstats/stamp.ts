import { localToUtcMs, parseZone, utcMsFromParts, UTC_ZONE, type Zone } from '../../../../shared/time.js';
import type { TimeBasis } from '../../../../shared/vocabulary.js';

// The time line before a sample: `date -Is` (2017-03-15T13:11:40+08:00), `date -Ins` (comma and nine digits),
// or the sampler's UTC line with milliseconds. Numbers are taken from the text and built with Date.UTC (DESIGN.md
// section 6). A stamp without an offset is local time of the host's zone.

const STAMP = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:[.,](\d+))?(Z|[+-]\d\d:?\d\d)?$/;

export function parseStamp(text: string, hostZone: Zone | undefined): { ms: number; basis: TimeBasis; zone?: string } {
  const m = STAMP.exec(text);
  if (!m) throw new Error(`not a stamp: ${text}`);
  const parts = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), Number((m[7] ?? '0').slice(0, 3).padEnd(3, '0'))] as const;
  const utc = utcMsFromParts(...parts);
  if (m[8]) {
    const zone = parseZone(m[8] === 'Z' ? '+00:00' : m[8].length === 5 ? `${m[8].slice(0, 3)}:${m[8].slice(3)}` : m[8]);
    return { ms: utc - (zone.kind === 'fixed' ? zone.offsetMinutes : 0) * 60_000, basis: 'explicit' };
  }
  const zone = hostZone ?? UTC_ZONE;
  return { ms: localToUtcMs(zone, ...parts), basis: 'zone', zone: zone.name };
}
