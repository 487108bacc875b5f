import { runGrammar } from '../../../../grammars/run-grammar.js';
import windbgLineGrammar from '../../../../grammars/generated/windbg-line.js';
import { ParseFailure } from '../parse-failure.js';

// A WinDbg `!analyze -v` report (plus the debugger banner before it) read line by line: a cheap classifier
// picks the few key lines and each goes through grammars/windbg-line.ne (moo states + nearley). STACK_TEXT
// frames are parsed up to MAX_STACK_FRAMES and only counted beyond, so a runaway report (100k frames) costs a
// line scan, not a parse per line; lines longer than MAX_KEY_LINE_CHARS are never key lines.

export const WINDBG_GRAMMAR = 'windbg-line';
export const MAX_STACK_FRAMES = 64;
const MAX_KEY_LINE_CHARS = 4096;

interface ClockParse {
  hour: number;
  minute: number;
  second: number;
  fraction: string;
}

type LineParse =
  | { kind: 'header'; name: string; code: string }
  | { kind: 'arg'; index: number; value: string; description?: string }
  | { kind: 'summary'; code: string; parameters: string[] }
  | { kind: 'session'; month: string; day: number; time: ClockParse; year: number; zone: { name: string; sign: string; hours: number; minutes: number } }
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

export interface WindbgReport {
  header?: { name: string; code: string };
  summary?: { code: string; parameters: string[] };
  arguments: Array<{ value: string; description?: string } | undefined>;
  values: Map<string, string>;
  session?: Extract<LineParse, { kind: 'session' }>;
  uptimeMs?: number;
  builtBy?: string;
  machineName?: string;
  kernel?: { product: string; version: string; servicePack?: string; processors?: number };
  stack: string[];
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
  'STACK_TEXT',
]);

/** Uppercase words WinDbg prints with a colon that are messages, not report keys. */
const NOT_KEYS = new Set(['WARNING', 'ERROR', 'NOTE']);

type LineClass = 'key' | 'frame' | 'skip';

const KEY_PREFIX = /^([A-Z][A-Z0-9_]*):/;
const HEADER_LINE = /^[A-Z][A-Z0-9_]+ \([0-9a-fA-F]+\)\s*$/;
const FRAME_START = /^[0-9a-f]{8}(?:`[0-9a-f]{8})? /;

/** Line prefixes of the banner and analysis lines we read (first character keyed, then an exact test). */
const PREFIX_TESTS: ReadonlyArray<(line: string) => boolean> = [
  (l) => l.startsWith('Arg') && /^Arg[1-4]:/.test(l),
  (l) => l.startsWith('Debug session time:'),
  (l) => l.startsWith('System Uptime:'),
  (l) => l.startsWith('Built by:') || l.startsWith('Edition build lab:'),
  (l) => l.startsWith('Machine Name:'),
  (l) => l.startsWith('BugCheck ') && /^BugCheck [0-9A-Fa-f]+,/.test(l),
  (l) => l.startsWith('Windows ') && l.includes(' Kernel Version '),
];

function classifyLine(line: string, report: WindbgReport): LineClass {
  if (line.length === 0 || line.length > MAX_KEY_LINE_CHARS) return 'skip';
  const key = KEY_PREFIX.exec(line);
  if (key) return KEPT_KEYS.has(key[1] ?? '') ? 'key' : 'skip';
  if (!report.header && HEADER_LINE.test(line)) return 'key';
  return PREFIX_TESTS.some((test) => test(line)) ? 'key' : 'skip';
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

function applyLine(parsed: LineParse, report: WindbgReport): void {
  switch (parsed.kind) {
    case 'header':
      report.header ??= { name: parsed.name, code: parsed.code };
      break;
    case 'summary':
      report.summary ??= { code: parsed.code, parameters: parsed.parameters };
      break;
    case 'arg':
      report.arguments[parsed.index - 1] ??= { value: parsed.value, ...(parsed.description ? { description: parsed.description } : {}) };
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
      if (parsed.value) report.machineName ??= parsed.value;
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
    yield text.slice(start, end).trimEnd();
    start = end + 1;
  }
}

export function readWindbgReport(text: string): WindbgReport {
  const report: WindbgReport = { arguments: [], values: new Map(), stack: [], stackFrames: 0, unparsedLines: 0 };
  let inStack = false;
  for (const line of linesOf(text)) {
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
    if (classifyLine(line, report) === 'skip') continue;
    const parsed = parseKeyLine(line, report);
    if (parsed?.kind === 'kv' && parsed.key === 'STACK_TEXT') inStack = report.stackFrames === 0;
  }
  return report;
}
