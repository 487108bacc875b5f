import type { XmlElement } from '../windows/event-xml-reader.js';

// Text of EVTX values as event XML. A value may hold characters XML 1.0 does not allow at all, not even as a
// character reference (C0 controls other than tab, newline and carriage return; lone UTF-16 surrogates; U+FFFE
// and U+FFFF): a real Security 4739 record carries "\u0003" in MinPasswordAge. evtxexport writes them raw, which
// no XML parser accepts. Here each one becomes the six characters `\uXXXX` (uppercase hex, the way JSON writes
// it), so the XML stays well-formed and the value stays readable; after parsing, restoreForbiddenChars() turns
// exactly those escapes back into the characters. Only escapes of forbidden code points are turned back: a
// literal `\u0041` or a Windows path like `C:\users` is left alone, so the only ambiguity left is a value that
// held the six characters `\u0003` literally, which no Windows provider is known to write.

const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const TEXT_SPECIAL = new RegExp(`[&<>]|${FORBIDDEN.source}`, 'g');
const ATTRIBUTE_SPECIAL = new RegExp(`[&<>"]|${FORBIDDEN.source}`, 'g');
const ESCAPED_FORBIDDEN = /\\u(000[0-8BCEF]|001[0-9A-F]|D[89AB][0-9A-F]{2}|D[C-F][0-9A-F]{2}|FFF[EF])/g;

function escapeForbiddenChar(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function escapeChar(ch: string): string {
  switch (ch) {
    case '&':
      return '&amp;';
    case '<':
      return '&lt;';
    case '>':
      return '&gt;';
    case '"':
      return '&quot;';
    default:
      return escapeForbiddenChar(ch);
  }
}

/** Element text: markup characters as entities, characters XML forbids as `\uXXXX`. */
export function escapeXmlText(text: string): string {
  return text.replace(TEXT_SPECIAL, escapeChar);
}

/** An attribute value between double quotes. */
export function escapeXmlAttribute(text: string): string {
  return text.replace(ATTRIBUTE_SPECIAL, escapeChar);
}

/** Only the characters XML forbids (for CDATA sections and processing instructions, where entities do not apply). */
export function escapeForbiddenChars(text: string): string {
  return FORBIDDEN.test(text) ? text.replace(new RegExp(FORBIDDEN.source, 'g'), escapeForbiddenChar) : text;
}

/** Whether a code point may appear in XML 1.0 at all (as itself or as a character reference). */
export function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/** `\uXXXX` escapes of forbidden code points (as escapeXmlText writes them) back to the characters. */
export function restoreForbiddenChars(text: string): string {
  return text.includes('\\u') ? text.replace(ESCAPED_FORBIDDEN, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : text;
}

/** The same tree with every text and attribute value restored (a new tree only where something changed). */
export function restoreForbiddenInTree(element: XmlElement): XmlElement {
  let attributes: Record<string, string> | undefined;
  for (const [name, value] of Object.entries(element.attributes)) {
    const restored = restoreForbiddenChars(value);
    if (restored !== value) (attributes ??= { ...element.attributes })[name] = restored;
  }
  const children = element.children.map(restoreForbiddenInTree);
  const text = restoreForbiddenChars(element.text);
  const same = attributes === undefined && text === element.text && children.every((c, i) => c === element.children[i]);
  if (same) return element;
  return { ...element, attributes: attributes ?? element.attributes, children, text };
}
