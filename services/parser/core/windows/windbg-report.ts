import { runGrammar } from '../../../../grammars/run-grammar.js';
import windbgLineGrammar from '../../../../grammars/generated/windbg-line.js';
import { ParseFailure } from '../parse-failure.js';
import { bugcheckNameOf, normalizeBugcheckCode } from '../bugcheck.js';
import { parseWerBugcheck } from './wer-bugcheck.js';

// A WinDbg `!analyze -v` report (plus the debugger banner before it) read line by line: a cheap classifier
// picks the few key lines and each goes through grammars/windbg-line.ne (moo states + nearley). STACK_TEXT
// frames are parsed up to MAX_STACK_FRAMES and only counted beyond, so a runaway report (100k frames) costs a
// line scan, not a parse per line; lines longer than MAX_KEY_LINE_CHARS are never key lines.
//
// Reports arrive pasted as much as saved: indented as a code block, quoted (`> `), after prose, with a reader's
// `<--` notes, cut short. A line is read after its leading blanks and quote marks. One text may hold several
// debugger sessions (the analyses of several minidumps pasted one after another): each `Microsoft (R) Windows
// Debugger` banner or second `Loading Dump File` starts another report.

export const WINDBG_GRAMMAR = 'windbg-line';
export const MAX_STACK_FRAMES = 64;
const MAX_KEY_LINE_CHARS = 4096;

interface ClockParse {
  hour: number;
  minute: number;
  second: number;
  fraction: string;
}

export interface SessionParse {
  readonly kind: 'session';
  readonly month: string;
  readonly day: number;
  readonly time: ClockParse;
  readonly year: number;
  /** Absent when WinDbg printed no zone (`Debug session time: Fri Jun 11 10:22:46 2004`). */
  readonly zone?: { name: string; sign: string; hours: number; minutes: number };
}

type LineParse =
  | { kind: 'header'; name?: string; code: string }
  | { kind: 'arg'; index: number; value: string; description?: string }
  | { kind: 'summary'; code: string; parameters: string[] }
  | { kind: 'fatal'; code: string; parameters?: string[] }
  | { kind: 'fatalArgs'; parameters: string[] }
  | { kind: 'bugcheckCode'; code: string }
  | { kind: 'argumentList'; parameters: string[] }
  | { kind: 'loading'; path: string }
  | SessionParse
  | { kind: 'uptime'; days?: number; time?: ClockParse }
  | { kind: 'built'; value?: string }
  | { kind: 'machine'; value?: string }
  | { kind: 'kernel'; product: string; version: string; servicePack?: string; processors?: number }
  | { kind: 'kv'; key: string; value: string }
  | { kind: 'frame'; columns: FrameColumn[] };

interface FrameColumn {
  readonly type: 'address' | 'sep' | 'symbol';
  readonly text: string;
}

/** One bugcheck heading (`NAME (code)` or `Unknown bugcheck code (code)`) and the `ArgN:` lines under it. */
export interface BugcheckSection {
  /** Absent for `Arg` lines pasted without their heading. */
  code?: string;
  name?: string;
  readonly args: Array<{ value: string; description?: string } | undefined>;
}

/** A code with the parameters printed beside it (`BugCheck`, `*** Fatal System Error`, `.bugcheck`). */
export interface PrintedBugcheck {
  code?: string;
  parameters?: string[];
}

export interface WindbgReport {
  /** Every bugcheck heading in order: a report may analyse one crash twice (an older then a newer WinDbg). */
  readonly sections: BugcheckSection[];
  summary?: PrintedBugcheck;
  fatal?: PrintedBugcheck;
  /** WER 1001's sentence pasted beside the report (`The bugcheck was: 0x... (0x..., ...)`, in any language). */
  wer?: PrintedBugcheck;
  dotBugcheck?: PrintedBugcheck;
  readonly values: Map<string, string>;
  session?: SessionParse;
  uptimeMs?: number;
  builtBy?: string;
  machineName?: string;
  kernel?: { product: string; version: string; servicePack?: string; processors?: number };
  /** The dump the session opened (`Loading Dump File [...]`). */
  dumpFile?: string;
  readonly stack: string[];
  stackFrames: number;
  /** Key lines no line grammar accepted (kept out of the event, flagged: the rest of the report still counts). */
  unparsedLines: number;
}

