import { withoutOutlineMarker } from '../../../../shared/text/outline-marker.js';

// Text that Event Viewer puts in front of an event's XML when someone copies it (the shapes people paste into
// tickets, forums and gists):
// - the XML view's outline markers: `- <Event xmlns=...>`, `- <System>` (a `-` before every element with
//   children; `+` when it was folded). Inside the XML they are text between elements, which the reader ignores;
//   before the root they are all the preamble there is.
// - "Copy details as text": nine `Label: value` lines (Log Name, Source, Date, Event ID, Task Category, Level,
//   Keywords, User, Computer), a `Description:` label, the rendered message over one or more lines, and an
//   `Event Xml:` label, then the XML. The labels are in the system's language (`Protokollname:`,
//   `Beschreibung:`, `Ereignis-XML:`), so the block is read by its layout, not by its words.
// The rendered message is worth keeping: a copied event has no <RenderingInfo>, and the description is the only
// human text it carries. The local `Date:` is not used: SystemTime in the XML is the UTC instant.

/** First `<Event` that opens an event element (not `<Events>`). */
const EVENT_OPEN = /<Event[\s>/]/;
/**
 * A `Label: value` or `Label:` line: a short label of letters (any script), spaces, dots and dashes, and a colon
 * (full-width in CJK locales); a long label leaves no space before its value (`Aufgabenkategorie:Keine`). Digits
 * keep a description's `at 10:23:28` from reading as a label.
 */
const LABEL_LINE = /^\s*\p{L}[\p{L}\p{M} .'’()-]{0,39}[:：][ \t]*(\S.*)?$/u;
/** A declaration, comment, wrapper or closing tag: XML for the reader, not a copied preamble. */
const XML_MARKUP = /<[?!/]|<Events[\s>]/;
/** Event Viewer's fixed header: the Description label is the tenth line. */
const DESCRIPTION_LINE = 9;

export interface CopiedEvent {
  /** The XML from the first `<Event` on. */
  readonly xml: string;
  /** What came before it, outline markers and blank lines left out ('' when nothing did). */
  readonly preamble: string;
  /** The description of a "Copy details as text" block, when the preamble is one. */
  readonly description?: string;
  /** The preamble is neither outline markers nor a details block. */
  readonly unrecognized: boolean;
}

function isLabelOnly(line: string): boolean {
  const m = LABEL_LINE.exec(line);
  return m !== null && m[1] === undefined;
}

/** The Description label: at its fixed place, else the first value-less label that a non-label line follows. */
function descriptionLabelAt(lines: readonly string[]): number {
  if (lines.length > DESCRIPTION_LINE && isLabelOnly(lines[DESCRIPTION_LINE] as string) && lines.slice(0, DESCRIPTION_LINE).every((l) => LABEL_LINE.test(l))) return DESCRIPTION_LINE;
  for (let i = 0; i < lines.length - 1; i++) {
    const line = lines[i] as string;
    if (!LABEL_LINE.test(line)) return -1;
    if (isLabelOnly(line) && !LABEL_LINE.test(lines[i + 1] as string)) return i;
  }
  return -1;
}

/** Reads the text in front of the XML; a record without any gives `{ xml: text, preamble: '' }`. */
export function splitCopiedEvent(text: string): CopiedEvent {
  const open = EVENT_OPEN.exec(text);
  const head = open === null ? '' : text.slice(0, open.index);
  // Declarations, comments and an <Events> wrapper are XML the reader handles: no preamble then.
  if (open === null || XML_MARKUP.test(head)) return { xml: text, preamble: '', unrecognized: false };
  const xml = text.slice(open.index);
  const lines = withoutOutlineMarker(head.replace(/^\uFEFF/, ''))
    .split(/\r?\n/)
    .map((l) => l.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  while (lines.length > 0 && lines[0]?.trim() === '') lines.shift();
  if (lines.length === 0) return { xml, preamble: '', unrecognized: false };
  const preamble = lines.join('\n');
  // The block ends with the label that introduces the XML (`Event Xml:`), which may be all that was copied.
  const last = lines.length - 1;
  if (last === 0 && isLabelOnly(lines[0] as string)) return { xml, preamble, unrecognized: false };
  const labelAt = descriptionLabelAt(lines);
  if (!isLabelOnly(lines[last] as string) || labelAt === -1 || labelAt >= last) return { xml, preamble, unrecognized: true };
  const description = lines
    .slice(labelAt + 1, last)
    .join('\n')
    .trim();
  return { xml, preamble, unrecognized: false, ...(description === '' ? {} : { description }) };
}
