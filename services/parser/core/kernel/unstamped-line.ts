import type { EventDraft, ParseContext } from '../event-draft.js';
import { ParseFailure } from '../parse-failure.js';
import { readSyslogStamp } from '../syslog-stamp.js';
import { buildKernelDraft } from './build-event.js';
import { classifyKernelMessage } from './classify-message.js';
import { auditEpochMs } from './dated-evidence.js';
import { kernelMemo } from './kernel-memo.js';
import { draftsOfLine, rememberTime } from './line-drafts.js';
import { parseKernelLine, uptimeTokenMs } from './line-shape.js';
import { inheritedTime, learnBoot, syslogStampTime, type ResolvedTime } from './resolve-time.js';

// Lines that start with no stamp the kernel grammar knows, as they occur in what people collect and paste:
// - a syslogd wall broadcast on a terminal, "Message from syslogd@plot-071 at Jun 17 13:06:42 ..." (rsyslog's
//   WallFmt: "\r\n\7Message from syslogd@%HOSTNAME% at %timegenerated% ...\r\n %syslogtag%%msg%"; sysklogd prints
//   ctime(3) there), or journald's "Broadcast message from systemd-journald@host (Thu 2020-10-22 11:32:55 UTC):".
//   The header carries the host and the time; the message follows on the next line (" kernel:[405108.698255]
//   watchdog: BUG: soft lockup ...") and is the event, with the header's host and time.
// - a console capture with the shell prompt in front ("root@host:~# [  12.3] watchdog: ...", "/ # [...]"): the
//   record after the prompt parses; a prompt alone or a prompt and a command is no log record (dead letter).
// - a kernel message without a stamp (dmesg on a kernel built without CONFIG_PRINTK_TIME, a pasted line that lost
//   its stamp, the tab-indented continuation of a stall report): an event that inherits the previous line's
//   time (`inherited`), or the read time (`ingest`) when it is the first.
// What is no log record at all (an elision, a markdown fence, binary bytes, a stamp in a form no kernel log
// writes) is a dead letter that says so.

