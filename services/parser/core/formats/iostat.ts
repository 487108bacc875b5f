import rules from '../../../../grammars/generated/iostat.js';
import { runGrammar } from '../../../../grammars/run-grammar.js';
import { isoUtc, UTC_ZONE } from '../../../../shared/time.js';
import type { EventDraft, FormatParser, ParseContext } from '../event-draft.js';
import { ParseFailure } from '../parse-failure.js';
import { buildLayout, readDeviceStats, type IostatFields } from '../iostat/columns.js';
import { iostatMemo, type BlockTime, type IostatMemo } from '../iostat/iostat-memo.js';
import { clockSeconds, isoBlockMs, localDateTimeMs, parseCalendarDate } from '../iostat/iostat-time.js';
import type { IostatLine } from '../iostat/line-shape.js';

// `iostat -x [-t] [-m]` output into `linux.iostat` metric events, one line per record. Banner, timestamp and
// header lines only update the source's memo (they carry no event); each device line is one `io-stats` event
// at its report's time. The first report after a banner holds averages since boot: flagged `since-boot`.

type StampLine = Extract<IostatLine, { kind: 'stamp' }>;

function blockTime(line: StampLine, memo: IostatMemo, ctx: ParseContext): BlockTime {
  const zone = ctx.options.hostZone ?? UTC_ZONE;
  const zoned = (ms: number): BlockTime => ({ ms, basis: 'zone', zone: zone.name });
  if (line.iso !== undefined) {
    const { ms, explicit } = isoBlockMs(line.iso, zone);
    return explicit ? { ms, basis: 'explicit' } : zoned(ms);
  }
  const seconds = clockSeconds(line.clock ?? '', line.meridiem);
  if (line.date !== undefined) return zoned(localDateTimeMs(parseCalendarDate(line.date), seconds, zone));
  // "Time: hh:mm:ss" (sysstat < 10): the banner's date, a day later each time the clock goes backwards.
  if (!memo.bannerDate) throw new ParseFailure('HW_PARSE_NO_MATCH', 'iostat', 'a time without a date before any banner', ['bannerOs']);
  if (memo.lastClockS !== undefined && seconds < memo.lastClockS) memo.dayOffset++;
  memo.lastClockS = seconds;
  return zoned(localDateTimeMs(memo.bannerDate, seconds, zone, memo.dayOffset));
}

function describeStats(s: IostatFields): string {
  const parts = [`r/s=${s.r_s ?? '?'}`, `w/s=${s.w_s ?? '?'}`];
  if (s.await_ms !== undefined) parts.push(`await=${s.await_ms}ms`);
  if (s.util_pct !== undefined) parts.push(`util=${s.util_pct}%`);
  return `${s.device}: ${parts.join(' ')}`;
}

function buildDeviceDraft(stats: IostatFields, memo: IostatMemo, ctx: ParseContext): EventDraft {
  const time: BlockTime = memo.block ?? { ms: ctx.createdMs, basis: 'ingest' };
  const sinceBoot = memo.bannerSeen && memo.reports === 1;
  return {
    '@timestamp': isoUtc(time.ms),
    event: { dataset: 'linux.iostat', kind: 'metric', category: ['host'], type: ['info'], action: 'io-stats' },
    message: describeStats(stats),
    host: { name: memo.host ?? ctx.record.host },
    linux: { iostat: stats },
    hangwatch: {
      time: { basis: time.basis, ...(time.zone !== undefined ? { zone: time.zone } : {}) },
      parse: { grammar: 'iostat', ...(sinceBoot ? { flags: ['since-boot'] } : {}) },
    },
  };
}

export const iostatParser: FormatParser = {
  format: 'iostat',
  parse(ctx: ParseContext): EventDraft[] {
    if (ctx.text.trim() === '') return [];
    const line = runGrammar<IostatLine>('iostat', rules, ctx.text);
    const memo = iostatMemo(ctx.state);
    switch (line.kind) {
      case 'banner': {
        // A new iostat run: forget the previous run's layout and times (also when its date is bad).
        const fresh: IostatMemo = { bannerSeen: true, reports: 0, dayOffset: 0, ...(line.host !== undefined ? { host: line.host } : {}) };
        ctx.state.memo.iostat = fresh;
        if (line.date !== undefined) fresh.bannerDate = parseCalendarDate(line.date);
        return [];
      }
      case 'header':
        memo.layout = buildLayout(line.columns);
        memo.reports++;
        return [];
      case 'stamp':
        // A bad stamp must not leave the previous report's time on the devices that follow.
        delete memo.block;
        memo.block = blockTime(line, memo, ctx);
        ctx.state.lastTimestampMs = memo.block.ms;
        return [];
      case 'cpu':
        return [];
      case 'device': {
        if (!memo.layout) throw new ParseFailure('HW_PARSE_NO_MATCH', 'iostat', `device line "${line.device}" before any Device header`, ['deviceHeader']);
        return [buildDeviceDraft(readDeviceStats(memo.layout, line.device, line.values), memo, ctx)];
      }
    }
  },
};
