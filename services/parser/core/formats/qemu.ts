import rules from '../../../../grammars/generated/qemu-line.js';
import { runGrammar } from '../../../../grammars/run-grammar.js';
import type { EcsEvent, QemuFields } from '../../../../shared/schema/event.js';
import { isoUtc } from '../../../../shared/time.js';
import type { EventAction } from '../../../../shared/vocabulary.js';
import type { EventDraft, FormatParser, ParseContext, SourceState } from '../event-draft.js';
import { ParseFailure } from '../parse-failure.js';
import { classifyMessage, isDumpLine, type MessageFacts } from '../qemu/classify-message.js';
import { CMDLINE_GRAMMAR, isCommandLine, parseCommandLine, readQemuConfig, type QemuCommandLine, type QemuConfig } from '../qemu/command-line.js';
import { endsWithContinuation, isStamped, startsCommandWords, startsWrappableCommand, withoutBacktick } from '../../../../shared/qemu-line-shapes.js';
import { explicitTime, implicitTime, type Timing } from '../qemu/line-time.js';
import { readRecordShape } from '../qemu/record-shape.js';

// The qemu domain log (/var/log/libvirt/qemu/<vm>.log). A record is a line, or the lines of one record grouped by
// the qemu framing (services/shipper/core/qemu-record-framer.ts: a command line over several lines, a pasted header
// or command line that was hard-wrapped), or a multi-line record another shipper grouped (a KVM register dump).
//
// Per-source memo (SourceState.memo, one per host + path):
//   qemu.pending  lines of a command line broken with " \" that arrive one record a line (a shipper that does not
//                 group them) until its last line arrives; the partial lines emit nothing, the last emits one
//                 vm-config event whose event.original is the whole command line. Capped (PENDING_MAX_BYTES).
//   qemu.dump     inside a KVM internal error register dump: its lines are `kvm-internal-error` with the
//                 parse flag `continuation` (one dump = one error; counting should skip continuations).
//   qemu.domain   name/uuid from the last command line, and the header's versions, for later lines.
//
// A command line that did not arrive whole (the input ended inside it, it starts inside one, a quote is left open)
// still gives its vm-config event from what is there, flagged `partial-command-line`; its qemu.cpu and qemu.hyperv
// are left out unless a -cpu was seen (absent means unknown, where an empty list would claim "no enlightenments").
//
// Garbage rule: NUL bytes are removed (the core flags `nul-bytes`) and what remains is parsed; a record that is
// nothing but NULs (a file preallocated or cut by a crash), or whose first 4 KiB are mostly control characters,
// is unparseable and becomes a dead letter (HW_RECORD_INVALID), as does a markdown code fence of a pasted log.
// Any other text is a valid qemu log line: qemu, spice, swtpm, guest firmware and the guest's serial console and
// libvirt all write free text here, so unknown text is `other`.

const GRAMMAR = 'qemu';
const LINE_GRAMMAR = 'qemu-line';
const PENDING_MAX_BYTES = 16 << 20;
const PENDING_MAX_LINES = 100_000;
const GARBAGE_SAMPLE = 4096;
// `message` is for people; the whole line stays in event.original. Longer messages are cut and flagged.
const MESSAGE_MAX_CHARS = 16 * 1024;

export const PARTIAL_COMMAND_LINE = 'partial-command-line';

interface Pending {
  lines: string[];
  bytes: number;
}
interface DomainMemo {
  name?: string;
  uuid?: string;
  libvirtVersion?: string;
  qemuVersion?: string;
}
interface QemuMemo {
  pending?: Pending;
  dump?: boolean;
  domain: DomainMemo;
}

export const qemuParser: FormatParser = {
  format: 'qemu',
  parse(ctx: ParseContext): EventDraft[] {
    const text = cleanText(ctx.text);
    if (text === undefined) return [];
    const memo = memoOf(ctx.state);
    if (!text.includes('\n')) return parseLine(ctx, memo, text);
    // A grouped record, even of one line. The qemu framing ends a command line it released unfinished (the input
    // ended after a " \" line, or inside its last line) with a newline: a lone `LC_ALL=C \` there is a command
    // line, cut, and one whose last line has no " \" may be.
    const unfinished = text.endsWith('\n');
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    return [...flushPending(ctx, memo), ...parseRecordLines(ctx, memo, lines, unfinished)];
  },
};