// "root@host:~# ", "user@host ~ $ ", "[root@node14 ~]# ", "host:~ # ", "/ # ", "bash-4.2# ", "(venv) u@h:~$ ",
// "# ", "$ ": an optional user@host / [..] / cwd part, then # or $, then a space or the end of the line.
const PROMPT = /^(?:\([^()\s]{1,40}\) )?(?:\[[^\]\n]{1,80}\]|[\w.-]+@[\w.-]+(?::[^\s#$]*)?(?: [^\s#$]+)?|[\w.-]+:[^\s#$]*|[\w.-]+-\d+(?:\.\d+)*|[~/][^\s#$]*)? ?[#$](?: |$)/;
const SYSLOGD_WALL = /^Message from syslogd@(\S+) at (.+?)\s*\.\.\.\s*$/;
const BROADCAST = /^Broadcast message from [^@\s]*@(\S+?)(?: on \S+| \([^()]*\))? \(([^()]+)\):?\s*$/;
const ELISION = /^\s*(?:\.{3,}|…+|\[\s*(?:\.{3,}|…)\s*\]|<\s*(?:snip|\.{3,})\s*>|\(\s*(?:snip|\.{3,})\s*\)|-+\s*snip\s*-+|`{3,}[\w-]*|~{3,}[\w-]*)\s*$/i;
// Characters no log line holds: C0 controls other than tab, DEL, and U+FFFD from bytes that were not UTF-8.
const BINARY = /[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/;
// A date and time (or a time alone) at the start, in a form none of the kernel log writers use.
const UNKNOWN_STAMP = /^\s*(?:\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}[ T,]+\d{1,2}:\d\d|\[?\d{1,2}:\d\d:\d\d(?:[\].,\s]|$))/;
// A syslog tag at the start of a wall broadcast's message line (" kernel:[405108.698255] ...", "systemd[1]: ...").
const TAG = /^\s*([^\s[\]:]+)(?:\[(\d+)\])?: ?/;
const KERNEL_TAG = /^kernel(?:\[\d+\])?: ?/;
const UPTIME = /^\[ *\d+\.\d+\] ?(?:\[ *[CT]\d+\] ?)?/;

function notARecord(what: string): ParseFailure {
  return new ParseFailure('HW_PARSE_NO_MATCH', 'kernel', `not a log record: ${what}`, []);
}

export function draftsOfUnstampedLine(raw: string, ctx: ParseContext): EventDraft[] {
  // rsyslog's wall text starts with CR and BEL; a terminal capture keeps them.
  const text = raw.replace(/^[\r\u0007]+/, '').replace(/\r+$/, '');
  if (text.trim() === '') return [];
  const c = text.charCodeAt(0);
  if (c === 77 /* M */ || c === 66 /* B */) {
    const wall = wallHeader(text, ctx);
    if (wall) return wall;
  }
  const prompt = PROMPT.exec(text);
  if (prompt) return afterPrompt(text, prompt[0].length, ctx);
  if (ELISION.test(text)) return fail(`an elision or a markdown fence (${JSON.stringify(text.trim().slice(0, 40))})`);
  if (kernelMemo(ctx.state).wall?.pending) return [wallMessage(text, ctx)];
  const unwrapped = unwrappedLine(text, ctx);
  if (unwrapped) return unwrapped;
  if (BINARY.test(text)) return fail('binary data (control characters or bytes that are not UTF-8)');
  if (readSyslogStamp(text) !== undefined) return fail(`a syslog stamp with no host, tag or message after it (${JSON.stringify(text.slice(0, 40))})`);
  if (UNKNOWN_STAMP.test(text)) {
    throw new ParseFailure('HW_PARSE_NO_MATCH', 'kernel', `a time stamp in a form no kernel log writer uses: ${JSON.stringify(text.slice(0, 40))}`, ['bsdStamp', 'isoStamp', 'uptime', 'wallClock']);
  }
  return [bareMessage(text, ctx)];
}

function fail(what: string): never {
  throw notARecord(what);
}

/** "Message from syslogd@host at <stamp> ..." / "Broadcast message from user@host (...) (<stamp>):". */
function wallHeader(text: string, ctx: ParseContext): EventDraft[] | undefined {
  const m = SYSLOGD_WALL.exec(text) ?? BROADCAST.exec(text);
  if (!m) return undefined;
  const host = m[1] as string;
  const stamp = (m[2] as string).trim();
  const memo = kernelMemo(ctx.state);
  const time = wallTime(stamp, ctx) ?? inheritedTime(ctx);
  memo.wall = { host, time, pending: true };
  rememberTime(ctx, memo, time);
  // The header is the envelope of the message line that follows; that line is the event.
  return [];
}

function wallTime(stamp: string, ctx: ParseContext): ResolvedTime | undefined {
  const memo = kernelMemo(ctx.state);
  const s = `${stamp} `;
  if (/^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} $/.test(s)) return syslogStampTime('ctimeStamp', s, ctx, memo);
  if (/^[A-Z][a-z]{2} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ $/.test(s)) return syslogStampTime('fullStamp', s, ctx, memo);
  if (/^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d/.test(s)) return syslogStampTime('isoStamp', s, ctx, memo);
  if (/^\S+ {1,2}\d{1,2} \d{1,2}:\d\d:\d\d(?:\.\d+)? $/.test(s)) return syslogStampTime('bsdStamp', s, ctx, memo);
  return undefined;
}

/** The message line of a wall broadcast: the header's host and time, its own tag, uptime and text. */
function wallMessage(text: string, ctx: ParseContext): EventDraft {
  const memo = kernelMemo(ctx.state);
  const wall = memo.wall as NonNullable<typeof memo.wall>;
  wall.pending = false;
  // sysklogd writes the message line as "<host> <tag>: <msg>", rsyslog as " <tag>:<msg>".
  const line = text.startsWith(`${wall.host} `) ? text.slice(wall.host.length + 1) : text;
  const tag = TAG.exec(line);
  const program = tag?.[1];
  let message = tag ? line.slice(tag[0].length) : line.trim();
  let uptimeMs: number | undefined;
  if (program === 'kernel') {
    const uptime = UPTIME.exec(message);
    if (uptime) {
      uptimeMs = uptimeTokenMs(uptime[0]);
      message = message.slice(uptime[0].length);
      learnBoot(memo, wall.time.ms - uptimeMs, wall.time.year);
    }
  }
  const isKernel = program === undefined || program === 'kernel';
  return buildKernelDraft({
    time: wall.time,
    hostName: wall.host,
    message,
    ...(uptimeMs !== undefined ? { uptimeMs } : {}),
    ...(!isKernel ? { program } : {}),
    ...(!isKernel && tag?.[2] !== undefined ? { pid: Number(tag[2]) } : {}),
    ...(isKernel ? { classified: classifyKernelMessage(message) } : {}),
    flags: ['wall-broadcast'],
  });
}

// What pastes and searches put in front of a log line: indentation or a markdown quote (`> `), and grep's file
// name and line number ("/var/log/kern.log:Mar 15 ...", "kern.log.1:", "1234:", "messages-20170319:").
const INDENT = /^(?:[ \t]+|> ?)+/;
// The file name up to its first `/` or `.` cannot hold one: written `[^\s:]*[/.][^\s:]*:`, the two runs of the same
// characters split a long word every way, and 64 KiB of `/` took 4 s (quadratic).
const GREP_PREFIX = /^(?:[^\s:/.]*[/.][^\s:]*:|(?:messages|syslog|dmesg|daemon|debug)(?:[-.][^\s:/]*)?:)?(?:\d+[:-])?/;

/** A stamped kernel line behind indentation, a quote marker or grep's prefixes; undefined when there is none. */
function unwrappedLine(text: string, ctx: ParseContext): EventDraft[] | undefined {
  const indent = INDENT.exec(text);
  const grep = indent ? undefined : GREP_PREFIX.exec(text);
  const cut = indent?.[0].length ?? grep?.[0].length ?? 0;
  if (cut === 0 || cut >= text.length) return undefined;
  let line;
  try {
    line = parseKernelLine(text.slice(cut));
  } catch (error) {
    if (error instanceof ParseFailure && error.code === 'HW_PARSE_NO_MATCH') return undefined;
    throw error;
  }
  return draftsOfLine(line, ctx, [indent ? 'indented' : 'grep-prefix']);
}

/** A console capture: the prompt is no part of the record; what follows it is, if it is a kernel log line. */
function afterPrompt(text: string, at: number, ctx: ParseContext): EventDraft[] {
  const rest = text.slice(at);
  if (rest.trim() === '') return fail(`a shell prompt (${JSON.stringify(text.trim())})`);
  let line;
  try {
    line = parseKernelLine(rest);
  } catch (error) {
    if (error instanceof ParseFailure && error.code === 'HW_PARSE_NO_MATCH') {
      return fail(`a shell prompt and command (${JSON.stringify(text.trim().slice(0, 80))})`);
    }
    throw error;
  }
  return draftsOfLine(line, ctx, ['after-shell-prompt']);
}

/** A kernel message without a stamp: inherits the previous line's time (and a wall broadcast's host). */
function bareMessage(text: string, ctx: ParseContext): EventDraft {
  const memo = kernelMemo(ctx.state);
  let message = text;
  let uptimeMs: number | undefined;
  const tag = KERNEL_TAG.exec(text);
  if (tag) {
    message = text.slice(tag[0].length);
    const uptime = UPTIME.exec(message);
    if (uptime) {
      uptimeMs = uptimeTokenMs(uptime[0]);
      message = message.slice(uptime[0].length);
    }
  }
  // dmesg -t keeps no stamp, but an audit record carries its own.
  const audit = auditEpochMs(message);
  const time: ResolvedTime = audit !== undefined ? { ms: audit, basis: 'explicit' } : inheritedTime(ctx);
  rememberTime(ctx, memo, time);
  return buildKernelDraft({
    time,
    hostName: memo.wall?.host ?? ctx.record.host,
    message,
    ...(uptimeMs !== undefined ? { uptimeMs } : {}),
    classified: classifyKernelMessage(message),
  });
}
