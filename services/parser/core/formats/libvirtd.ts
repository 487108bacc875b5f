import type { EventAction } from '../../../../shared/vocabulary.js';
import { formatOffset, isoUtc, localToUtcMs, requireOffsetMinutes, utcMsFromParts, UTC_ZONE, type Zone } from '../../../../shared/time.js';
import rules from '../../../../grammars/generated/libvirtd.js';
import { runShapedGrammar } from '../../../../grammars/run-shaped-grammar.js';
import { lexer } from '../../../../grammars/lexers/libvirtd.js';
import type { EventDraft, FormatParser, ParseContext } from '../event-draft.js';
import { classifyLibvirtdMessage, type MessageFacts } from '../libvirtd/classify-message.js';
import { attributeStateLock, noteJobLock, type JobLockAttribution } from '../libvirtd/job-lock.js';
import { readJournalText } from '../libvirtd/journal-text.js';
import { readJournalJson, type JournalJsonEntry } from '../libvirtd/journal-json.js';
import { parseJsonObject, readLauncherJson } from '../libvirtd/kubevirt-json.js';
import { buildLibvirtdLine, type LibvirtdLine, type LineTokens } from '../libvirtd/line.js';
import { mayHaveMarkdownDebris, stripMarkdownDebris } from '../libvirtd/markdown-debris.js';
import { memoOf, type LastRecord, type LibvirtdMemo } from '../libvirtd/memo.js';
import { readSyslogPrefix, type PrefixTime, type SyslogPrefix } from '../libvirtd/syslog-prefix.js';
import { classifySystemdMessage } from '../libvirtd/systemd-unit.js';
import { ParseFailure } from '../parse-failure.js';
import { isoPrefixInstant, syslogYear } from '../syslog-time.js';

// libvirtd and the modular daemons (virtqemud, virtproxyd, virtlogd, virtnetworkd, virtstoraged, ...) into events
// (DESIGN.md section 4), the way hosts write them: libvirt's own log file; the same lines, or libvirt's syslog and
// journald forms, behind a syslog or journalctl prefix; systemd's lines about the daemons' units in
// `journalctl -u` / `systemctl status` text; `journalctl -o json` exports; KubeVirt virt-launcher's JSON. A
// grammar for libvirt's own line, typed readers for the wrappers, a rule table for the message, instants built
// with Date.UTC.

const GRAMMAR = 'libvirtd';
const ERROR_ACTIONS: ReadonlySet<EventAction> = new Set(['monitor-eof', 'monitor-error', 'migration-failed', 'log-open-busy', 'kvm-internal-error', 'guest-panic', 'job-lock', 'daemon-crash']);
const START_ACTIONS: ReadonlySet<EventAction> = new Set(['vm-start', 'daemon-start']);
const SYSTEMD_PROGRAMS: ReadonlySet<string> = new Set(['systemd', 'systemd-coredump']);

type Basis = EventDraft['hangwatch']['time']['basis'];
interface Instant {
  readonly ms: number;
  readonly basis: Basis;
  readonly zone?: string;
  readonly year?: EventDraft['hangwatch']['time']['year'];
}

/** Everything a draft is built from, whatever shape the line came in. */
interface LineFacts {
  readonly time: Instant;
  readonly line: LibvirtdLine;
  readonly facts: MessageFacts;
  /** The syslog host field, the program and its pid, when a prefix (or the record before) named them. */
  readonly source?: LastRecord;
  readonly flags?: readonly string[];
  readonly attributed?: JobLockAttribution;
}

const digits = (text: string, at: number, n: number): number => Number.parseInt(text.slice(at, at + n), 10);

function stampToMs(stamp: string): number {
  // "2017-03-15 06:03:48.180+0000: "
  const offset = requireOffsetMinutes(stamp[23] as string, digits(stamp, 24, 2), digits(stamp, 26, 2), stamp.slice(23, 28));
  return utcMsFromParts(digits(stamp, 0, 4), digits(stamp, 5, 2), digits(stamp, 8, 2), digits(stamp, 11, 2), digits(stamp, 14, 2), digits(stamp, 17, 2), digits(stamp, 20, 3)) - offset * 60_000;
}