/** The record without NULs and trailing CR; undefined when it carries nothing; throws on garbage. */
function cleanText(raw: string): string | undefined {
  const hadNul = raw.includes('\u0000');
  // Text after a run of NULs (a crash-cut file) starts where the NULs end: drop the padding around it too.
  const text = (hadNul ? raw.replace(/\u0000+/g, '').trimStart() : raw).replace(/\r+$/, '');
  if (text.trim() === '') {
    if (hadNul) throw new ParseFailure('HW_RECORD_INVALID', GRAMMAR, 'record holds only NUL bytes');
    return undefined;
  }
  if (text.charCodeAt(0) === 0x60 /* ` */ && /^`{3,}[\w+-]*\s*$/.test(text)) {
    throw new ParseFailure('HW_RECORD_INVALID', GRAMMAR, 'a markdown code fence around a pasted log, not a log record');
  }
  const sample = text.length > GARBAGE_SAMPLE ? text.slice(0, GARBAGE_SAMPLE) : text;
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x1b) || c === 0x7f) control++;
  }
  if (control * 2 > sample.length) throw new ParseFailure('HW_RECORD_INVALID', GRAMMAR, `binary garbage: ${control} of ${sample.length} characters are control characters`);
  return text;
}

function memoOf(state: SourceState): QemuMemo {
  let memo = state.memo.qemu as QemuMemo | undefined;
  if (!memo) {
    memo = { domain: {} };
    state.memo.qemu = memo;
  }
  return memo;
}

/** A record of several lines: a grouped command line, a wrapped header, else each line in turn. */
function parseRecordLines(ctx: ParseContext, memo: QemuMemo, lines: string[], unfinished: boolean): EventDraft[] {
  if (lines.length === 1 && !endsWithContinuation(lines[0] as string)) {
    const line = withoutMarkdown(lines[0] as string);
    if (!unfinished || !startsWrappableCommand(line)) return parseLine(ctx, memo, line);
    memo.dump = false;
    return commandLineDrafts(ctx, memo, line, { unfinished });
  }
  const text = lines.join('\n');
  const shape = readRecordShape(lines);
  switch (shape.kind) {
    case 'continued-command':
      memo.dump = false;
      return commandLineDrafts(ctx, memo, shape.text, { cut: shape.cut, unfinished, original: text });
    case 'bare-command':
      memo.dump = false;
      return commandLineDrafts(ctx, memo, shape.text, { bare: true, original: text, flags: ['backslashes-lost'] });
    case 'wrapped': {
      const drafts = shape.of === 'command' ? commandLineDrafts(ctx, memo, shape.text, { unfinished, original: text }) : parseLine(ctx, memo, shape.text);
      for (const draft of drafts) {
        draft.event.original = text;
        addFlag(draft, 'hard-wrapped');
      }
      return drafts;
    }
    case 'lines':
      return parseEachLine(ctx, memo, lines);
  }
}

/** Each line parsed in turn; register dump lines fold into the error event they continue. */
function parseEachLine(ctx: ParseContext, memo: QemuMemo, lines: string[]): EventDraft[] {
  const out: EventDraft[] = [];
  for (const line of lines) {
    const drafts = parseLine(ctx, memo, line);
    for (const draft of drafts) {
      if (draft.event.original === undefined) draft.event.original = line;
      const previous = out[out.length - 1];
      if (previous && previous.event.action === 'kvm-internal-error' && draft.hangwatch.parse?.flags?.includes('continuation')) {
        previous.event.original = `${previous.event.original ?? ''}\n${line}`;
        continue;
      }
      out.push(draft);
    }
  }
  return out;
}

function parseLine(ctx: ParseContext, memo: QemuMemo, rawLine: string): EventDraft[] {
  const line = withoutMarkdown(rawLine);
  if (memo.pending) {
    if (isStamped(line)) {
      // A time-stamped line cannot continue a command line: the writer died mid-line. Flush and go on.
      return [...flushPending(ctx, memo), ...parseLine(ctx, memo, line)];
    }
    const pending = memo.pending;
    pending.lines.push(line);
    pending.bytes += line.length + 1;
    if (endsWithContinuation(line) && pending.bytes < PENDING_MAX_BYTES && pending.lines.length < PENDING_MAX_LINES) return [];
    memo.pending = undefined;
    const text = pending.lines.join('\n');
    return commandLineDrafts(ctx, memo, text, { cut: endsWithContinuation(line), original: text });
  }
  if (endsWithContinuation(line) && startsCommandWords(line) && line.length <= 8192) {
    memo.dump = false;
    memo.pending = { lines: [line], bytes: line.length + 1 };
    return [];
  }
  if (isCommandLine(line)) {
    memo.dump = false;
    return commandLineDrafts(ctx, memo, line, {});
  }
  if (memo.dump) {
    if (isDumpLine(line)) return [dumpContinuation(ctx, memo, line)];
    memo.dump = false;
  }
  const glued = gluedRecordAt(line);
  if (glued > 0) {
    // Two records on one line: libvirt wrote a message without its newline (`Domain id=2 is tainted: host-cpu`
    // then qemu's stamped line right after it). Each becomes its own event, flagged.
    const drafts = [messageDraft(ctx, memo, line.slice(0, glued)), ...parseLine(ctx, memo, line.slice(glued))];
    for (const draft of drafts) addFlag(draft, 'glued-lines');
    return drafts;
  }
  return [messageDraft(ctx, memo, line)];
}

/** A command line held line by line whose input went on with something else: what is there, flagged partial. */
function flushPending(ctx: ParseContext, memo: QemuMemo): EventDraft[] {
  const pending = memo.pending;
  if (!pending) return [];
  memo.pending = undefined;
  const text = pending.lines.join('\n');
  return commandLineDrafts(ctx, memo, text, { cut: true, original: text });
}

/** The backticks of an inline-code paste: leading ones, and the closing one at the end of its last line. */
function withoutMarkdown(line: string): string {
  const inner = line.charCodeAt(0) === 0x60 ? withoutBacktick(line) : line;
  return inner.charCodeAt(inner.length - 1) === 0x60 && inner.charCodeAt(inner.length - 2) !== 0x60 ? inner.slice(0, -1) : inner;
}

// A second record's stamp inside a line: qemu's `-msg timestamp=on` stamp and program, or libvirt's stamp.
const GLUED_STAMP = /\d{4}-\d\d-\d\d(?:T\d\d:\d\d:\d\d\.\d{6}Z \S+: | \d\d:\d\d:\d\d\.\d{3}[+-]\d{4}: )/g;
function gluedRecordAt(line: string): number {
  if (line.length < 40) return -1;
  GLUED_STAMP.lastIndex = 1;
  const m = GLUED_STAMP.exec(line.length > 4096 ? line.slice(0, 4096) : line);
  return m ? m.index : -1;
}

interface LineParts {
  readonly stamp: { type: string; value: string } | null;
  readonly program: { value: string } | null;
  readonly text: { value: string } | null;
}

function messageDraft(ctx: ParseContext, memo: QemuMemo, line: string): EventDraft {
  const parts = runGrammar<LineParts>(LINE_GRAMMAR, rules, line);
  const time = parts.stamp ? explicitTime(ctx.state, LINE_GRAMMAR, parts.stamp) : implicitTime(ctx);
  const fullMessage = parts.text?.value.trimEnd() ?? '';
  const facts = classifyMessage(fullMessage);
  const message = fullMessage.length > MESSAGE_MAX_CHARS ? fullMessage.slice(0, MESSAGE_MAX_CHARS) : fullMessage;
  if (facts.startsDump) memo.dump = true;
  if (facts.action === 'vm-start') {
    // A new qemu process: what the previous one was called no longer holds until its command line arrives.
    memo.domain = {
      ...(facts.libvirtVersion ? { libvirtVersion: facts.libvirtVersion } : {}),
      ...(facts.qemu?.version ? { qemuVersion: facts.qemu.version } : {}),
    };
  }
  const swtpm = facts.action === 'other' && parts.stamp === null && parts.program === null ? swtpmDomain(fullMessage) : undefined;
  const draft = baseDraft(ctx, memo, facts.action, time, message, swtpm);
  applyFacts(draft, facts);
  if (parts.program) {
    draft.process = { name: parts.program.value.replace(/(?:\[\d+\])?: $/, '').replace(/^.*\//, '') };
    // An unclassified message with the program name in front came from qemu's error_report() (warn_report() and
    // info_report() add `warning:` / `info:`; the pty notice uses it too, and is no error).
    if (facts.action === 'other' && !draft.log?.level && !/^(?:warning|info):|char device redirected/.test(fullMessage)) draft.log = { level: 'error' };
  } else if (swtpm !== undefined || /^(?:\/\S*\/)?swtpm /.test(fullMessage)) draft.process = { name: 'swtpm' };
  if (message !== fullMessage) addFlag(draft, 'message-truncated');
  return draft;
}

/** libvirt's swtpm command line names its domain: `--log file=/var/log/swtpm/libvirt/qemu/<vm>-swtpm.log`. */
function swtpmDomain(message: string): string | undefined {
  if (!/^(?:\/\S*\/)?swtpm /.test(message)) return undefined;
  return /\/swtpm\/libvirt\/qemu\/([^\s/]+)-swtpm\.log\b/.exec(message)?.[1];
}

function dumpContinuation(ctx: ParseContext, memo: QemuMemo, line: string): EventDraft {
  const draft = baseDraft(ctx, memo, 'kvm-internal-error', implicitTime(ctx), line.trimEnd());
  draft.log = { level: 'error' };
  draft.hangwatch.parse = { flags: ['continuation'] };
  return draft;
}

interface CommandLineOptions {
  /** The input ended inside it (its last line ends with ` \`). */
  readonly cut?: boolean;
  /** Its backslashes were lost: it cannot say where it ends, only what it lacks. */
  readonly bare?: boolean;
  /** The input ended inside or right after its last line: whether it was cut there, only what it lacks can say. */
  readonly unfinished?: boolean;
  readonly original?: string;
  readonly flags?: readonly string[];
}

function commandLineDrafts(ctx: ParseContext, memo: QemuMemo, text: string, options: CommandLineOptions): EventDraft[] {
  let config: QemuConfig;
  let cmd: QemuCommandLine;
  try {
    cmd = parseCommandLine(text);
    config = readQemuConfig(cmd);
  } catch (error) {
    if (error instanceof ParseFailure) throw error;
    throw new ParseFailure('HW_PARSE_NO_MATCH', CMDLINE_GRAMMAR, error instanceof Error ? error.message : String(error), [], error);
  }
  const partial = options.cut === true || cmd.cutInQuote || cmd.program === undefined || ((options.bare === true || options.unfinished === true) && endsBeforeLibvirtsLastOption(cmd));
  if (config.name !== undefined) memo.domain.name = config.name;
  if (config.uuid !== undefined) memo.domain.uuid = config.uuid;
  const hyperv = config.cpu?.hyperv;
  const summary =
    `qemu command line${partial ? ' (partial)' : ''}: ${cmd.program ?? '(program not seen)'}${config.name ? ` -name ${config.name}` : ''}, ` +
    `cpu ${config.cpu ? (config.cpu.model ?? 'default') : partial ? 'not seen' : 'default'}, ` +
    `hyperv ${hyperv === undefined && partial ? 'not seen' : hyperv && hyperv.length > 0 ? hyperv.join(',') : 'none'}`;
  const draft = baseDraft(ctx, memo, 'vm-config', implicitTime(ctx), summary, config.name);
  draft.event.original = options.original ?? text;
  const flags = [...(partial ? [PARTIAL_COMMAND_LINE] : []), ...(config.cpuOptions > 1 ? ['cpu-overridden'] : []), ...(options.flags ?? [])];
  draft.hangwatch.parse = { grammar: CMDLINE_GRAMMAR, ...(flags.length > 0 ? { flags } : {}) };
  draft.qemu = qemuFields(config, memo.domain.qemuVersion, partial);
  if (memo.domain.libvirtVersion) draft.libvirt = { ...draft.libvirt, version: memo.domain.libvirtVersion };
  return [draft];
}

/**
 * libvirt ends every command line it writes with `-msg timestamp=on` (qemuBuildCommandLine, log_timestamp on by
 * default since libvirt 1.2.x): a libvirt command line (its LC_ALL=C env) that stops before it was cut.
 */
function endsBeforeLibvirtsLastOption(cmd: QemuCommandLine): boolean {
  return cmd.env.LC_ALL !== undefined && cmd.options[cmd.options.length - 1]?.name !== 'msg';
}

function qemuFields(config: QemuConfig, version: string | undefined, partial: boolean): QemuFields {
  const q: QemuFields = {};
  if (version) q.version = version;
  if (config.cpu) {
    const { model, flags, properties, hyperv } = config.cpu;
    q.cpu = { ...(model ? { model } : {}), flags, ...(properties.length > 0 ? { properties } : {}) };
    q.hyperv = hyperv;
  } else if (!partial) {
    // No -cpu on a whole command line: no enlightenments. Empty, not absent, so "none" is searchable.
    q.hyperv = [];
  }
  if (config.smp) q.smp = config.smp;
  if (config.rtcBase) q.rtc = { base: config.rtcBase };
  if (config.macs.length > 0) q.net = { mac: config.macs };
  if (config.machine) q.machine = config.machine;
  if (config.memoryMb !== undefined) q.memory_mb = config.memoryMb;
  if (config.spicePort !== undefined) q.spice = { port: config.spicePort };
  if (config.drives.length > 0) q.drives = config.drives;
  return q;
}

const CATEGORIES: Partial<Record<EventAction, { category: EcsEvent['event']['category']; type: EcsEvent['event']['type'] }>> = {
  'vm-start': { category: ['process'], type: ['start'] },
  'vm-config': { category: ['configuration'], type: ['info'] },
  'vm-shutdown': { category: ['process'], type: ['end'] },
  'vm-terminated-signal': { category: ['process'], type: ['end'] },
  'guest-panic': { category: ['host'], type: ['error'] },
  'kvm-internal-error': { category: ['host'], type: ['error'] },
  'vm-io-error': { category: ['host'], type: ['error'] },
  'cpu-feature-unsupported': { category: ['host'], type: ['info'] },
  'spice-connect': { category: ['network', 'session'], type: ['connection', 'start'] },
  'spice-disconnect': { category: ['network', 'session'], type: ['connection', 'end'] },
};

/**
 * File name of the domain log: `.../libvirt/qemu/<vm>.log` (rotated `.log.1`, `.log-20240101`, compressed too).
 * Only there: a qemu log kept anywhere else (a paste, a collector's folder) is not named after its domain.
 */
const DOMAIN_FROM_PATH = /(?:^|[\\/])libvirt[\\/]qemu[\\/]([^\\/]+?)\.log(?:[.-]\d+)?(?:\.(?:gz|xz|bz2|zst))?$/;

function baseDraft(ctx: ParseContext, memo: QemuMemo, action: EventAction, time: Timing, message: string, recordName?: string): EventDraft {
  const cat = CATEGORIES[action] ?? { category: ['host'], type: ['info'] };
  const draft: EventDraft = {
    '@timestamp': isoUtc(time.ms),
    event: { dataset: 'libvirt.qemu', kind: 'event', category: cat.category, type: cat.type, action },
    message,
    hangwatch: { time: { basis: time.basis } },
  };
  const fileName = DOMAIN_FROM_PATH.exec(ctx.record.path)?.[1];
  let name: string | undefined;
  if (recordName !== undefined) {
    name = recordName;
    draft.hangwatch.attribution = 'record';
  } else if (fileName !== undefined) {
    name = fileName;
    draft.hangwatch.attribution = 'file';
  } else if (memo.domain.name !== undefined) {
    // Not in the record nor the path: the same source's last command line named it.
    name = memo.domain.name;
    draft.hangwatch.attribution = 'thread';
    draft.hangwatch.attribution_confidence = 0.8;
  } else draft.hangwatch.attribution = 'unresolved';
  if (name !== undefined) {
    const uuid = memo.domain.name === name ? memo.domain.uuid : undefined;
    draft.libvirt = { domain: { name, ...(uuid ? { uuid } : {}) } };
  }
  return draft;
}

function applyFacts(draft: EventDraft, facts: MessageFacts): void {
  if (facts.level) draft.log = { level: facts.level };
  if (facts.qemu) draft.qemu = facts.qemu;
  if (facts.bugcheck) draft.windows = { bugcheck: facts.bugcheck };
  if (facts.libvirtVersion) draft.libvirt = { ...draft.libvirt, version: facts.libvirtVersion };
  if (facts.hostName) draft.host = { name: facts.hostName };
}

function addFlag(draft: EventDraft, flag: string): void {
  const parse = draft.hangwatch.parse ?? (draft.hangwatch.parse = {});
  const flags = parse.flags ?? [];
  if (!flags.includes(flag)) parse.flags = [...flags, flag];
}
