import type { Token } from 'moo';
import rules from '../../../../grammars/generated/kernel.js';
import { kernelLineLexer } from '../../../../grammars/lexers/kernel.js';
import { runShapedGrammar } from '../../../../grammars/run-shaped-grammar.js';

// What grammars/kernel.ne places (tokens only) and the plain line model built from it. Times are resolved later
// (resolve-time.ts) because they need the source's context (zone, year reference, boot time).

/** The stamp forms of grammars/lexers/kernel.ts, by token type. */
export type SyslogStampKind = 'bsdStamp' | 'isoStamp' | 'ctimeStamp' | 'fullStamp' | 'epochStamp';
export type DmesgStampKind = 'uptime' | 'wallClock' | 'dmesgIso' | 'reltime' | 'delta';

export interface SyslogLine {
  readonly kind: 'syslog';
  readonly stampKind: SyslogStampKind;
  /** "Mar 15 13:05:01[.123456] ", "2017-03-15T13:05:01[.123456]+08:00 ", ... */
  readonly stamp: string;
  /** Absent when the line has no host field ("Jun  2 10:11:12 kernel: ..."). */
  readonly host?: string;
  /** Severity from `<4>` or `kern.warn` when the line carries one. */
  readonly level?: string;
  /** `kernel` for kernel lines, the program name otherwise; absent when the line has no tag. */
  readonly program?: string;
  readonly pid?: number;
  readonly uptimeMs?: number;
  readonly message: string;
}

export interface DmesgLine {
  readonly kind: 'dmesg';
  readonly stampKind: DmesgStampKind;
  readonly stamp: string;
  /** journalctl -o short-monotonic names the host after the uptime. */
  readonly host?: string;
  readonly level?: string;
  readonly message: string;
}

export interface MarkerLine {
  readonly kind: 'marker';
  readonly text: string;
}

export type KernelLine = SyslogLine | DmesgLine | MarkerLine;

/** The grammar's placement of one line's tokens (grammars/kernel.ne). */
interface Placed {
  readonly kind: 'syslog' | 'dmesg' | 'monotonic' | 'marker';
  readonly pri?: Token | null;
  readonly decoded?: Token | null;
  readonly stamp?: Token;
  readonly host?: Token | null;
  readonly level?: Token | null;
  readonly tag?: Token | null;
  readonly uptime?: Token | null;
  readonly text?: Token | null;
}

// RFC 5424 severity names by number: `<4>` (dmesg -r, kmsg) -> "warning".
const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

/**
 * Parses one line's structure; throws ParseFailure (HW_PARSE_NO_MATCH) when it starts with no known stamp.
 * Shaped (nearley once per token shape, both for the line and for the message classifier): measured on
 * bench/kernel-grammar.ts's mix, CPU time best of 7, 93k lines/s with a nearley parser per line -> 200k lines/s,
 * 0.31 -> 0.64 of the libvirtd parser's rate in the same run.
 */
export function parseKernelLine(text: string): KernelLine {
  return buildKernelLine(runShapedGrammar<Placed>('kernel', rules, kernelLineLexer, text));
}

function buildKernelLine(p: Placed): KernelLine {
  const message = p.text ? p.text.text : '';
  if (p.kind === 'marker') return { kind: 'marker', text: message };
  const stamp = p.stamp as Token;
  const level = levelOf(p);
  if (p.kind === 'dmesg' || p.kind === 'monotonic') {
    const dmesg: { -readonly [K in keyof DmesgLine]: DmesgLine[K] } = { kind: 'dmesg', stampKind: stamp.type as DmesgStampKind, stamp: stamp.text, message };
    if (level !== undefined) dmesg.level = level;
    // "sc7 kernel: " of short-monotonic
    if (p.kind === 'monotonic' && p.host) dmesg.host = p.host.text.slice(0, p.host.text.indexOf(' '));
    return dmesg;
  }
  const line: { -readonly [K in keyof SyslogLine]: SyslogLine[K] } = { kind: 'syslog', stampKind: stamp.type as SyslogStampKind, stamp: stamp.text, message };
  // RFC 5424 writes `-` for an unknown host.
  if (p.host && p.host.text !== '- ') line.host = p.host.text.slice(0, -1);
  if (level !== undefined) line.level = level;
  if (p.tag) {
    if (p.tag.type === 'kernelTag' || p.tag.type === 'rfcKernelApp') line.program = 'kernel';
    else if (p.tag.type === 'rfcApp') {
      // RFC 5424 "APP-NAME PROCID MSGID SD": "libvirtd 2417 - - "
      const [app, procid] = p.tag.text.split(' ');
      if (app !== undefined && app !== '-') line.program = app;
      if (procid !== undefined && /^\d+$/.test(procid)) line.pid = Number(procid);
    } else {
      const raw = p.tag.text.replace(/: ?$/, '');
      const open = raw.indexOf('[');
      line.program = open === -1 ? raw : raw.slice(0, open);
      if (open !== -1) line.pid = Number(raw.slice(open + 1, -1));
    }
  }
  if (p.uptime) line.uptimeMs = uptimeTokenMs(p.uptime.text);
  return line;
}

function levelOf(p: Placed): string | undefined {
  if (p.level) return p.level.text.slice(p.level.text.indexOf('.') + 1, -1);
  if (p.decoded) {
    // dmesg -x: "kern  :warn  : "
    const colon = p.decoded.text.indexOf(':');
    return p.decoded.text.slice(colon + 1, p.decoded.text.indexOf(':', colon + 1)).trim();
  }
  if (p.pri) return SEVERITIES[Number(p.pri.text.slice(1, p.pri.text.indexOf('>'))) % 8];
  return undefined;
}

/** "[  123.456789] " -> 123456.789 (ms); integer arithmetic, no float parse of the whole stamp. */
export function uptimeTokenMs(token: string): number {
  const open = token.indexOf('[');
  let i = open + 1;
  while (token.charCodeAt(i) === 32) i++;
  const dot = token.indexOf('.', i);
  const whole = Number(token.slice(i, dot));
  let end = dot + 1;
  while (end < token.length && token.charCodeAt(end) >= 48 && token.charCodeAt(end) <= 57) end++;
  const frac = token.slice(dot + 1, end).padEnd(6, '0').slice(0, 6);
  return whole * 1000 + Number(frac) / 1000;
}
