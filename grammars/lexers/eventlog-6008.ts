import moo from 'moo';

// Lexer for the locale-formatted times of EventLog 6008 ("The previous system shutdown at 1:11:54 PM on
// 3/15/2017 was unexpected."): the two Data fields (time, date) and the message text, in en-US, zh-CN, de-DE
// and similar locales. Bidi marks (U+200E etc.) are removed before lexing (services/parser/core/windows/
// shutdown-time.ts) since Windows sprinkles them between the date's digits.

export const lexer = moo.compile({
  ws: { match: /\s+/, lineBreaks: true },
  num: /\d+/,
  colon: ':',
  sep: /[/.-]/,
  // 12-hour markers: en (AM/PM as Windows writes them, a.m./p.m.), zh (上午/下午), ja (午前/午後), ko (오전/오후).
  // Case matters: German `am` ("on the") is prose, not a meridiem.
  meridiem: /(?:AM|PM)(?![A-Za-z])|[ap]\.m\.|上午|下午|午前|午後|오전|오후/,
  word: /[^\s\d:/.-]+/,
});