function clockToMs(clock: string, dayMs: number): number {
  const day = Math.floor(dayMs / 86_400_000) * 86_400_000;
  return day + ((Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5))) * 60 + Number(clock.slice(6, 8))) * 1000 + Number(clock.slice(9, 12));
}

/** libvirt's own line (or its syslog form without the stamp); undefined when the grammar does not accept it. */
function readOwnLine(text: string): { line?: LibvirtdLine; failure?: unknown } {
  try {
    return { line: buildLibvirtdLine(runShapedGrammar<LineTokens>(GRAMMAR, rules, lexer, text)) };
  } catch (failure) {
    if (failure instanceof ParseFailure) return { failure };
    throw failure;
  }
}

function stampInstant(stamp: string, ctx: ParseContext): Instant {
  if (stamp.length > 20) return { ms: stampToMs(stamp), basis: 'explicit' };
  return { ms: clockToMs(stamp, ctx.state.lastTimestampMs ?? ctx.year.ms), basis: 'inherited' };
}

function inheritedInstant(ctx: ParseContext): Instant {
  return ctx.state.lastTimestampMs !== undefined ? { ms: ctx.state.lastTimestampMs, basis: 'inherited' } : { ms: ctx.createdMs, basis: 'ingest' };
}

/** Configuration wins over learning (DESIGN.md section 6); UTC when neither says. */
function hostZone(ctx: ParseContext, memo: LibvirtdMemo, host: string | undefined): Zone {
  return ctx.options.hostZone ?? memo.learnedZones?.get(host ?? '') ?? UTC_ZONE;
}

