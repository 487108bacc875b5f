import { HangwatchError } from '../../../../shared/errors.js';
import { isoUtc, requireOffsetMinutes, utcMsFromParts } from '../../../../shared/time.js';

// Event XML `TimeCreated SystemTime` (`2017-03-15T05:13:20.109375000Z` from wevtutil, 7 fraction digits from
// Get-WinEvent's ToXml()) and Winlogbeat's `@timestamp` (ms or ns fractions). Built from the digits with
// Date.UTC (DESIGN.md section 6: no date-fns parse() per record); fractions beyond ms are cut, not rounded,
// so the same record arriving by XML and by Winlogbeat gets the same @timestamp.

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** UTC epoch ms of an ISO 8601 instant; a missing zone means UTC (SystemTime is always UTC). */
export function parseUtcInstant(text: string): number {
  const m = ISO_RE.exec(text.trim());
  if (!m) throw new HangwatchError('HW_TIME_INVALID', [`${JSON.stringify(text.slice(0, 64))} is not an ISO 8601 instant`]);
  const ms = Number((m[7] ?? '0').slice(0, 3).padEnd(3, '0'));
  const utc = utcMsFromParts(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
  const zone = m[8];
  if (zone === undefined || zone === 'Z') return utc;
  const digits = zone.slice(1).replace(':', '');
  return utc - requireOffsetMinutes(zone[0] as string, Number(digits.slice(0, 2)), Number(digits.slice(2, 4)), zone) * 60_000;
}

/**
 * The same instant as UTC text keeping the source's sub-millisecond digits (winlog.time_created): at most 7, since
 * Windows times are 100 ns ticks (wevtutil's 9-digit fractions end in `00`), so the same record read from wevtutil
 * XML, an EVTX file or Winlogbeat gives the same text. Undefined when the text is not an ISO 8601 instant.
 */
export function preciseUtcText(text: string): string | undefined {
  const m = ISO_RE.exec(text.trim());
  if (!m) return undefined;
  let ms: number;
  try {
    ms = parseUtcInstant(text);
  } catch (error) {
    if (error instanceof HangwatchError) return undefined;
    throw error;
  }
  // Zone offsets are whole minutes: seconds and fraction are the same in UTC.
  const fraction = (m[7] ?? '').slice(0, 7);
  const seconds = isoUtc(ms).slice(0, 19);
  return fraction === '' ? `${seconds}Z` : `${seconds}.${fraction}Z`;
}
