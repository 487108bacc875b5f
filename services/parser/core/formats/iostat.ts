import type { Token } from 'moo';
import rules from '../../../../grammars/generated/iostat.js';
import { iostatLexer } from '../../../../grammars/lexers/iostat.js';
import { runShapedGrammar } from '../../../../grammars/run-shaped-grammar.js';
import type { EventDraft, FormatParser, ParseContext } from '../event-draft.js';
import { ParseFailure } from '../parse-failure.js';
import { buildLayout, readCpuStats, readDeviceStats, readJsonCpuStats, readJsonDeviceStats } from '../iostat/columns.js';
import { cpuDraft, describeStats, deviceDraft } from '../iostat/event-drafts.js';
import { isJsonOutputLine, readJsonLine } from '../iostat/json-output.js';
import { freshRun, iostatMemo, type IostatMemo } from '../iostat/iostat-memo.js';
import { readLocaleDate } from '../iostat/iostat-time.js';
import type { IostatLine } from '../iostat/line-shape.js';
import { enterStamp, enterTable } from '../iostat/report-clock.js';
import { readIostatCommand } from '../iostat/sampling-interval.js';

// iostat output (any sysstat layout, with or without -t, text or -o JSON) into `linux.iostat` metric events, one
// line per record.
// Banner, timestamp, header and pasted-command lines only update the source's memo (they carry no event).
// Each device row is one `io-stats` event; each avg-cpu row one `host-cpu-pressure` event (the action the CPU
// contention diagnosis reads: %steal is the guest-side face of vCPU descheduling, %iowait the I/O side), in the
// same dataset, with host.cpu.{user,nice,system,iowait,steal,idle}_pct. Both at their report's time (see
// iostat/report-clock.ts). The first report after a banner holds averages since boot: flagged `since-boot` (unless
// the pasted command had -y).
// Lines go through runShapedGrammar (nearley once per token-type shape, a device table is one shape). Measured on
// 100k lines, one process, before/after: t2y-sample_iostat_11.7.3 repeated ~23 -> ~7 us per line, the 22-column
// sysstat -x -p ALL table ~105 -> ~12 us per line (nearley per line cost ~4 us per column).

type RowLine = Extract<IostatLine, { kind: 'row' }>;

const ESC = '\u001b';
const NBSP = '\u00a0';

/**
 * The line as iostat wrote it: without the SGR colour codes of S_COLORS=always (or a `script` capture of a
 * terminal), with the no-break spaces a web page turns blanks into back to blanks. Two scans of a line that has
 * neither (the usual case), no copy.
 */
function plainText(text: string): string {
  let out = text;
  if (out.includes(ESC)) out = out.replace(/\u001b\[[0-9;]*m/g, '');
  if (out.includes(NBSP)) out = out.replaceAll(NBSP, ' ');
  return out;
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
    const line = runShapedGrammar<IostatLine>('iostat', rules, iostatLexer, plainText(ctx.text));
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