/** The instant a syslog/journal prefix states: its offset, else the host's zone; the year by the context's rule. */
function prefixInstant(time: PrefixTime, host: string | undefined, ctx: ParseContext, memo: LibvirtdMemo): Instant {
  if (time.kind === 'instant') return { ms: time.ms, basis: 'explicit' };
  const zone = hostZone(ctx, memo, host);
  if (time.kind === 'local') {
    const d = new Date(time.localAsUtcMs);
    const ms = localToUtcMs(zone, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
    return { ms, basis: 'zone', zone: zone.name };
  }
  const s = time.stamp;
  const year = syslogYear(s.month, s.day, s.hour, s.minute, s.second, ctx.year);
  return { ms: localToUtcMs(zone, year, s.month, s.day, s.hour, s.minute, s.second, s.ms), basis: 'zone', zone: zone.name, year: ctx.year.basis };
}

/**
 * A syslog prefix's local month-day-time next to libvirt's own UTC stamp tells the host's UTC offset (Qubes dom0:
 * `Oct 19 12:37:11 dom0 libvirtd[8423]: 2017-10-19 10:37:11.280+0000: ...` is +02:00). Kept for the same source's
 * lines that carry only the syslog time (systemd's, or libvirt's journald form), so they line up with the rest.
 * A fixed offset: a daylight-saving change is learned again from the next line that carries both.
 */
function learnZone(time: PrefixTime, host: string | undefined, utcYear: number, utcMs: number, memo: LibvirtdMemo): void {
  if (time.kind !== 'month-day') return;
  const s = time.stamp;
  let diff = Date.UTC(utcYear, s.month - 1, s.day, s.hour, s.minute, s.second) - utcMs;
  // New Year's Eve: the local date may be in the year before or after the UTC one.
  if (diff > 183 * 86_400_000) diff = Date.UTC(utcYear - 1, s.month - 1, s.day, s.hour, s.minute, s.second) - utcMs;
  else if (diff < -183 * 86_400_000) diff = Date.UTC(utcYear + 1, s.month - 1, s.day, s.hour, s.minute, s.second) - utcMs;
  const minutes = Math.round(diff / 900_000) * 15;
  if (Math.abs(minutes) > 14 * 60) return;
  const zones = (memo.learnedZones ??= new Map());
  const known = zones.get(host ?? '');
  if (known?.kind === 'fixed' && known.offsetMinutes === minutes) return;
  zones.set(host ?? '', { kind: 'fixed', name: formatOffset(minutes), offsetMinutes: minutes });
}

function buildDraft(ctx: ParseContext, f: LineFacts): EventDraft {
  const { line, facts, time } = f;
  const isError = line.level === 'error' || ERROR_ACTIONS.has(facts.action);
  const type = isError ? 'error' : START_ACTIONS.has(facts.action) ? 'start' : facts.action === 'daemon-stop' ? 'end' : 'info';
  const draft: EventDraft = {
    '@timestamp': isoUtc(time.ms),
    event: {
      dataset: 'libvirt.daemon',
      kind: 'event',
      category: facts.action.startsWith('vm-') || facts.action === 'guest-panic' ? ['host', 'process'] : ['host'],
      type: [type],
      action: facts.action,
    },
    message: line.message,
    hangwatch: {
      time: { basis: time.basis, ...(time.zone ? { zone: time.zone } : {}), ...(time.year ? { year: time.year } : {}) },
      parse: { grammar: GRAMMAR, ...(f.flags && f.flags.length > 0 ? { flags: [...f.flags] } : {}) },
    },
  };
  const log: NonNullable<EventDraft['log']> = {};
  if (line.level) log.level = line.level;
  if (line.fn) log.origin = { function: line.fn, ...(line.fnLine !== undefined ? { file: { line: line.fnLine } } : {}) };
  draft.log = log;
  const source = f.source;
  const proc: NonNullable<EventDraft['process']> = {};
  if (source?.pid !== undefined) proc.pid = source.pid;
  if (source?.program) proc.name = source.program;
  if (line.thread !== undefined) proc.thread = { id: line.thread };
  if (proc.pid !== undefined || proc.name || proc.thread) draft.process = proc;
  const hostName = facts.hostName ?? source?.host;
  if (hostName) draft.host = { name: hostName };
  const domainName = facts.domainName ?? f.attributed?.domain;
  if (domainName || facts.domainUuid || facts.libvirtVersion) {
    draft.libvirt = {};
    if (domainName || facts.domainUuid) {
      draft.libvirt.domain = { ...(domainName ? { name: domainName } : {}), ...(facts.domainUuid ? { uuid: facts.domainUuid } : {}) };
      if (facts.domainName || facts.domainUuid || !f.attributed) draft.hangwatch.attribution = 'record';
      else {
        draft.hangwatch.attribution = f.attributed.attribution;
        draft.hangwatch.attribution_confidence = f.attributed.confidence;
      }
    }
    if (facts.libvirtVersion) draft.libvirt.version = facts.libvirtVersion;
  }
  if (facts.shutdownReason) draft.qemu = { shutdown: { reason: facts.shutdownReason } };
  if (facts.bugcheck) draft.windows = { bugcheck: facts.bugcheck };
  return draft;
}

/** A job-lock line names its domain, or takes it from the neighbouring line that does (job-lock.ts). */
function withJobLock(f: LineFacts, memo: LibvirtdMemo): LineFacts {
  if (f.facts.action !== 'job-lock') return f;
  const at = { ms: f.time.ms, message: f.line.message, thread: f.line.thread, pid: f.source?.pid };
  if (f.facts.domainName) {
    noteJobLock((memo.jobLocks ??= []), { ...at, domain: f.facts.domainName });
    return f;
  }
  const attributed = memo.jobLocks ? attributeStateLock(memo.jobLocks, at) : undefined;
  return attributed ? { ...f, attributed } : f;
}

function finish(ctx: ParseContext, memo: LibvirtdMemo, f: LineFacts): EventDraft[] {
  if (!Number.isFinite(f.time.ms)) throw new ParseFailure('HW_TIME_INVALID', GRAMMAR, ctx.text.slice(0, 60));
  ctx.state.lastTimestampMs = f.time.ms;
  return [buildDraft(ctx, withJobLock(f, memo))];
}

/** A line behind a syslog/journalctl prefix: libvirt's own line (its UTC stamp wins), its syslog form, or bare. */
function prefixedLine(ctx: ParseContext, memo: LibvirtdMemo, prefix: SyslogPrefix, flags: string[]): EventDraft[] {
  const body = prefix.body;
  const c = body.charCodeAt(0);
  const own = c >= 48 && c <= 57 ? readOwnLine(body).line : undefined;
  const line: LibvirtdLine = own ?? { message: body };
  let time: Instant;
  if (line.stamp) {
    time = stampInstant(line.stamp, ctx);
    if (time.basis === 'explicit') learnZone(prefix.time, prefix.host, digits(line.stamp, 0, 4), time.ms, memo);
  } else time = prefixInstant(prefix.time, prefix.host, ctx, memo);
  const facts: MessageFacts = SYSTEMD_PROGRAMS.has(prefix.program)
    ? { action: classifySystemdMessage(prefix.program, line.message)?.action ?? 'other' }
    : classifyLibvirtdMessage(line.fn, line.message);
  const source: LastRecord = { host: prefix.host, program: prefix.program, pid: prefix.pid };
  memo.last = source;
  memo.statusUnit = undefined;
  return finish(ctx, memo, { time, line, facts, source, flags });
}

/** A journal entry exported with `journalctl -o json` (journal-json.ts). */
function journalJsonLine(ctx: ParseContext, memo: LibvirtdMemo, entry: JournalJsonEntry, flags: string[]): EventDraft[] {
  const line: LibvirtdLine = { message: entry.message, level: entry.level, fn: entry.fn, fnLine: entry.fnLine };
  const time: Instant = entry.ms !== undefined ? { ms: entry.ms, basis: 'explicit' } : inheritedInstant(ctx);
  const program = entry.program ?? '';
  const facts: MessageFacts = SYSTEMD_PROGRAMS.has(program) ? { action: classifySystemdMessage(program, entry.message)?.action ?? 'other' } : classifyLibvirtdMessage(entry.fn, entry.message);
  const source: LastRecord = { host: entry.host, program: entry.program, pid: entry.pid };
  memo.last = source;
  return finish(ctx, memo, { time, line, facts, source, flags });
}

/** A JSON line: a journal entry export or KubeVirt's virt-launcher log, maybe behind a container runtime's stamp. */
function jsonLine(ctx: ParseContext, memo: LibvirtdMemo, json: string, outerMs: number | undefined, flags: string[]): EventDraft[] | undefined {
  const doc = parseJsonObject(json);
  if (!doc) return undefined;
  const entry = readJournalJson(doc);
  if (entry) return journalJsonLine(ctx, memo, entry, flags);
  const launcher = readLauncherJson(doc);
  if (!launcher) return undefined;
  const line: LibvirtdLine = {
    message: launcher.message,
    ...(launcher.level ? { level: launcher.level } : {}),
    ...(launcher.fn ? { fn: launcher.fn, fnLine: launcher.fnLine } : {}),
    ...(launcher.thread !== undefined ? { thread: launcher.thread } : {}),
  };
  const ms = launcher.timestampMs ?? outerMs;
  const time: Instant = ms !== undefined ? { ms, basis: 'explicit' } : inheritedInstant(ctx);
  const classified = classifyLibvirtdMessage(launcher.fn, launcher.message);
  const facts: MessageFacts = classified.domainName || !launcher.domainName ? classified : { ...classified, domainName: launcher.domainName };
  const source: LastRecord = { program: launcher.component };
  memo.last = source;
  return finish(ctx, memo, { time, line, facts, source, flags });
}

// `2019-08-13T16:34:22.589000000Z stderr F {...}` (CRI log file) or `2019-08-13T16:34:22.589Z {...}` (kubectl logs --timestamps).
const CONTAINER_STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)) (?:(?:stdout|stderr) [FP] )?(?=\{)/;

/** Every shape but libvirt's own plain line: wrappers, JSON, journal and status text, continuations. */
function parseWrapped(ctx: ParseContext, grammarFailure: unknown): EventDraft[] {
  const memo = memoOf(ctx.state);
  let text = ctx.text;
  const flags: string[] = [];
  if (mayHaveMarkdownDebris(text)) {
    const stripped = stripMarkdownDebris(text);
    if (stripped !== undefined) {
      if (stripped.trim() === '') throw new ParseFailure('HW_RECORD_INVALID', GRAMMAR, 'not a log record: markdown debris (a code fence or emphasis markers) pasted with the log');
      text = stripped;
      flags.push('markdown-debris');
    }
  }
  const c = text.charCodeAt(0);
  if (c === 123 /* { */) {
    const drafts = jsonLine(ctx, memo, text, undefined, flags);
    if (drafts) return drafts;
    throw new ParseFailure('HW_PARSE_NO_MATCH', GRAMMAR, 'a JSON line that is neither a journal entry (MESSAGE, __REALTIME_TIMESTAMP) nor a KubeVirt log record (component, msg)', ['journal JSON', 'virt-launcher JSON']);
  }
  if (c >= 48 && c <= 57) {
    if (flags.length > 0) {
      const own = readOwnLine(text).line;
      if (own?.stamp) return ownLineEvent(ctx, memo, own, flags);
    }
    const container = CONTAINER_STAMP.exec(text);
    if (container) {
      const drafts = jsonLine(ctx, memo, text.slice(container[0].length), isoPrefixInstant(container[1] as string)?.ms, flags);
      if (drafts) return drafts;
    }
  }
  const prefix = readSyslogPrefix(text);
  if (prefix) return prefixedLine(ctx, memo, prefix, flags);
  const journal = readJournalText(text, memo.statusUnit);
  if (journal?.kind === 'unit-state') {
    const time = prefixInstant(journal.time, memo.last?.host, ctx, memo);
    return finish(ctx, memo, { time, line: { message: text.trim() }, facts: { action: journal.action }, flags });
  }
  if (journal) {
    memo.last = undefined;
    if (journal.statusUnit) memo.statusUnit = journal.statusUnit;
    throw new ParseFailure('HW_RECORD_INVALID', GRAMMAR, `not a log record: ${journal.reason}`);
  }
  if (c === 32 || c === 9) {
    // An indented paste of a whole line; else journalctl's indented further lines of a multi-line message, or
    // systemctl status's further values of a header field.
    const indented = readIndentedLine(ctx, memo, text.trimStart(), flags);
    if (indented) return indented;
    if (memo.statusUnit !== undefined && memo.last === undefined) throw new ParseFailure('HW_RECORD_INVALID', GRAMMAR, 'not a log record: a continued systemctl status header field');
    if (memo.last !== undefined) {
      const message = text.trim();
      return finish(ctx, memo, { time: inheritedInstant(ctx), line: { message }, facts: classifyLibvirtdMessage(undefined, message), source: memo.last, flags: [...flags, 'continuation'] });
    }
  }
  throw noMatch(text, grammarFailure);
}

function readIndentedLine(ctx: ParseContext, memo: LibvirtdMemo, text: string, flags: string[]): EventDraft[] | undefined {
  const c = text.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    const own = readOwnLine(text).line;
    if (own?.stamp) return ownLineEvent(ctx, memo, own, flags);
  }
  const prefix = readSyslogPrefix(text);
  return prefix ? prefixedLine(ctx, memo, prefix, flags) : undefined;
}

