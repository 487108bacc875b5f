import type { Token } from 'moo';
import rules from '../../../../grammars/generated/iostat.js';
import { iostatLexer } from '../../../../grammars/lexers/iostat.js';
import { runShapedGrammar } from '../../../../grammars/run-shaped-grammar.js';
import { isoUtc } from '../../../../shared/time.js';
import type { EventDraft, FormatParser, ParseContext } from '../event-draft.js';
import { ParseFailure } from '../parse-failure.js';
import { buildLayout, readCpuStats, readDeviceStats, readJsonCpuStats, readJsonDeviceStats, type ColumnLayout, type CpuFields, type IostatFields } from '../iostat/columns.js';
import { isJsonOutputLine, readJsonLine } from '../iostat/json-output.js';
import { freshRun, iostatMemo, type BlockTime, type IostatMemo } from '../iostat/iostat-memo.js';
import { readLocaleDate } from '../iostat/iostat-time.js';
import type { IostatLine } from '../iostat/line-shape.js';
import { currentBlock, enterStamp, enterTable, knownIntervalMs } from '../iostat/report-clock.js';
import { readIostatCommand } from '../iostat/sampling-interval.js';

// iostat output (any sysstat layout, with or without -t, text or -o JSON) into `linux.iostat` metric events, one
// line per record.
// Banner, timestamp, header and pasted-command lines only update the source's memo (they carry no event).
// Each device row is one `io-stats` event; each avg-cpu row one `host-cpu-pressure` event (the action the CPU
// contention diagnosis reads: %steal is the guest-side face of vCPU descheduling, %iowait the I/O side), in the
// same dataset, with host.cpu.{user,nice,system,iowait,steal,idle}_pct. Both at their report's time (see
// iostat/report-clock.ts). The first report after a banner holds averages since boot: flagged `since-boot` (unless
// the pasted command had -y).

