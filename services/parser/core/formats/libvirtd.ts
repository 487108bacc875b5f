import type { EventAction } from '../../../../shared/vocabulary.js';
import { HangwatchError } from '../../../../shared/errors.js';
import { isoUtc, utcMsFromParts } from '../../../../shared/time.js';
import rules from '../../../../grammars/generated/libvirtd.js';
import { runShapedGrammar } from '../../../../grammars/run-shaped-grammar.js';
import { lexer } from '../../../../grammars/lexers/libvirtd.js';
import type { EventDraft, FormatParser, ParseContext } from '../event-draft.js';
import { classifyLibvirtdMessage } from '../libvirtd/classify-message.js';
import { buildLibvirtdLine, type LibvirtdLine, type LineTokens } from '../libvirtd/line.js';
import { isoPrefixInstant, syslogClassicInstant, syslogHost } from '../syslog-time.js';

// libvirtd / virtqemud / virtlogd log lines into events (DESIGN.md section 4): grammar for the line,
// a rule table for the message, instants built from the stamp's characters with Date.UTC.

const ERROR_ACTIONS: ReadonlySet<EventAction> = new Set(['monitor-eof', 'monitor-error', 'migration-failed', 'log-open-busy', 'kvm-internal-error', 'guest-panic']);

function stampToMs(stamp: string): number {
  // "2017-03-15 06:03:48.180+0000: "
  const c = (i: number, n: number): number => Number.parseInt(stamp.slice(i, i + n), 10);
  const offset = (stamp[23] === '-' ? -1 : 1) * (c(24, 2) * 60 + c(26, 2));
  return utcMsFromParts(c(0, 4), c(5, 2), c(8, 2), c(11, 2), c(14, 2), c(17, 2), c(20, 3)) - offset * 60_000;
}

function clockToMs(clock: string, dayMs: number): number {
  const day = Math.floor(dayMs / 86_400_000) * 86_400_000;
  return day + ((Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5))) * 60 + Number(clock.slice(6, 8))) * 1000 + Number(clock.slice(9, 12));
}

function parseLine(text: string): LibvirtdLine {
  const placed = runShapedGrammar<LineTokens>('libvirtd', rules, lexer, text);
  return buildLibvirtdLine(placed.syslog ?? null, placed);
}

function resolveTime(line: LibvirtdLine, ctx: ParseContext): { ms: number; basis: EventDraft['hangwatch']['time']['basis']; zone?: string } {
  if (line.stamp && line.stamp.length > 20) return { ms: stampToMs(line.stamp), basis: 'explicit' };
  if (line.stamp) {
    const base = ctx.state.lastTimestampMs ?? ctx.year.ms;
    return { ms: clockToMs(line.stamp, base), basis: 'inherited' };
  }
  if (line.syslog) {
    const instant = /^\d{4}-/.test(line.syslog) ? isoPrefixInstant(line.syslog) : syslogClassicInstant(line.syslog, ctx.year.ms, ctx.options.hostZone);
    if (instant) return { ms: instant.ms, basis: instant.basis, ...(instant.zone ? { zone: instant.zone } : {}) };
  }
  if (ctx.state.lastTimestampMs !== undefined) return { ms: ctx.state.lastTimestampMs, basis: 'inherited' };
  return { ms: ctx.createdMs, basis: 'ingest' };
}

/**
 * A journald entry of libvirtd (issue 14): MESSAGE has no stamp, thread or level (journald keeps the time apart,
 * RawRecord.time); libvirt's journald output names the function in CODE_FUNC/CODE_LINE, which the shipper puts
 * before the message in libvirt's own `fn:line : message` form.
 */
function journalLine(text: string): LibvirtdLine {
  const m = /^(\w+):(\d+) : /.exec(text);
  return m ? { fn: m[1] as string, fnLine: Number(m[2]), message: text.slice(m[0].length) } : { message: text };
}

export const libvirtdParser: FormatParser = {
  format: 'libvirtd',
  parse(ctx: ParseContext): EventDraft[] {
    if (ctx.text.trim() === '') return [];
    const journal = ctx.record.time !== undefined && !/^\d{4}-\d\d-\d\d[ T]|^\w{3} [ \d]\d /.test(ctx.text);
    const line = journal ? journalLine(ctx.text) : parseLine(ctx.text);
    if (!journal && !line.stamp && !line.level && !line.syslog) throw new HangwatchError('HW_PARSE_NO_MATCH', ['not a libvirtd line']);
    const time = journal ? { ms: Date.parse(ctx.record.time as string), basis: 'explicit' as const } : resolveTime(line, ctx);
    if (!Number.isFinite(time.ms)) throw new HangwatchError('HW_TIME_INVALID', [line.stamp ?? line.syslog ?? '']);
    ctx.state.lastTimestampMs = time.ms;
    const facts = classifyLibvirtdMessage(line.fn, line.message);
    const isError = line.level === 'error' || ERROR_ACTIONS.has(facts.action);
    const draft: EventDraft = {
      '@timestamp': isoUtc(time.ms),
      event: {
        dataset: 'libvirt.daemon',
        kind: 'event',
        category: facts.action.startsWith('vm-') || facts.action === 'guest-panic' ? ['host', 'process'] : ['host'],
        type: [isError ? 'error' : facts.action === 'vm-start' || facts.action === 'daemon-start' ? 'start' : 'info'],
        action: facts.action,
      },
      message: line.message,
      hangwatch: { time: { basis: time.basis, ...(time.zone ? { zone: time.zone } : {}) }, parse: { grammar: 'libvirtd' } },
    };
    const log: NonNullable<EventDraft['log']> = {};
    if (line.level) log.level = line.level;
    if (line.fn) log.origin = { function: line.fn, ...(line.fnLine !== undefined ? { file: { line: line.fnLine } } : {}) };
    draft.log = log;
    const proc: NonNullable<EventDraft['process']> = {};
    if (line.thread !== undefined) proc.thread = { id: line.thread };
    if (line.syslog) {
      const pid = /\[(\d+)\]: $/.exec(line.syslog);
      const name = /\s([\w-]+)\[\d+\]: $/.exec(line.syslog);
      if (pid?.[1]) proc.pid = Number(pid[1]);
      if (name?.[1]) proc.name = name[1];
    }
    if (Object.keys(proc).length > 0) draft.process = proc;
    const hostName = facts.hostName ?? (line.syslog ? syslogHost(line.syslog) : undefined);
    if (hostName) draft.host = { name: hostName };
    if (facts.domainName || facts.domainUuid || facts.libvirtVersion) {
      draft.libvirt = {};
      if (facts.domainName || facts.domainUuid) {
        draft.libvirt.domain = { ...(facts.domainName ? { name: facts.domainName } : {}), ...(facts.domainUuid ? { uuid: facts.domainUuid } : {}) };
        draft.hangwatch.attribution = 'record';
      }
      if (facts.libvirtVersion) draft.libvirt.version = facts.libvirtVersion;
    }
    if (facts.shutdownReason) draft.qemu = { shutdown: { reason: facts.shutdownReason } };
    if (facts.bugcheck) draft.windows = { bugcheck: facts.bugcheck };
    return [draft];
  },
};