/** The `KEY:` lines the report keeps (shared/schema/event.ts windows.windbg.*, plus the newer bugcheck lines). */
const KEPT_KEYS = new Set([
  'BUGCHECK_STR',
  'BUGCHECK_CODE',
  'BUGCHECK_P1',
  'BUGCHECK_P2',
  'BUGCHECK_P3',
  'BUGCHECK_P4',
  'PROCESS_NAME',
  'CURRENT_IRQL',
  'MODULE_NAME',
  'IMAGE_NAME',
  'FAILURE_BUCKET_ID',
  'FILE_IN_CAB',
  'STACK_TEXT',
]);

/** Uppercase words WinDbg prints with a colon that are messages, not report keys. */
const NOT_KEYS = new Set(['WARNING', 'ERROR', 'NOTE']);

const KEY_PREFIX = /^([A-Z][A-Z0-9_]*):/;
const HEADER_LINE = /^[A-Z][A-Z0-9_]+ \((?:0[xX])?[0-9a-fA-F]+\)$/;
const FRAME_START = /^[0-9a-f]{8}(?:`[0-9a-f]{8})? /;
/** WER 1001's bugcheck in its sentence: a 0x code, then four 0x parameters in parentheses (any language around it). */
const WER_BUGCHECK = /0[xX][0-9a-fA-F]{8}\s?[(（]0[xX][0-9a-fA-F]+\s?[,，]\s?0[xX]/;
/** The debugger's first line (old versions print two spaces before `Version`). */
const BANNER = /^Microsoft \(R\) Windows Debugger +Version/;

/** Line prefixes of the banner and analysis lines we read (a startsWith first, then an exact test). */
const PREFIX_TESTS: ReadonlyArray<(line: string) => boolean> = [
  (l) => l.startsWith('Arg') && /^Arg[1-4]:/.test(l),
  (l) => l.startsWith('Debug session time:'),
  (l) => l.startsWith('System Uptime:'),
  (l) => l.startsWith('Built by:') || l.startsWith('Edition build lab:'),
  (l) => l.startsWith('Machine Name:'),
  (l) => l.startsWith('Loading Dump File ['),
  (l) => l.startsWith('BugCheck ') && /^BugCheck [0-9A-Fa-f]+,/.test(l),
  (l) => l.startsWith('*** Fatal System Error:'),
  (l) => l.startsWith('Bugcheck code '),
  (l) => l.startsWith('Arguments ') && /^Arguments +(?:0[xX])?[0-9a-fA-F]/.test(l),
  (l) => l.startsWith('Unknown bugcheck code ('),
  (l) => l.startsWith('Windows ') && l.includes(' Kernel Version '),
];

/**
 * A line as the report wrote it: without trailing blanks (CRLF), and without the leading blanks and `>` quote
 * marks a paste adds (checked on the first character: most lines have none).
 */
function normalizeLine(raw: string): string {
  const line = raw.trimEnd();
  const first = line.charCodeAt(0);
  return first === 0x20 || first === 0x09 || first === 0x3e ? line.replace(/^[\s>]+/, '') : line;
}

function isKeyLine(line: string, expectFatalArgs: boolean): boolean {
  if (line.length === 0 || line.length > MAX_KEY_LINE_CHARS) return false;
  const key = KEY_PREFIX.exec(line);
  if (key) return KEPT_KEYS.has(key[1] ?? '');
  if (expectFatalArgs && line.startsWith('(')) return true;
  if (HEADER_LINE.test(line)) return true;
  return PREFIX_TESTS.some((test) => test(line));
}

/**
 * The call site of a frame: what follows the last ` : ` of a 64-bit frame (`Child-SP RetAddr : Args : Call
 * Site`), or the leading addresses of a 32-bit one (`ChildEBP RetAddr Args...`). It may hold spaces
 * (`nt! ?? ::FNODOBFM::\`string'+0x13ba4`); a frame with no symbol keeps its last address.
 */
