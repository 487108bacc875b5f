import moo from 'moo';

// Lexer for the key lines of a WinDbg `!analyze -v` report (and the debugger banner before it). The report is
// line-structured: services/parser/core/windows/windbg-report.ts classifies lines cheaply and feeds only the
// key lines (one at a time) to grammars/windbg-line.ne. The first token of a line picks the state that lexes
// the rest of it, so every line kind has its own small token set.

const ws = { match: /[ \t]+/, lineBreaks: false };
const rest = { ws, value: { match: /\S(?:.*\S)?/, value: (s: string) => s } };

// A hex number as WinDbg and the kernel print them: `d1`, `0x000000D1`, `fffff800\`12345678` (64-bit halves).
const hexNumber = /(?:0[xX])?[0-9a-fA-F]+(?:`[0-9a-fA-F]+)?/;

const states = moo.states({
  main: {
    argKey: { match: /Arg[1-4]:/, next: 'arg', value: (s: string) => s.slice(3, 4) },
    sessionKey: { match: /Debug session time:/, next: 'clock' },
    uptimeKey: { match: /System Uptime:/, next: 'clock' },
    builtKey: { match: /Built by:|Edition build lab:/, next: 'rest' },
    machineKey: { match: /Machine Name:/, next: 'rest' },
    // `Loading Dump File [C:\Windows\Minidump\042025-74062-01.dmp]`: which dump the session opened.
    loadingKey: { match: /Loading Dump File/, next: 'rest' },
    // `BugCheck 101, {61, 0, 807a3120, 1}`: the one-line summary WinDbg prints when it opens a dump.
    summaryKey: { match: /BugCheck(?= [0-9A-Fa-f]+,)/, next: 'summary' },
    // `*** Fatal System Error: 0x00000050` (+ its `(0x..,0x..,0x..,0x..)` on the same or the next line): what the
    // kernel prints to an attached kernel debugger when it bugchecks (KeBugCheck2's DbgPrint).
    fatalKey: { match: /\*\*\* Fatal System Error:/, next: 'numbers' },
    // `Bugcheck code 0000009F` / `Arguments 00000000\`00000003 ...`: the `.bugcheck` command's two lines.
    bugcheckCodeKey: { match: /Bugcheck code(?= )/, next: 'numbers' },
    argumentsKey: { match: /Arguments(?= +(?:0[xX])?[0-9a-fA-F])/, next: 'numbers' },
    // `Unknown bugcheck code (19c)`: older WinDbg's heading for a code it has no name for.
    unknownKey: { match: /Unknown bugcheck code(?= \()/, next: 'header' },
    kernelKey: { match: /Windows(?= .*Kernel Version )/, next: 'kernel' },
    key: { match: /[A-Z][A-Z0-9_]*:/, next: 'rest', value: (s: string) => s.slice(0, -1) },
    // `CLOCK_WATCHDOG_TIMEOUT (101)`: the bugcheck header under the "Bugcheck Analysis" banner.
    name: { match: /[A-Z][A-Z0-9_]+(?= \((?:0[xX])?[0-9a-fA-F]+\)[ \t]*$)/, next: 'header' },
    // The parameter line of a `*** Fatal System Error:` printed on its own line.
    lparen: { match: '(', next: 'numbers' },
    address: { match: /[0-9a-f]+(?:`[0-9a-f]+)?(?=[ \t])/, next: 'frame' },
  },
  rest,
  header: { ws, lparen: '(', rparen: ')', hex: /(?:0[xX])?[0-9a-fA-F]+/ },
  // `Arg1: ffffa0012dc38000, memory referenced` and pasted variants: no description, or a reader's annotation
  // without the comma (`Arg2: 0000000000000002   <-- IRQL`).
  arg: { ws, hex: { match: hexNumber, next: 'argNote' } },
  argNote: { ws, comma: ',', value: { match: /[^\s,](?:.*\S)?/, value: (s: string) => s } },
  summary: { ws, hex: hexNumber, comma: ',', lbrace: '{', rbrace: '}' },
  numbers: { ws, hex: hexNumber, comma: ',', lparen: '(', rparen: ')' },
  clock: {
    ws,
    int: /\d+/,
    colon: ':',
    dot: '.',
    lparen: '(',
    rparen: ')',
    sign: /[+-]/,
    word: /[A-Za-z]+/,
  },
  kernel: {
    ws,
    lparen: '(',
    rparen: ')',
    num: /\d+(?:\.\d+)*(?![^\s()])/,
    word: {
      match: /[^\s()]+/,
      type: moo.keywords({ kernel: 'Kernel', version: 'Version', mp: 'MP', up: 'UP', procs: ['procs', 'proc'] }),
    },
  },
  frame: {
    ws,
    // ` : ` separates addresses, arguments and call site in 64-bit stacks; `::` inside a symbol is not one.
    sep: /:(?=[ \t]|$)/,
    address: /[0-9a-f]+(?:`[0-9a-f]+)?(?=[ \t]|$)/,
    symbol: /[^\s]+/,
  },
});

/**
 * The lexer nearley sees: the state lexer with whitespace tokens dropped. Whitespace still separates tokens
 * and drives the lookaheads above, but a grammar without optional-whitespace rules has far fewer Earley items
 * (nullable rules are nearley's slow path): measured ~3x faster on stack frame lines.
 */
export const lexer = {
  reset(chunk: string, info?: moo.LexerState): void {
    states.reset(chunk, info);
  },
  next(): moo.Token | undefined {
    let token = states.next();
    while (token !== undefined && token.type === 'ws') token = states.next();
    return token;
  },
  save: (): moo.LexerState => states.save(),
  formatError: (token: moo.Token, message?: string): string => states.formatError(token, message),
  has: (name: string): boolean => states.has(name),
};
