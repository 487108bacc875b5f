import { SaxesParser, type TagForOptions } from 'saxes';
import { HangwatchError } from '../../../shared/errors.js';

// A small, safe XML tree reader for libvirt domain XML (`virsh dumpxml`, /etc/libvirt/qemu/*.xml), with the
// policy of services/parser/core/windows/event-xml-reader.ts (whose reader keeps only <Event> subtrees, so it is
// not reused): no DOCTYPE or ENTITY declarations at all (XXE, billion laughs), only the five predefined entities
// and character references, bounded depth, attributes, text and element count. Several top-level elements are
// accepted (a file of concatenated dumps).

export interface XmlNode {
  /** Qualified name as written (`libosinfo:os`). */
  readonly qname: string;
  /** Local name (`os`). */
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlNode[];
  text: string;
}

export const XML_LIMITS = { maxDepth: 64, maxAttributes: 64, maxTextChars: 1 << 20, maxElements: 100_000 } as const;

const FORBIDDEN = /<!(DOCTYPE|ENTITY)/i;

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

/** Parses XML text into its top-level elements. Throws HW_XML_FORBIDDEN / HW_XML_MALFORMED. */
export function readXmlTree(text: string, source: string): XmlNode[] {
  const body = text.replace(/^\uFEFF/, '');
  const forbidden = FORBIDDEN.exec(body);
  if (forbidden) throw new HangwatchError('HW_XML_FORBIDDEN', [`${source}: <!${forbidden[1]} declarations are not accepted`]);
  const xml = body.replace(/^\s*<\?xml[^?]*\?>/, '');
  const parser = new SaxesParser({ fragment: true });
  const roots: XmlNode[] = [];
  const stack: XmlNode[] = [];
  let elements = 0;
  const refuse = (detail: string): never => {
    throw new HangwatchError('HW_XML_FORBIDDEN', [`${source}: ${detail}`]);
  };
  parser.on('opentag', (tag: TagForOptions<{ fragment: true }>) => {
    elements++;
    if (stack.length + 1 > XML_LIMITS.maxDepth) refuse(`element depth exceeds ${XML_LIMITS.maxDepth}`);
    if (elements > XML_LIMITS.maxElements) refuse(`more than ${XML_LIMITS.maxElements} elements`);
    const keys = Object.keys(tag.attributes);
    if (keys.length > XML_LIMITS.maxAttributes) refuse(`<${tag.name}> has more than ${XML_LIMITS.maxAttributes} attributes`);
    const attributes: Record<string, string> = {};
    for (const key of keys) attributes[key] = String(tag.attributes[key]);
    const node: XmlNode = { qname: tag.name, name: localName(tag.name), attributes, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else roots.push(node);
    stack.push(node);
  });
  const onText = (chunk: string): void => {
    const current = stack[stack.length - 1];
    if (!current) return;
    if (current.text.length + chunk.length > XML_LIMITS.maxTextChars) refuse(`text of <${current.qname}> is too long`);
    current.text += chunk;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('doctype', () => refuse('DOCTYPE is not accepted'));
  parser.on('closetag', () => {
    stack.pop();
  });
  try {
    parser.write(xml).close();
  } catch (error) {
    if (error instanceof HangwatchError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (/undefined entity/.test(message)) refuse(`entity reference beyond the predefined ones (${message})`);
    throw new HangwatchError('HW_XML_MALFORMED', [`${source}: ${message}`], { cause: error });
  }
  return roots;
}

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return node?.children.find((c) => c.name === name);
}

export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  return node?.children.filter((c) => c.name === name) ?? [];
}
