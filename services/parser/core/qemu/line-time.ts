import { requireOffsetMinutes, utcMsFromParts } from '../../../../shared/time.js';
import type { TimeBasis } from '../../../../shared/vocabulary.js';
import type { ParseContext, SourceState } from '../event-draft.js';
import { ParseFailure } from '../parse-failure.js';

// The time of a qemu domain log line: its own stamp, else the line before it.

export interface Timing {
  readonly ms: number;
  readonly basis: TimeBasis;
}

// qemu's -msg timestamp=on stamp (util/qemu-error.c: `%Y-%m-%dT%H:%M:%S.%06dZ`), also as some collectors and
// RHEL's qemu-kvm print it, with a blank for the `T` (`2019-06-04 05:33:22.280743Z qemu-kvm: ...`); the offset
// forms cover other writers. Always explicit: Z or an offset is in the record.
const ISO = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))? ?(Z|([+-])(\d\d):?(\d\d))/;

/** `2017-03-16 02:55:46.227+0000: ` (libvirt's virTimeStringNowRaw) or the ISO forms above. */
export function explicitTime(state: SourceState, grammar: string, stamp: { type: string; value: string }): Timing {
  const s = stamp.value;
  const n = (from: number, to: number) => Number(s.slice(from, to));
  let ms: number;
  if (stamp.type === 'libvirtStamp') {
    const offset = requireOffsetMinutes(s[23] as string, n(24, 26), n(26, 28), s.slice(23, 28));
    ms = utcMsFromParts(n(0, 4), n(5, 7), n(8, 10), n(11, 13), n(14, 16), n(17, 19), n(20, 23)) - offset * 60_000;
  } else {
    const m = ISO.exec(s);
    if (!m) throw new ParseFailure('HW_TIME_INVALID', grammar, s);
    const frac = Number((m[7] ?? '0').slice(0, 3).padEnd(3, '0'));
    const offset = m[8] === 'Z' ? 0 : requireOffsetMinutes(m[9] as string, Number(m[10]), Number(m[11]), m[8] as string);
    ms = utcMsFromParts(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), frac) - offset * 60_000;
  }
  state.lastTimestampMs = ms;
  return { ms, basis: 'explicit' };
}

/** A line without a time takes the previous line's (`inherited`), else the shipper's read time (`ingest`). */
export function implicitTime(ctx: ParseContext): Timing {
  const last = ctx.state.lastTimestampMs;
  return last === undefined ? { ms: ctx.createdMs, basis: 'ingest' } : { ms: last, basis: 'inherited' };
}