/** What the grammar said about the line (its expected tokens), and that no wrapper fitted either. */
function noMatch(text: string, grammarFailure: unknown): ParseFailure {
  const failure = grammarFailure ?? readOwnLine(text).failure;
  const said = failure instanceof ParseFailure ? failure.message.replace(/^no grammar accepted the record: /, '').replace(/:\s*$/, '') : 'no libvirt stamp';
  const expected = failure instanceof ParseFailure ? failure.expected : [];
  return new ParseFailure('HW_PARSE_NO_MATCH', GRAMMAR, `${said} (nor a syslog or journal prefix, or virt-launcher JSON)`, expected);
}

/**
 * A journald entry of libvirtd (issue 14): MESSAGE has no stamp, thread or level (journald keeps the time apart,
 * RawRecord.time); libvirt's journald output names the function in CODE_FUNC/CODE_LINE, which the shipper puts
 * before the message in libvirt's own `fn:line : message` form. The unit's systemd lines arrive the same way.
 */
function journalEntry(ctx: ParseContext): EventDraft[] {
  const m = /^(\w+):(\d+) : /.exec(ctx.text);
  const line: LibvirtdLine = m ? { fn: m[1] as string, fnLine: Number(m[2]), message: ctx.text.slice(m[0].length) } : { message: ctx.text };
  let facts = classifyLibvirtdMessage(line.fn, line.message);
  if (facts.action === 'other' && !m) facts = { action: classifySystemdMessage('systemd', line.message)?.action ?? 'other' };
  return finish(ctx, memoOf(ctx.state), { time: { ms: Date.parse(ctx.record.time as string), basis: 'explicit' }, line, facts });
}

