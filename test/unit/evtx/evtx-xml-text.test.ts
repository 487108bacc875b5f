import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeXmlAttribute, escapeXmlText, isXmlChar, restoreForbiddenChars } from '../../../services/parser/core/evtx/xml-text.js';
import { readEventXml } from '../../../services/parser/core/windows/event-xml-reader.js';

// The escape for characters XML 1.0 forbids: every BMP code unit either is XML and stays (entities aside) or is
// written as \uXXXX; the XML parses; restoring gives the exact text back; nothing else looks like an escape.

test('every code unit XML forbids is escaped, every other one kept, and the round trip is exact', () => {
  let all = '';
  for (let c = 0; c <= 0xffff; c++) if (c !== 0) all += String.fromCharCode(c);
  const xml = `<Event><Data Name="${escapeXmlAttribute(all)}">${escapeXmlText(all)}</Data></Event>`;
  for (let i = 0; i < xml.length; i++) {
    const c = xml.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && (xml.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair) i++;
    else assert.ok(isXmlChar(c), `U+${c.toString(16)} left in the XML`);
  }
  const [event] = readEventXml(xml).events;
  const data = event?.children[0];
  // The XML parser normalizes line ends (\r to \n) and, in attributes, whitespace: those are XML's own rules.
  const norm = (s: string): string => s.replace(/\r\n?/g, '\n');
  assert.equal(restoreForbiddenChars(data?.text ?? ''), norm(all));
  assert.equal(restoreForbiddenChars(data?.attributes.Name ?? ''), norm(all).replace(/[\t\n]/g, ' '));
});

test('lone surrogates are escaped, pairs are not', () => {
  assert.equal(escapeXmlText('a\uD800b\uDC00c\uD83D\uDE00d\uDBFF'), 'a\\uD800b\\uDC00c\uD83D\uDE00d\\uDBFF');
  assert.equal(restoreForbiddenChars('a\\uD800b\\uDC00c\uD83D\uDE00d\\uDBFF'), 'a\uD800b\uDC00c\uD83D\uDE00d\uDBFF');
});

test('only escapes of forbidden code points are restored: Windows paths and escapes of allowed characters stay text', () => {
  for (const text of ['C:\\users\\u0041dmin', '\\u0009', '\\u000b', '\\u0020', '\\uFFFD', 'C:\\Windows\\System32', '\\u00']) {
    assert.equal(restoreForbiddenChars(text), text);
  }
  assert.equal(restoreForbiddenChars('\\u0003\\u001F\\uFFFE'), '\u0003\u001f\ufffe');
});
