// What one line of a qemu domain log looks like, before it is parsed: the shapes that decide whether the line
// starts a record or continues the one before it. Shared by the qemu framing (services/shipper/core, which groups
// the lines of one record) and the qemu parser (which takes a grouped record apart again), so the two agree.
//
// Records that span lines in these logs:
// - libvirt >= 6 writes the command line one option per line, each but the last ending in " \"
//   (virCommandToStringFull with line breaks, src/util/vircommand.c);
// - a log pasted where markdown ate those backslashes: `LC_ALL=C`, `PATH=...`, the binary, then one `-option value`
//   a line, with nothing saying the line goes on;
// - a log pasted from a terminal or a forum that hard-wrapped long lines at a fixed width (the header and the
//   one-line command line of libvirt < 6 are the long ones), trailing blanks trimmed.
// All checks look at the head of the line only (a one-line command line can be a megabyte).

const HEAD_CHARS = 8192;
const head = (line: string): string => (line.length > HEAD_CHARS ? line.slice(0, HEAD_CHARS) : line);

/** A leading markdown backtick (an inline-code paste), dropped before any check. */
export function withoutBacktick(line: string): string {
  return line.charCodeAt(0) === 0x60 /* ` */ ? line.replace(/^`+/, '') : line;
}

const PROGRAM = String.raw`(?:[^\s'"=\x60]*\/)?(?:qemu-system-[\w.-]+|qemu-kvm|qemu|kvm|kvm-spice)`;
const ENV = String.raw`[A-Za-z_]\w*=(?:'[^'\n]*'|[^\s'])*`;

/** `2017-03-16 02:55:46.227+0000: ` (libvirt) or `2020-08-04T11:58:00.501164Z ` (qemu -msg timestamp=on). */
const STAMPED = /^`*\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d/;
export function isStamped(line: string): boolean {
  return STAMPED.test(line);
}

/** libvirt's `<stamp>: starting up libvirt version: ...` (qemuLogOperation): always followed by the command line. */
const HEADER = /^`*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}[+-]\d{4}: starting up\b/;
export function isStartHeader(line: string): boolean {
  return HEADER.test(line);
}

/** `qemu-system-x86_64: ...`, `/usr/libexec/qemu-kvm[123]: ...`: a message qemu's error_report() wrote. */
const PROGRAM_PREFIXED = new RegExp(String.raw`^(?:\S+ )?${PROGRAM}(?:\[\d+\])?: `);
export function isProgramMessage(line: string): boolean {
  return PROGRAM_PREFIXED.test(head(withoutBacktick(line)));
}

/** A whole command line, or its first line: env assignments, the binary, then an option. */
const COMMAND_HEAD = new RegExp(String.raw`^(?:${ENV}\s+)*${PROGRAM}\s+-`);
export function isCommandHead(line: string): boolean {
  return COMMAND_HEAD.test(head(withoutBacktick(line)));
}

/**
 * Could the line be the first piece of a one-line command line hard-wrapped at a fixed width? A command head, or
 * libvirt's env in front of it (`LC_ALL=C PATH=...`: libvirt always sets LC_ALL first), which at 80 columns fills
 * the whole first piece. Not any `NAME=value` start: a register dump line (`RAX=... RBX=...`) is no command line.
 */
export function startsWrappableCommand(line: string): boolean {
  return isCommandHead(line) || /^`*LC_ALL=\S*\s/.test(line);
}

/** The line is one env assignment and nothing else (`LC_ALL=C`: a command line whose backslashes were lost). */
const BARE_ENV = new RegExp(String.raw`^${ENV}$`);
/** The line is the qemu binary alone. */
const BARE_PROGRAM = new RegExp(String.raw`^${PROGRAM}$`);
export function isBareCommandWord(line: string): boolean {
  const l = withoutBacktick(line).trimEnd();
  return l.length <= HEAD_CHARS && (BARE_ENV.test(l) || BARE_PROGRAM.test(l));
}

/** `-device ...`, `--name ...`: an option, first on its line. */
export function isOptionLine(line: string): boolean {
  return /^-{1,2}[A-Za-z]/.test(withoutBacktick(line));
}

/** Where a command line can begin or go on: an env assignment, the binary, or an option. */
const COMMAND_START = new RegExp(String.raw`^(?:[A-Za-z_]\w*=|${PROGRAM}(?:\s|$)|-{1,2}[A-Za-z])`);
export function startsCommandWords(line: string): boolean {
  return COMMAND_START.test(head(withoutBacktick(line)));
}

/** The line ends with a shell continuation (` \`, trailing blanks allowed). */
export function endsWithContinuation(line: string): boolean {
  let i = line.length - 1;
  while (i >= 0 && (line.charCodeAt(i) === 0x20 || line.charCodeAt(i) === 0x09)) i--;
  return i >= 0 && line.charCodeAt(i) === 0x5c;
}

/** An option word somewhere in the line (` -machine `): what a piece of a wrapped command line nearly always holds. */
const OPTION_WORD = /(?:^| )-{1,2}[A-Za-z][\w.-]*(?: |$)/;
export function holdsOptionWord(line: string): boolean {
  return OPTION_WORD.test(head(line));
}

/** A hard-wrapped command line is one long line cut into pieces of this many characters at most. */
export const WRAPPED_LINE_MAX = 512;

/**
 * Could `line` be the next piece of a line hard-wrapped at `width` columns (the previous piece being full width)?
 * Not when it starts a record of its own. The header is only ever followed by a command line, so after it anything
 * that is not a record start is a piece. After the first piece of a command line, which may be a short command
 * line of its own, a piece must look like one (an option word in it, or itself full width); once two pieces
 * showed the width (`established`), a shorter last piece is its tail (`g timestamp=on`).
 */
export function continuesWrapped(kind: 'header' | 'command', width: number, line: string, established = false): boolean {
  // One longer than the first piece is still a piece: the first may have lost a trailing blank.
  if (line.length > width + 1 || isStamped(line) || isProgramMessage(line) || isCommandHead(line)) return false;
  if (kind === 'header') return !startsCommandWords(line) && !isBareCommandWord(line);
  return established || holdsOptionWord(line) || isFullWidth(width, line.length);
}

/** A piece of a wrapped line that is itself full width (or one short: a trailing blank trimmed) may go on. */
export function isFullWidth(width: number, length: number): boolean {
  return length >= width - 1;
}
