import moo from 'moo';

// Lexer for the key lines of a WinDbg `!analyze -v` report (and the debugger banner before it). The report is
// line-structured: services/parser/core/windows/windbg-report.ts classifies lines cheaply and feeds only the
// key lines (one at a time) to grammars/windbg-line.ne. The first token of a line picks the state that lexes
// the rest of it, so every line kind has its own small token set.

const ws = { match: /[ \t]+/, lineBreaks: false };
const rest = { ws, value: { match: /\S(?:.*\S)?/, value: (s: string) => s } };

const states = moo.states({
  main: {
    argKey: { match: /Arg[1-4]:/, next: 'arg', value: (s: string) => s.slice(3, 4) },
    sessionKey: { match: /Debug session time:/, next: 'clock' },
    uptimeKey: { match: /System Uptime:/, next: 'clock' },
    builtKey: { match: /Built by:|Edition build lab:/, next: 'rest' },
    machineKey: { match: /Machine Name:/, next: 'rest' },
    // `BugCheck 101, {61, 0, 807a3120, 1}`: the one-line summary WinDbg prints when it opens a dump.
    summaryKey: { match: /BugCheck(?= [0-9A-Fa-f]+,)/, next: 'summary' },
    kernelKey: { match: /Windows(?= .*Kernel Version )/, next: 'kernel' },
    key: { match: /[A-Z][A-Z0-9_]*:/, next: 'rest', value: (s: string) => s.slice(0, -1) },
    // `CLOCK_WATCHDOG_TIMEOUT (101)`: the bugcheck header under the "Bugcheck Analysis" banner.
    name: { match: /[A-Z][A-Z0-9_]+(?= \([0-9a-fA-F]+\)[ \t]*$)/, next: 'header' },
    address: { match: /[0-9a-f]+(?:`[0-9a-f]+)?(?=[ \t])/, next: 'frame' },
  },
  rest,
  header: { ws, lparen: '(', rparen: ')', hex: /[0-9a-fA-F]+/ },
  arg: {
    ws,
    hex: /[0-9a-fA-F]+(?:`[0-9a-fA-F]+)?/,
    comma: { match: ',', next: 'rest' },
  },
  summary: { ws, hex: /[0-9a-fA-F]+(?:`[0-9a-fA-F]+)?/, comma: ',', lbrace: '{', rbrace: '}' },
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