function callSite(columns: readonly FrameColumn[]): string {
  let start = columns.findLastIndex((c) => c.type === 'sep') + 1;
  if (start === 0) while (start < columns.length && columns[start]?.type === 'address') start++;
  const site = columns.slice(start).map((c) => c.text).join(' ');
  return site !== '' ? site : (columns[columns.length - 1]?.text ?? '');
}

function clockMs(t: ClockParse): number {
  return ((t.hour * 60 + t.minute) * 60 + t.second) * 1000 + Number(t.fraction.slice(0, 3).padEnd(3, '0'));
}

function emptyReport(): WindbgReport {
  return { sections: [], values: new Map(), stack: [], stackFrames: 0, unparsedLines: 0 };
}

function applyLine(parsed: LineParse, report: WindbgReport): void {
  switch (parsed.kind) {
    case 'header':
      report.sections.push({ code: parsed.code, ...(parsed.name ? { name: parsed.name } : {}), args: [] });
      break;
    case 'arg': {
      let section = report.sections[report.sections.length - 1];
      if (!section) report.sections.push((section = { args: [] }));
      // A paste may repeat lines (`Arg3:`/`Arg4:` twice): the first under a heading counts.
      section.args[parsed.index - 1] ??= { value: parsed.value, ...(parsed.description ? { description: parsed.description } : {}) };
      break;
    }
    case 'summary':
      report.summary = { code: parsed.code, parameters: parsed.parameters };
      break;
    case 'fatal':
      report.fatal = { code: parsed.code, ...(parsed.parameters ? { parameters: parsed.parameters } : {}) };
      break;
    case 'fatalArgs':
      if (report.fatal) report.fatal.parameters ??= parsed.parameters;
      break;
    case 'bugcheckCode':
      report.dotBugcheck = { code: parsed.code };
      break;
    case 'argumentList':
      if (report.dotBugcheck) report.dotBugcheck.parameters ??= parsed.parameters;
      break;
    case 'loading':
      report.dumpFile ??= parsed.path;
      break;
    case 'session':
      report.session ??= parsed;
      break;
    case 'uptime':
      if (parsed.time) report.uptimeMs ??= (parsed.days ?? 0) * 86_400_000 + clockMs(parsed.time);
      break;
    case 'built':
      if (parsed.value) report.builtBy ??= parsed.value;
      break;
    case 'machine':
      // `Machine Name:` is often empty, or `""` in newer WinDbg.
      if (parsed.value && parsed.value !== '""') report.machineName ??= parsed.value;
      break;
    case 'kernel':
      report.kernel ??= parsed;
      break;
    case 'kv':
      if (!report.values.has(parsed.key)) report.values.set(parsed.key, parsed.value);
      break;
    case 'frame':
      report.stack.push(callSite(parsed.columns));
      break;
  }
}

/** Parses one key line; a line no grammar accepts is counted, an ambiguous one (a grammar bug) is thrown. */
function parseKeyLine(line: string, report: WindbgReport): LineParse | undefined {
  try {
    const parsed = runGrammar<LineParse>(WINDBG_GRAMMAR, windbgLineGrammar, line);
    applyLine(parsed, report);
    return parsed;
  } catch (error) {
    if (error instanceof ParseFailure && error.code === 'HW_PARSE_NO_MATCH') {
      report.unparsedLines++;
      return undefined;
    }
    throw error;
  }
}

/** Iterates the lines of a text without materializing them all (a report may hold 100k frames). */
function* linesOf(text: string): Generator<string> {
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    yield text.slice(start, end);
    start = end + 1;
  }
}

/** WER 1001's sentence, read by its own grammar (grammars/wer-1001.ne); a line it does not accept is counted. */
function readWerLine(line: string, report: WindbgReport): void {
  try {
    const bugcheck = parseWerBugcheck(line);
    if (bugcheck) report.wer = { code: bugcheck.code, ...(bugcheck.parameters ? { parameters: bugcheck.parameters } : {}) };
  } catch (error) {
    if (!(error instanceof ParseFailure)) throw error;
    report.unparsedLines++;
  }
}

