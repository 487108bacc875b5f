import { showControls } from '../../../shared/text/visible-controls.js';

// Log text in Markdown must stay text: a `|` would split a table cell, a newline would end the row, and `<`,
// `*`, `_`, `[`, backticks would turn into HTML or formatting (a message like `<img onerror=...>` is live HTML
// in many renderers). CommonMark lets any ASCII punctuation be backslash-escaped (spec 0.31, section 2.4), and
// GFM tables need `\|` for a literal pipe, so each of those characters gets a backslash; newlines become <br>.
// Controls and bidi overrides are shown as `\uXXXX` (a terminal `cat` of the file must not run a guest's ESC).

// Only the characters that mean something inside a line: `-`, `#`, `+` matter at a line start, never in a cell.
const SPECIAL = /[\\`*_[\]<>|~&]/g;

export function escapeMarkdownInline(text: string): string {
  return showControls(text.replace(SPECIAL, (c) => `\\${c}`))
    .replace(/\r\n|\r|\n/g, '<br>');
}

/** A fenced code block whose fence is longer than any backtick run in the text, so the text cannot close it. */
export function fenceMarkdown(text: string, info = ''): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${showControls(text)}\n${fence}`;
}
