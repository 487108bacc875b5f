import rules from '../../../../grammars/generated/qemu-line.js';
import { runGrammar } from '../../../../grammars/run-grammar.js';
import type { EcsEvent, QemuFields } from '../../../../shared/schema/event.js';
import { isoUtc, utcMsFromParts } from '../../../../shared/time.js';
import type { EventAction, TimeBasis } from '../../../../shared/vocabulary.js';
import type { EventDraft, FormatParser, ParseContext, SourceState } from '../event-draft.js';
import { ParseFailure } from '../parse-failure.js';
import { classifyMessage, isDumpLine, type MessageFacts } from '../qemu/classify-message.js';
import { CMDLINE_GRAMMAR, isCommandLine, parseCommandLine, readQemuConfig, startsBrokenCommandLine, type QemuConfig } from '../qemu/command-line.js';

// The qemu domain log (/var/log/libvirt/qemu/<vm>.log), one line per record; a record may also hold several
// lines (a KVM register dump shipped as one multi-line record, a command line joined with backslash-newlines).
//
// Per-source memo (SourceState.memo, one per host + path):
//   qemu.pending  lines of a command line broken with " \" (libvirt >= 6) until its last line arrives; the
//                 partial lines emit nothing, the last emits one vm-config event whose event.original is the
//                 whole command line. Capped (PENDING_MAX_BYTES) so a runaway continuation cannot grow memory.
//   qemu.dump     inside a KVM internal error register dump: its lines are `kvm-internal-error` with the
//                 parse flag `continuation` (one dump = one error; counting should skip continuations).
//   qemu.domain   name/uuid from the last command line, and the header's versions, for later lines.
//
// Garbage rule: NUL bytes are removed (the core flags `nul-bytes`) and what remains is parsed; a record that is
// nothing but NULs (a file preallocated or cut by a crash), or whose first 4 KiB are mostly control characters,
// is unparseable and becomes a dead letter (HW_RECORD_INVALID). Any other text is a valid qemu log line:
// qemu, spice, guest firmware on a serial console and libvirt all write free text here, so unknown text is `other`.

const GRAMMAR = 'qemu';
const LINE_GRAMMAR = 'qemu-line';
const PENDING_MAX_BYTES = 16 << 20;
const PENDING_MAX_LINES = 100_000;
const GARBAGE_SAMPLE = 4096;
// `message` is for people; the whole line stays in event.original. Longer messages are cut and flagged.
const MESSAGE_MAX_CHARS = 16 * 1024;

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
    if (text.includes('\n') && !isJoinedCommandLine(text, memo)) return parseLines(ctx, memo, text.split(/\r?\n/));
    return parseLine(ctx, memo, text);
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

function isJoinedCommandLine(text: string, memo: QemuMemo): boolean {
  return memo.pending !== undefined || isCommandLine(text) || startsBrokenCommandLine(text.slice(0, text.indexOf('\n')).replace(/\r$/, ''));
}

