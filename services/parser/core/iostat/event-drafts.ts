import type { Token } from 'moo';
import { isoUtc } from '../../../../shared/time.js';
import type { EventDraft, ParseContext } from '../event-draft.js';
import type { ColumnLayout, CpuFields, IostatFields } from './columns.js';
import type { BlockTime, IostatMemo } from './iostat-memo.js';
import { currentBlock, knownIntervalMs } from './report-clock.js';

// The events of iostat rows: a device row is one `io-stats` event (linux.iostat.*), an avg-cpu row one
// `host-cpu-pressure` event (host.cpu.*), both in dataset linux.iostat at their report's time.

function timeFields(time: BlockTime): EventDraft['hangwatch']['time'] {
  return time.zone !== undefined ? { basis: time.basis, zone: time.zone } : { basis: time.basis };
}

function flagsOf(memo: IostatMemo, time: BlockTime, extra?: string): string[] | undefined {
  const flags: string[] = [];
  if (memo.bannerSeen && memo.report === 0 && !memo.commandOmitsSinceBoot) flags.push('since-boot');
  if (time.dateOnly) flags.push('time-of-day-unknown');
  if (extra) flags.push(extra);
  return flags.length > 0 ? flags : undefined;
}

/** "sda: r/s=1.57 w/s=0.59 await=121.04ms util=0.45%": the figures the row has (a --pretty table has a part). */
export function describeStats(s: IostatFields, layout?: ColumnLayout, items?: readonly Token[], first = 0): string {
  const parts: string[] = [];
  if (s.r_s !== undefined) parts.push(`r/s=${s.r_s}`);
  if (s.w_s !== undefined) parts.push(`w/s=${s.w_s}`);
  if (s.r_s === undefined && s.w_s === undefined && s.tps !== undefined) parts.push(`tps=${s.tps}`);
  if (s.await_ms !== undefined) parts.push(`await=${s.await_ms}ms`);
  else {
    if (s.r_await_ms !== undefined) parts.push(`r_await=${s.r_await_ms}ms`);
    if (s.w_await_ms !== undefined) parts.push(`w_await=${s.w_await_ms}ms`);
  }
  if (s.util_pct !== undefined) parts.push(`util=${s.util_pct}%`);
  if (s.r_s === undefined && s.w_s === undefined && (s.r_kb_s !== undefined || s.w_kb_s !== undefined)) {
    if (s.r_kb_s !== undefined) parts.push(`read=${s.r_kb_s}kB/s`);
    if (s.w_kb_s !== undefined) parts.push(`write=${s.w_kb_s}kB/s`);
  }
  if (s.aqu_sz !== undefined && parts.length <= 1) parts.push(`aqu-sz=${s.aqu_sz}`);
  // A table none of whose columns we keep (--pretty's discard table): say what it printed.
  if (parts.length === 0 && layout && items) layout.columns.forEach((c, i) => parts.push(`${c}=${(items[first + i] as Token).text}`));
  return `${s.device}: ${parts.join(' ')}`;
}

export function deviceDraft(stats: IostatFields, message: string, memo: IostatMemo, ctx: ParseContext, group: boolean): EventDraft {
  const time = currentBlock(memo, ctx);
  const flags = flagsOf(memo, time, group ? 'device-group' : undefined);
  return {
    '@timestamp': isoUtc(time.ms),
    event: { dataset: 'linux.iostat', kind: 'metric', category: ['host'], type: ['info'], action: 'io-stats' },
    message,
    host: { name: memo.host ?? ctx.record.host },
    linux: { iostat: stats },
    hangwatch: { time: timeFields(time), parse: flags ? { grammar: 'iostat', flags } : { grammar: 'iostat' } },
  };
}

const CPU_LABELS: ReadonlyArray<readonly [keyof CpuFields, string]> = [
  ['user_pct', 'user'],
  ['nice_pct', 'nice'],
  ['system_pct', 'system'],
  ['iowait_pct', 'iowait'],
  ['steal_pct', 'steal'],
  ['idle_pct', 'idle'],
];

export function cpuDraft(cpu: CpuFields, memo: IostatMemo, ctx: ParseContext): EventDraft {
  const time = currentBlock(memo, ctx);
  const flags = flagsOf(memo, time);
  // ECS host.cpu.usage (0..1): the time neither idle nor waiting for I/O, as Metricbeat's total.
  const busy = cpu.idle_pct === undefined ? undefined : Math.min(1, Math.max(0, Math.round((100 - cpu.idle_pct - (cpu.iowait_pct ?? 0)) * 100) / 10000));
  const intervalMs = memo.report > 0 ? (time.intervalMs ?? knownIntervalMs(memo, ctx)) : undefined;
  const figures = CPU_LABELS.filter(([k]) => cpu[k] !== undefined).map(([k, label]) => `${label} ${cpu[k]}%`);
  return {
    '@timestamp': isoUtc(time.ms),
    event: { dataset: 'linux.iostat', kind: 'metric', category: ['host'], type: ['info'], action: 'host-cpu-pressure' },
    message: `avg-cpu: ${figures.join(', ')}`,
    host: {
      name: memo.host ?? ctx.record.host,
      cpu: {
        ...cpu,
        ...(busy !== undefined ? { usage: busy } : {}),
        ...(memo.cpuCount !== undefined ? { count: memo.cpuCount } : {}),
        ...(intervalMs !== undefined ? { interval_ms: intervalMs } : {}),
      },
    },
    hangwatch: { time: timeFields(time), parse: flags ? { grammar: 'iostat', flags } : { grammar: 'iostat' } },
  };
}
