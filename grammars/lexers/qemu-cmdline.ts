import moo from 'moo';

// Lexer for the qemu command line libvirt writes into the domain log (src/qemu/qemu_process.c logs
// virCommandToString: env assignments, the binary, then options; shell-quoted with single quotes, e.g. the JSON
// of -blockdev/-object/-device). Newer libvirt (>= 6.x) breaks it into lines ending with " \"; the shipper may
// join them or not, so a backslash-newline is just whitespace here.
// Tokens are shell-word pieces; a word is one or more adjacent pieces (file='/a b'x is one word).

export const lexer = moo.compile({
  ws: { match: /(?:[ \t]|\\\r?\n|\r?\n)+/, lineBreaks: true },
  // `-name`, `--name`: only at the start of a word (the grammar requires whitespace before an option).
  option: /--?[A-Za-z][\w.-]*/,
  // `LC_ALL=`, `file=`: names an env assignment before the binary; inside an option value it is plain text.
  assign: /[A-Za-z_]\w*=/,
  squoted: { match: /'[^']*'/, lineBreaks: true, value: (s) => s.slice(1, -1) },
  dquoted: { match: /"(?:[^"\\]|\\[^])*"/, lineBreaks: true, value: (s) => s.slice(1, -1).replace(/\\([^])/g, '$1') },
  escaped: { match: /\\[^\r\n]/, value: (s) => s.slice(1) },
  word: /[^\s'"\\]+/,
});