/** A journald entry whose MESSAGE is itself a whole line (a file shipped through the journal), not a bare message. */
function isWrappedText(text: string): boolean {
  return /^\d{4}-\d\d-\d\d[ T]|^\{/.test(text) || readSyslogPrefix(text) !== undefined;
}

/** The record before was libvirt's own line: no host or program to lend a continuation. */
const PLAIN: LastRecord = {};

/** libvirt's own line (the grammar gave it a stamp) as an event. */
function ownLineEvent(ctx: ParseContext, memo: LibvirtdMemo, line: LibvirtdLine, flags?: string[]): EventDraft[] {
  memo.last = PLAIN;
  return finish(ctx, memo, { time: stampInstant(line.stamp as string, ctx), line, facts: classifyLibvirtdMessage(line.fn, line.message), flags });
}

export const libvirtdParser: FormatParser = {
  format: 'libvirtd',
  parse(ctx: ParseContext): EventDraft[] {
    const text = ctx.text;
    if (text.trim() === '') return [];
    if (ctx.record.time !== undefined && !isWrappedText(text)) return journalEntry(ctx);
    // Hot path: libvirt's own line starts with a digit and has `-` at 4 and a space at 10 (or `:` at 2, the old
    // clock form); these character tests keep every other shape's readers off it. Measured in CPU time on 200k
    // copies of a plain line: as fast as the grammar-only parser before the wrappers (~250k lines/s here).
    // (Conditional object spreads on this path cost ~2x: the drafts are built from fixed shapes.)
    const c = text.charCodeAt(0);
    let failure: unknown;
    const last = text.charCodeAt(text.length - 1);
    if (c >= 48 && c <= 57 && ((text.charCodeAt(4) === 45 && text.charCodeAt(10) === 32) || text.charCodeAt(2) === 58) && last !== 42 && last !== 96) {
      const own = readOwnLine(text);
      // A bold marker pasted in front of the function (`warning : **qemuMonitorIO:689 : ...`) hides the origin.
      if (own.line?.stamp && !(own.line.fn === undefined && own.line.message.startsWith('**'))) return ownLineEvent(ctx, memoOf(ctx.state), own.line);
      failure = own.failure;
    }
    return parseWrapped(ctx, failure);
  },
};
