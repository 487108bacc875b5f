import moo from 'moo';

// Lexer for the qemu command line libvirt writes into the domain log (src/qemu/qemu_process.c logs
// virCommandToString: env assignments, the binary, then options; shell-quoted with single quotes, e.g. the JSON
// of -blockdev/-object/-device). Newer libvirt (>= 6.x) breaks it into lines ending with " \"; the shipper may
// join them or not, so a backslash-newline is just whitespace here.
// One token per shell word (a word may be several quoted pieces: file='/a b'x), unquoted by `value`: the
// grammar then sees about two tokens per option, and nothing it has to reassemble.

// A quote left open runs to the end of the input: the command line was cut inside it (a log copied while libvirt
// wrote it, a paste cut short). Taking it as a word keeps what came before; the caller flags the line partial.
const WORD = String.raw`(?:[^\s'"\\]+|'[^']*(?:'|$)|"(?:[^"\\]|\\[^])*(?:"|$)|\\[^\r\n])+`;
const PIECE = /'([^']*)(?:'|$)|"((?:[^"\\]|\\[^])*)(?:"|$)|\\([^\r\n])|([^\s'"\\]+)/g;

/** Removes shell quoting: 'a b' -> a b, "a\"b" -> a"b, \x -> x. */
export function unquoteWord(word: string): string {
  if (!/['"\\]/.test(word)) return word;
  let out = '';
  for (const m of word.matchAll(PIECE)) {
    if (m[1] !== undefined) out += m[1];
    else if (m[2] !== undefined) out += m[2].replace(/\\([^])/g, '$1');
    else out += m[3] ?? m[4] ?? '';
  }
  return out;
}

const words = moo.compile({
  ws: { match: /(?:[ \t]|\\\r?\n|\r?\n)+/, lineBreaks: true },
  // `-name`, `--name`, as a whole word.
  option: { match: /--?[A-Za-z][\w.-]*(?![^\s])/, value: (s) => s.replace(/^--?/, '') },
  // `LC_ALL=C`: an env assignment before the binary; after it, an option value like `file=/x`.
  assign: { match: new RegExp(String.raw`[A-Za-z_]\w*=(?:${WORD})?`), value: unquoteWord },
  word: { match: new RegExp(WORD), value: unquoteWord },
});

// Whitespace only separates words (a word token is greedy, so two word tokens are never adjacent): the grammar
// never sees it. Halves the tokens and removes the nullable rules that nearley paid for at every word
// (measured on the seed's command line: 1.46 ms -> see bench/qemu-cmdline.bench.ts).
export const lexer = {
  reset(chunk: string, state?: moo.LexerState): void {
    words.reset(chunk, state);
  },
  next(): moo.Token | undefined {
    let token = words.next();
    while (token !== undefined && token.type === 'ws') token = words.next();
    return token;
  },
  save: (): moo.LexerState => words.save(),
  formatError: (token: moo.Token, message?: string): string => words.formatError(token, message),
  has: (type: string): boolean => words.has(type),
  [Symbol.iterator](): Iterator<moo.Token> {
    return { next: () => { const value = this.next(); return value === undefined ? { done: true, value: undefined } : { done: false, value }; } };
  },
};