/** Whether a report read so far holds what one debugger session gives, so a new banner starts another. */
function holdsSession(report: WindbgReport): boolean {
  return report.dumpFile !== undefined || report.session !== undefined || report.sections.length > 0 || report.summary !== undefined || report.fatal !== undefined;
}

/** Reads the reports of a text: one per debugger session (usually one), in order. */
export function readWindbgReports(text: string): WindbgReport[] {
  const reports: WindbgReport[] = [];
  let report = emptyReport();
  let inStack = false;
  let expectFatalArgs = false;
  for (const raw of linesOf(text)) {
    const line = normalizeLine(raw);
    if (inStack) {
      if (FRAME_START.test(line)) {
        report.stackFrames++;
        if (report.stack.length < MAX_STACK_FRAMES && line.length <= MAX_KEY_LINE_CHARS) parseKeyLine(line, report);
        continue;
      }
      // Frames end at a blank line or the next KEY: line; "WARNING: Stack unwind ..." lines sit between frames.
      const key = KEY_PREFIX.exec(line)?.[1];
      if (line.length === 0 || (key !== undefined && !NOT_KEYS.has(key))) inStack = false;
      else continue;
    }
    const startsSession = (line.startsWith('Microsoft (R)') && BANNER.test(line)) || (line.startsWith('Loading Dump File [') && report.dumpFile !== undefined);
    if (startsSession && holdsSession(report)) {
      reports.push(report);
      report = emptyReport();
    }
    if (!isKeyLine(line, expectFatalArgs)) {
      if (line.length > 0) expectFatalArgs = false;
      if (line.length <= MAX_KEY_LINE_CHARS && WER_BUGCHECK.test(line)) readWerLine(line, report);
      continue;
    }
    const parsed = parseKeyLine(line, report);
    // The kernel prints a fatal error's parameters on the line after its code.
    expectFatalArgs = parsed?.kind === 'fatal' && parsed.parameters === undefined;
    if (parsed?.kind === 'kv' && parsed.key === 'STACK_TEXT') inStack = report.stackFrames === 0;
  }
  reports.push(report);
  if (reports.length === 1 && !hasBugcheckMarker(report)) readRunOnHeading(text, report);
  return reports;
}

function hasBugcheckMarker(report: WindbgReport): boolean {
  return report.sections.some((s) => s.code !== undefined) || report.summary !== undefined || report.fatal !== undefined || report.dotBugcheck !== undefined || report.wer !== undefined || report.values.has('BUGCHECK_CODE') || report.values.has('BUGCHECK_STR');
}

const RUN_ON_HEADING = /\b([A-Z][A-Z0-9]*_[A-Z0-9_]+) \(([0-9a-fA-F]{1,8})\)/g;
const RUN_ON_ARG = /\bArg([1-4]): ((?:0[xX])?[0-9a-fA-F]+(?:`[0-9a-fA-F]+)?)\b/g;

/**
 * A report whose line breaks were lost (pasted through a form or a chat that joins lines): the heading and its Arg
 * values inside running text. Only a heading whose name is the reference name of its code counts, so prose that
 * merely looks like one (`SOME_THING (12)`) is never read as a bugcheck.
 */
function readRunOnHeading(text: string, report: WindbgReport): void {
  for (const m of text.slice(0, 1 << 20).matchAll(RUN_ON_HEADING)) {
    const code = normalizeBugcheckCode(m[2] ?? '');
    if (!code || bugcheckNameOf(code) !== m[1]) continue;
    const section: BugcheckSection = { code: m[2]!, name: m[1]!, args: [] };
    const after = text.slice((m.index ?? 0) + m[0].length, (m.index ?? 0) + m[0].length + 4096);
    for (const a of after.matchAll(RUN_ON_ARG)) section.args[Number(a[1]) - 1] ??= { value: a[2]! };
    report.sections.push(section);
    return;
  }
}
