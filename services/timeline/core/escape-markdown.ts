// Log text in Markdown must stay text: a `|` would split a table cell, a newline would end the row, and `<`,
// `*`, `_`, `[`, backticks would turn into HTML or formatting (a message like `<img onerror=...>` is live HTML
// in many renderers). CommonMark lets any ASCII punctuation be backslash-escaped (spec 0.31, section 2.4), and
// GFM tables need `\|` for a literal pipe, so each of those characters gets a backslash; newlines become <br>.

// Only the characters that mean something inside a line: `-`, `#`, `+` matter at a line start, never in a cell.
const SPECIAL = /[\\`*_[\]<>|~&]/g;

export function escapeMarkdownInline(text: string): string {
  return stripControls(text)
    .replace(SPECIAL, (c) => `\\${c}`)
    .replace(/\r\n|\r|\n/g, '<br>');
}

/** A fenced code block whose fence is longer than any backtick run in the text, so the text cannot close it. */
export function fenceMarkdown(text: string, info = ''): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${stripControls(text)}\n${fence}`;
}

/** C0 controls other than tab/newline render as nothing or garbage; make them visible. */
function stripControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd');
}
