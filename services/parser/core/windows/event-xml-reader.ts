import { SaxesParser, type TagForOptions } from 'saxes';
import { ParseFailure } from '../parse-failure.js';

// Reads Windows event XML (wevtutil `qe /f:xml` output: <Event> elements with no root, or inside <Events>;
// Get-WinEvent ToXml(); Event Viewer "Save as XML") with saxes, a streaming non-validating parser, and builds
// a small tree per <Event>, handing each over as soon as it closes so memory stays one event wide.
// Hostile input is refused, not survived: any DOCTYPE or ENTITY declaration (XXE, billion laughs) is
// HW_XML_FORBIDDEN before parsing; saxes itself expands only the five predefined entities and character
// references (any other reference is "undefined entity", also refused); depth, attributes, text size and
// element count are bounded.

export const XML_GRAMMAR = 'winevent-xml';

export interface XmlLimits {
  readonly maxDepth: number;
  readonly maxAttributes: number;
  readonly maxTextChars: number;
  readonly maxElements: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxDepth: 32, maxAttributes: 32, maxTextChars: 256 * 1024, maxElements: 200_000 };

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
  /** For a top-level <Event>: its own markup, so each event of a multi-event record keeps only its original. */
  source?: string;
}

const FORBIDDEN_DECLARATION = /<!(DOCTYPE|ENTITY)/i;
const XML_DECLARATION = /^\s*<\?xml[^?]*\?>/;

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

function forbid(detail: string): ParseFailure {
  return new ParseFailure('HW_XML_FORBIDDEN', XML_GRAMMAR, detail);
}

function malformed(detail: string, cause?: unknown): ParseFailure {
  return new ParseFailure('HW_XML_MALFORMED', XML_GRAMMAR, detail, [], cause);
}

export interface XmlReadResult {
  readonly events: XmlElement[];
  /** Local name of the first top-level element (`Event` or `Events`), to tell "no events" from "not event XML". */
  readonly rootName?: string;
}

/** Parses a record into its <Event> trees. Throws ParseFailure (HW_XML_FORBIDDEN / HW_XML_MALFORMED). */
export function readEventXml(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlReadResult {
  const body = text.replace(/^\uFEFF/, '');
  const forbidden = FORBIDDEN_DECLARATION.exec(body);
  if (forbidden) throw forbid(`<!${forbidden[1]} declarations are not accepted (no DTDs, no entities)`);
  // Fragment mode accepts several top-level <Event>s; it does not accept an XML declaration, so drop it.
  const xml = body.replace(XML_DECLARATION, '');
  const parser = new SaxesParser({ fragment: true });
  const events: XmlElement[] = [];
  const stack: XmlElement[] = [];
  let rootName: string | undefined;
  let elements = 0;
  let depth = 0;
  let eventStart = 0;

  parser.on('opentagstart', () => {
    // saxes positions are plain string indexes; the tag's '<' is the last one before the parser's position.
    if (stack.length === 0) eventStart = xml.lastIndexOf('<', parser.position);
  });
  parser.on('opentag', (tag: TagForOptions<{ fragment: true }>) => {
    depth++;
    elements++;
    if (depth > limits.maxDepth) throw forbid(`element depth exceeds ${limits.maxDepth}`);
    if (elements > limits.maxElements) throw forbid(`more than ${limits.maxElements} elements`);
    const names = Object.keys(tag.attributes);
    if (names.length > limits.maxAttributes) throw forbid(`element <${tag.name}> has more than ${limits.maxAttributes} attributes`);
    const name = localName(tag.name);
    if (depth === 1) rootName ??= name;
    const attributes: Record<string, string> = {};
    for (const key of names) attributes[localName(key)] = String(tag.attributes[key]);
    const element: XmlElement = { name, attributes, children: [], text: '' };
    const parent = stack[stack.length - 1];
    // Only <Event> subtrees are kept; an <Events> wrapper (or anything else around them) is not.
    if (parent) parent.children.push(element);
    if (parent || name === 'Event') stack.push(element);
  });
  const onText = (chunk: string): void => {
    const current = stack[stack.length - 1];
    if (!current) return;
    if (current.text.length + chunk.length > limits.maxTextChars) throw forbid(`text of <${current.name}> exceeds ${limits.maxTextChars} characters`);
    current.text += chunk;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('doctype', () => {
    throw forbid('DOCTYPE is not accepted');
  });
  parser.on('closetag', () => {
    depth--;
    const element = stack.pop();
    if (element && stack.length === 0) {
      element.source = xml.slice(eventStart, parser.position);
      events.push(element);
    }
  });

  try {
    parser.write(xml).close();
  } catch (error) {
    if (error instanceof ParseFailure) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (/undefined entity/.test(message)) throw forbid(`entity reference beyond the predefined ones (${message})`);
    throw malformed(message, error);
  }
  return { events, ...(rootName === undefined ? {} : { rootName }) };
}

/** First child with this local name. */
export function childOf(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}