/** A multi-line record: each line is parsed in turn; dump lines fold into the error event they continue. */
function parseLines(ctx: ParseContext, memo: QemuMemo, lines: string[]): EventDraft[] {
  const out: EventDraft[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    const drafts = parseLine(ctx, memo, line);
    for (const draft of drafts) {
      draft.event.original = line;
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

function parseLine(ctx: ParseContext, memo: QemuMemo, line: string): EventDraft[] {
  if (memo.pending) {
    const pending = memo.pending;
    if (/^\d{4}-\d\d-\d\d[ T]\d\d:/.test(line)) {
      // A time-stamped line cannot continue a command line: the writer died mid-line. Flush and go on.
      memo.pending = undefined;
      return [...commandLineDrafts(ctx, memo, pending.lines.join('\n')), ...parseLine(ctx, memo, line)];
    }
    pending.lines.push(line);
    pending.bytes += line.length + 1;
    if (/\\\s*$/.test(line) && pending.bytes < PENDING_MAX_BYTES && pending.lines.length < PENDING_MAX_LINES) return [];
    memo.pending = undefined;
    return commandLineDrafts(ctx, memo, pending.lines.join('\n'));
  }
  if (startsBrokenCommandLine(line)) {
    memo.dump = false;
    memo.pending = { lines: [line], bytes: line.length + 1 };
    return [];
  }
  if (isCommandLine(line)) {
    memo.dump = false;
    return commandLineDrafts(ctx, memo, line);
  }
  if (memo.dump) {
    if (isDumpLine(line)) return [dumpContinuation(ctx, memo, line)];
    memo.dump = false;
  }
  return [messageDraft(ctx, memo, line)];
}

interface LineParts {
  readonly stamp: { type: string; value: string } | null;
  readonly program: { value: string } | null;
  readonly text: { value: string } | null;
}

function messageDraft(ctx: ParseContext, memo: QemuMemo, line: string): EventDraft {
  const parts = runGrammar<LineParts>(LINE_GRAMMAR, rules, line);
  const time = parts.stamp ? explicitTime(ctx.state, parts.stamp) : implicitTime(ctx);
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
  const draft = baseDraft(ctx, memo, facts.action, time, message);
  applyFacts(draft, facts);
  if (parts.program) draft.process = { name: parts.program.value.replace(/(?:\[\d+\])?: $/, '').replace(/^.*\//, '') };
  if (message !== fullMessage) draft.hangwatch.parse = { flags: ['message-truncated'] };
  return draft;
}

function dumpContinuation(ctx: ParseContext, memo: QemuMemo, line: string): EventDraft {
  const draft = baseDraft(ctx, memo, 'kvm-internal-error', implicitTime(ctx), line.trimEnd());
  draft.log = { level: 'error' };
  draft.hangwatch.parse = { flags: ['continuation'] };
  return draft;
}

function commandLineDrafts(ctx: ParseContext, memo: QemuMemo, text: string): EventDraft[] {
  let config: QemuConfig;
  let program: string;
  try {
    const cmd = parseCommandLine(text);
    config = readQemuConfig(cmd);
    program = cmd.program;
  } catch (error) {
    if (error instanceof ParseFailure) throw error;
    throw new ParseFailure('HW_PARSE_NO_MATCH', CMDLINE_GRAMMAR, error instanceof Error ? error.message : String(error), [], error);
  }
  if (config.name !== undefined) memo.domain.name = config.name;
  if (config.uuid !== undefined) memo.domain.uuid = config.uuid;
  const hyperv = config.cpu?.hyperv ?? [];
  const summary = `qemu command line: ${program}${config.name ? ` -name ${config.name}` : ''}, cpu ${config.cpu?.model ?? 'default'}, hyperv ${hyperv.length > 0 ? hyperv.join(',') : 'none'}`;
  const draft = baseDraft(ctx, memo, 'vm-config', implicitTime(ctx), summary, config.name);
  draft.event.original = text;
  draft.hangwatch.parse = { grammar: CMDLINE_GRAMMAR, ...(config.cpuOptions > 1 ? { flags: ['cpu-overridden'] } : {}) };
  draft.qemu = qemuFields(config, memo.domain.qemuVersion);
  if (memo.domain.libvirtVersion) draft.libvirt = { ...draft.libvirt, version: memo.domain.libvirtVersion };
  return [draft];
}

function qemuFields(config: QemuConfig, version: string | undefined): QemuFields {
  const q: QemuFields = {};
  if (version) q.version = version;
  if (config.cpu) {
    q.cpu = { ...(config.cpu.model ? { model: config.cpu.model } : {}), flags: config.cpu.flags };
  }
  // No -cpu, or a -cpu without hv_* props: no enlightenments. Empty, not absent, so "none" is searchable.
  q.hyperv = config.cpu?.hyperv ?? [];
  if (config.smp) q.smp = config.smp;
  if (config.rtcBase) q.rtc = { base: config.rtcBase };
  if (config.macs.length > 0) q.net = { mac: config.macs };
  if (config.machine) q.machine = config.machine;
  if (config.memoryMb !== undefined) q.memory_mb = config.memoryMb;
  if (config.spicePort !== undefined) q.spice = { port: config.spicePort };
  if (config.drives.length > 0) q.drives = config.drives;
  return q;
}

interface Timing {
  readonly ms: number;
  readonly basis: TimeBasis;
}

/** `2017-03-16 02:55:46.227+0000: ` (libvirt) or `2020-08-04T11:58:00.501164Z ` (qemu -msg timestamp=on). */
function explicitTime(state: SourceState, stamp: { type: string; value: string }): Timing {
  const s = stamp.value;
  const n = (from: number, to: number) => Number(s.slice(from, to));
  let ms: number;
  if (stamp.type === 'libvirtStamp') {
    const offset = (s[23] === '-' ? -1 : 1) * (n(24, 26) * 60 + n(26, 28));
    ms = utcMsFromParts(n(0, 4), n(5, 7), n(8, 10), n(11, 13), n(14, 16), n(17, 19), n(20, 23)) - offset * 60_000;
  } else {
    const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))? ?(Z|([+-])(\d\d):?(\d\d))/.exec(s);
    if (!m) throw new ParseFailure('HW_TIME_INVALID', LINE_GRAMMAR, s);
    const frac = Number((m[7] ?? '0').slice(0, 3).padEnd(3, '0'));
    const offset = m[8] === 'Z' ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
    ms = utcMsFromParts(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), frac) - offset * 60_000;
  }
  state.lastTimestampMs = ms;
  return { ms, basis: 'explicit' };
}

/** A line without a time takes the previous line's (`inherited`), else the shipper's read time (`ingest`). */
function implicitTime(ctx: ParseContext): Timing {
  const last = ctx.state.lastTimestampMs;
  return last === undefined ? { ms: ctx.createdMs, basis: 'ingest' } : { ms: last, basis: 'inherited' };
}

const CATEGORIES: Partial<Record<EventAction, { category: EcsEvent['event']['category']; type: EcsEvent['event']['type'] }>> = {
  'vm-start': { category: ['process'], type: ['start'] },
  'vm-config': { category: ['configuration'], type: ['info'] },
  'vm-shutdown': { category: ['process'], type: ['end'] },
  'vm-terminated-signal': { category: ['process'], type: ['end'] },
  'guest-panic': { category: ['host'], type: ['error'] },
  'kvm-internal-error': { category: ['host'], type: ['error'] },
  'cpu-feature-unsupported': { category: ['host'], type: ['info'] },
  'spice-connect': { category: ['network', 'session'], type: ['connection', 'start'] },
  'spice-disconnect': { category: ['network', 'session'], type: ['connection', 'end'] },
};

/** File name of the domain log: `.../qemu/<vm>.log` (rotated `.log.1`, compressed `.log.2.gz` too). */
const DOMAIN_FROM_PATH = /(?:^|[\\/])qemu[\\/]([^\\/]+?)\.log(?:\.\d+)?(?:\.(?:gz|xz|bz2|zst))?$/;

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
