import moo from 'moo';

// Lexer for the bugcheck text of WER event 1001 (provider Microsoft-Windows-WER-SystemErrorReporting, source
// BugCheck): `param1` holds either `0x00000101 (0x0000000000000061, ...)` or the whole localized sentence
// ("The computer has rebooted from a bugcheck.  The bugcheck was: 0x00000101 (...). A dump was saved in: ...").
// Only 0x-prefixed numbers are hex tokens, so the surrounding prose (in any language) is plain text.

export const lexer = moo.compile({
  ws: { match: /\s+/, lineBreaks: true },
  hex: /0[xX][0-9a-fA-F]+(?![0-9a-zA-Z_])/,
  lparen: /[(（]/,
  rparen: /[)）]/,
  comma: /[,，]/,
  text: /[^\s(),（），]+/,
});