type RowLine = Extract<IostatLine, { kind: 'row' }>;

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
function describeStats(s: IostatFields, layout?: ColumnLayout, items?: readonly Token[], first = 0): string {
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

function deviceDraft(stats: IostatFields, message: string, memo: IostatMemo, ctx: ParseContext, group: boolean): EventDraft {
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

function cpuDraft(cpu: CpuFields, memo: IostatMemo, ctx: ParseContext): EventDraft {
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

/** A new iostat run (banner, or the start of a JSON document): forget the previous run's layout and times. */
function startRun(ctx: ParseContext): IostatMemo {
  const memo = freshRun(ctx.state.memo.iostat as IostatMemo | undefined);
  memo.bannerSeen = true;
  ctx.state.memo.iostat = memo;
  return memo;
}

function setRunDate(memo: IostatMemo, text: string): void {
  const read = readLocaleDate(text, undefined);
  memo.bannerDate = read.date;
  if (read.learned) memo.dayOrder = read.learned;
}

function readBanner(line: Extract<IostatLine, { kind: 'banner' }>, ctx: ParseContext): void {
  // The run starts (and the previous one's layout and times are gone) also when its date is bad.
  const memo = startRun(ctx);
  let date: string | undefined;
  for (const t of line.items) {
    if (t.type === 'paren') {
      // The first parenthesis is the host name, the last "(32 CPU)".
      const inner = t.text.slice(1, -1);
      const cpus = /^(\d+) CPU$/.exec(inner);
      if (cpus) memo.cpuCount = Number(cpus[1]);
      else if (memo.host === undefined && inner !== '') memo.host = inner;
    } else if (t.type === 'date' && date === undefined) date = t.text;
  }
  if (date !== undefined) setRunDate(memo, date);
}

/** A line of `iostat -o JSON` output (see iostat/json-output.ts). */
function readJsonOutput(ctx: ParseContext): EventDraft[] {
  const line = readJsonLine(ctx.text);
  if (!line) throw notIostat(`not a line of iostat JSON output: ${JSON.stringify(ctx.text.trim().slice(0, 80))}`);
  if (line.kind === 'run') {
    startRun(ctx);
    return [];
  }
  const memo = iostatMemo(ctx.state);
  switch (line.kind) {
    case 'host':
      memo.host = line.name;
      return [];
    case 'cpus':
      memo.cpuCount = line.count;
      return [];
    case 'date':
      setRunDate(memo, line.text);
      return [];
    case 'timestamp': {
      // The same forms as the text stamps ("%x %X", ISO, -U seconds).
      const stamp = runShapedGrammar<IostatLine>('iostat', rules, iostatLexer, line.text);
      if (stamp.kind !== 'stamp' && stamp.kind !== 'iso' && stamp.kind !== 'epoch') throw notIostat(`not a timestamp: ${JSON.stringify(line.text)}`);
      enterStamp(stamp, memo, ctx);
      return [];
    }
    case 'avg-cpu':
      enterTable(memo, 'avg-cpu', ctx);
      return [cpuDraft(readJsonCpuStats(line.values), memo, ctx)];
    case 'disk-table':
      enterTable(memo, 'json disk', ctx);
      return [];
    case 'device': {
      const stats = readJsonDeviceStats(line.values);
      const group = String(line.values.disk_device).startsWith(' ');
      return [deviceDraft(stats, describeStats(stats), memo, ctx, group)];
    }
    case 'structure':
      return [];
  }
}

const notIostat = (what: string, expected: string[] = []): ParseFailure => new ParseFailure('HW_PARSE_NO_MATCH', 'iostat', what, expected);

/** A row of words and numbers: avg-cpu values, a device row (name first or last), a --pretty header, a command. */
function readRow(line: RowLine, memo: IostatMemo, ctx: ParseContext): EventDraft[] {
  const items = line.items;
  const n = items.length;
  let words = 0;
  for (let i = 0; i < n; i++) if ((items[i] as Token).type === 'word') words++;
  const first = items[0] as Token;
  const last = items[n - 1] as Token;
  if (words === 0) {
    if (!memo.awaitingCpuValues || !memo.cpuColumns) throw notIostat('numbers without a device name and no avg-cpu header before them', ['avgCpu']);
    memo.awaitingCpuValues = false;
    return [cpuDraft(readCpuStats(memo.cpuColumns, items), memo, ctx)];
  }
  if (words === 1 && n > 1 && (first.type === 'word' || last.type === 'word')) {
    const deviceLast = last.type === 'word';
    const name = deviceLast ? last.text : first.text;
    const layout = memo.layout;
    if (!layout) throw notIostat(`device line "${name}" before any Device header`, ['deviceHeader']);
    if (layout.deviceLast !== deviceLast) throw notIostat(`device line "${name}" does not fit the ${layout.deviceLast ? '--pretty ' : ''}layout of the last Device header`, ['deviceHeader']);
    memo.awaitingCpuValues = false;
    const at = deviceLast ? 0 : 1;
    const stats = readDeviceStats(layout, name, items, at, n - 1);
    // -g prints a group's total as " name" under its devices.
    return [deviceDraft(stats, describeStats(stats, layout, items, at), memo, ctx, line.indented && !deviceLast)];
  }
  if (words === n && (last.text === 'Device' || last.text === 'Device:')) {
    // --pretty / -h: "     r/s     rkB/s ... Device".
    const layout = buildLayout(
      items.slice(0, -1).map((t) => t.text),
      true,
    );
    memo.layout = layout;
    memo.awaitingCpuValues = false;
    enterTable(memo, layout.signature, ctx);
    return [];
  }
  const command = readIostatCommand(items.map((t) => t.text));
  if (command) {
    // A pasted command starts a new run; its interval dates the reports of the output below it.
    const fresh = freshRun(memo);
    if (command.intervalMs !== undefined) fresh.commandIntervalMs = command.intervalMs;
    else delete fresh.commandIntervalMs;
    if (command.omitsSinceBoot) fresh.commandOmitsSinceBoot = true;
    else delete fresh.commandOmitsSinceBoot;
    ctx.state.memo.iostat = fresh;
    return [];
  }
  throw notIostat(`not an iostat line (no banner, header, timestamp, avg-cpu or device row): ${JSON.stringify(line.items.map((t) => t.text).join(' ').slice(0, 80))}`);
}

export const iostatParser: FormatParser = {
  format: 'iostat',
  parse(ctx: ParseContext): EventDraft[] {
    if (ctx.text.trim() === '') return [];
    if (isJsonOutputLine(ctx.text)) return readJsonOutput(ctx);
    const line = runShapedGrammar<IostatLine>('iostat', rules, iostatLexer, ctx.text);
    if (line.kind === 'banner') {
      readBanner(line, ctx);
      return [];
    }
    const memo = iostatMemo(ctx.state);
    switch (line.kind) {
      case 'row':
        return readRow(line, memo, ctx);
      case 'header': {
        const columns = line.columns.map((t) => t.text);
        if (line.of === 'avg-cpu') {
          memo.cpuColumns = columns;
          enterTable(memo, 'avg-cpu', ctx);
          memo.awaitingCpuValues = true;
        } else {
          memo.layout = buildLayout(columns, false);
          memo.awaitingCpuValues = false;
          enterTable(memo, memo.layout.signature, ctx);
        }
        return [];
      }
      case 'stamp':
      case 'iso':
      case 'epoch':
        enterStamp(line, memo, ctx);
        return [];
    }
  },
};
