import type { Attribute, Content, ElementContent, TemplateContent, TemplateValue } from './binxml-tree.js';
import { decodeUtf16, renderArrayItems, renderValue, VALUE_TYPE, ValueError } from './binxml-values.js';
import { escapeForbiddenChars, escapeXmlAttribute as escapeAttribute, escapeXmlText as escapeText, isXmlChar } from './xml-text.js';

// Binary XML of one EVTX chunk (libevtx documentation "Binary XML"; token values as in [MS-EVEN6]), decoded to
// event XML text. Names, template definitions and values are addressed by chunk-relative offsets, so decoding
// works on the whole 64 KiB chunk with positions in chunk coordinates. A template definition is parsed once per
// chunk (cache keyed by its offset) and rendered per record with that record's substitution array; a record whose
// template was defined by an earlier record still decodes on its own, since the definition is in the chunk.

export class BinXmlError extends Error {
  override readonly name = 'BinXmlError';
}

const TOKEN = {
  eof: 0x00,
  openStart: 0x01,
  closeStart: 0x02,
  closeEmpty: 0x03,
  end: 0x04,
  value: 0x05,
  attribute: 0x06,
  cdata: 0x07,
  charRef: 0x08,
  entityRef: 0x09,
  piTarget: 0x0a,
  piData: 0x0b,
  templateInstance: 0x0c,
  normalSubstitution: 0x0d,
  optionalSubstitution: 0x0e,
  fragmentHeader: 0x0f,
} as const;
const MORE = 0x40;
const MAX_DEPTH = 64;
// Rendering budgets. Nesting alone does not bound the work: a template body may instantiate another template
// twice, that one the next twice, and so on, so 60 bytes per level give 2^64 renders (a template bomb), with or
// without output (elements whose optional values are absent render to nothing). Every rendered node and array
// item costs one step. A real record takes a few hundred steps and a real chunk (at most ~650 records) well under
// 200 000, so the bounds leave legitimate records far inside while a bomb stops after a bounded amount of work;
// the chunk bound stops a chunk of many small records that each instantiate the same bomb.
const MAX_RECORD_STEPS = 100_000;
const MAX_CHUNK_STEPS = 1_000_000;
/** Characters of event XML one record may render (a 64 KiB record is far below; repeats of a large value are not). */
const MAX_RENDERED_CHARS = 1 << 20;

/** Per-chunk decoding state: the chunk bytes and what was already parsed from them. */
export class ChunkDecoder {
  private readonly view: DataView;
  private readonly names = new Map<number, string>();
  private readonly templates = new Map<number, readonly Content[]>();
  private recordSteps = 0;
  private chunkSteps = 0;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Decodes the BinXML of one record's event (`[from, to)` in chunk coordinates) into event XML text. */
  decodeEvent(from: number, to: number): string {
    const cursor = new Cursor(this, from, to);
    const nodes = this.readFragmentStream(cursor, false, 0);
    this.recordSteps = 0;
    return renderContents(this, nodes, [], 0);
  }

  /** Charges rendering work against the record's and the chunk's budgets. */
  spend(steps: number): void {
    this.recordSteps += steps;
    this.chunkSteps += steps;
    if (this.recordSteps > MAX_RECORD_STEPS) throw new BinXmlError(`rendering takes more than ${MAX_RECORD_STEPS} steps (templates instantiated over and over)`);
    if (this.chunkSteps > MAX_CHUNK_STEPS) throw new BinXmlError(`the chunk's rendering budget of ${MAX_CHUNK_STEPS} steps is spent`);
  }

  // --- primitive reads, bounds-checked against the current limit -------------------------------------------

  u8(c: Cursor): number {
    c.need(1);
    return this.view.getUint8(c.pos++);
  }
  u16(c: Cursor): number {
    c.need(2);
    const v = this.view.getUint16(c.pos, true);
    c.pos += 2;
    return v;
  }
  u32(c: Cursor): number {
    c.need(4);
    const v = this.view.getUint32(c.pos, true);
    c.pos += 4;
    return v;
  }
  peek(c: Cursor): number {
    c.need(1);
    return this.view.getUint8(c.pos);
  }
  utf16(c: Cursor, chars: number): string {
    c.need(chars * 2);
    const text = decodeUtf16(this.bytes.subarray(c.pos, c.pos + chars * 2));
    c.pos += chars * 2;
    return text;
  }

  // --- names --------------------------------------------------------------------------------------------

  /** A name at `offset`; when it is stored right here (offset == cursor) the cursor moves past it. */
  private readName(c: Cursor, offset: number): string {
    const inline = offset === c.pos;
    let name = this.names.get(offset);
    const at = new Cursor(this, offset, this.bytes.length);
    // Name: next-in-hash-chain (4), hash (2), character count (2), UTF-16 characters, end-of-string (2).
    at.pos += 6;
    const chars = this.u16(at);
    if (name === undefined) {
      name = this.utf16(at, chars);
      if (!/^[A-Za-z_][\w.:-]*$/.test(name)) throw new BinXmlError(`invalid name ${JSON.stringify(name)} at chunk offset ${offset}`);
      this.names.set(offset, name);
    }
    if (inline) c.pos = offset + 8 + chars * 2 + 2;
    return name;
  }

  // --- structure ----------------------------------------------------------------------------------------

  /** Fragments, template instances and elements until end of file or the end of the range. */
  private readFragmentStream(c: Cursor, inSubstitution: boolean, depth: number): Content[] {
    const nodes: Content[] = [];
    while (c.pos < c.end) {
      const token = this.peek(c);
      if (token === TOKEN.eof) {
        c.pos++;
        break;
      }
      if (token === TOKEN.fragmentHeader) c.pos += 4;
      else if (token === TOKEN.templateInstance) nodes.push(this.readTemplateInstance(c, depth));
      else if ((token & ~MORE) === TOKEN.openStart) nodes.push(this.readElement(c, inSubstitution, depth));
      else if (token === TOKEN.piTarget) nodes.push(this.readProcessingInstruction(c));
      else throw new BinXmlError(`unexpected token 0x${token.toString(16)} at chunk offset ${c.pos}`);
    }
    return nodes;
  }

  private readTemplateInstance(c: Cursor, depth: number): TemplateContent {
    if (depth > MAX_DEPTH) throw new BinXmlError('templates nested too deep');
    c.pos += 2; // token, unknown (0x01)
    this.u32(c); // template identifier (first 4 bytes of the definition's GUID)
    const definition = this.u32(c);
    let body = this.templates.get(definition);
    if (definition === c.pos) {
      // Defined here: next-definition offset (4), GUID (16), data size (4), then the fragment.
      const at = new Cursor(this, definition + 20, this.bytes.length);
      const size = this.u32(at);
      c.pos = definition + 24 + size;
      c.need(0);
    }
    if (body === undefined) {
      body = this.readTemplateDefinition(definition, depth);
      this.templates.set(definition, body);
    }
    const count = this.u32(c);
    if (count > 4096) throw new BinXmlError(`template instance with ${count} values`);
    const descriptors: Array<{ size: number; type: number }> = [];
    for (let i = 0; i < count; i++) {
      const size = this.u16(c);
      const type = this.u8(c);
      c.pos++;
      descriptors.push({ size, type });
    }
    const values: TemplateValue[] = [];
    for (const d of descriptors) {
      c.need(d.size);
      values.push({ type: d.type, offset: c.pos, size: d.size });
      c.pos += d.size;
    }
    return { kind: 'template', body, values };
  }

  private readTemplateDefinition(offset: number, depth: number): readonly Content[] {
    const at = new Cursor(this, offset + 20, this.bytes.length);
    const size = this.u32(at);
    const body = new Cursor(this, at.pos, at.pos + size);
    if (body.end > this.bytes.length) throw new BinXmlError(`template definition at chunk offset ${offset} runs past the chunk`);
    return this.readFragmentStream(body, false, depth + 1);
  }

  private readElement(c: Cursor, inSubstitution: boolean, depth: number): ElementContent {
    if (depth > MAX_DEPTH) throw new BinXmlError('elements nested too deep');
    const token = this.u8(c);
    // The dependency identifier is absent in an element that is itself a Binary XML substitution value.
    if (!inSubstitution) c.pos += 2;
    this.u32(c); // data size
    const name = this.readName(c, this.u32(c));
    const attributes: Attribute[] = [];
    if (token & MORE) {
      this.u32(c); // attribute list size
      let more = true;
      while (more && (this.peek(c) & ~MORE) === TOKEN.attribute) {
        more = (this.u8(c) & MORE) !== 0;
        const attrName = this.readName(c, this.u32(c));
        attributes.push({ name: attrName, value: this.readValueItems(c, depth) });
      }
    }
    const close = this.u8(c);
    if (close === TOKEN.closeEmpty) return { kind: 'element', name, attributes, children: undefined };
    if (close !== TOKEN.closeStart) throw new BinXmlError(`element <${name}>: expected a close tag token, got 0x${close.toString(16)} at chunk offset ${c.pos - 1}`);
    const children = this.readContent(c, inSubstitution, depth + 1);
    return { kind: 'element', name, attributes, children };
  }

  /** An attribute value: value text, substitutions, character and entity references. */
  private readValueItems(c: Cursor, depth: number): Content[] {
    const items: Content[] = [];
    for (;;) {
      const token = this.peek(c) & ~MORE;
      if (token === TOKEN.value || token === TOKEN.normalSubstitution || token === TOKEN.optionalSubstitution || token === TOKEN.charRef || token === TOKEN.entityRef) {
        items.push(this.readContentItem(c, false, depth));
      } else return items;
    }
  }

  private readContent(c: Cursor, inSubstitution: boolean, depth: number): Content[] {
    const items: Content[] = [];
    for (;;) {
      const token = this.peek(c);
      if (token === TOKEN.end) {
        c.pos++;
        return items;
      }
      items.push(this.readContentItem(c, inSubstitution, depth));
    }
  }

  private readContentItem(c: Cursor, inSubstitution: boolean, depth: number): Content {
    const token = this.peek(c);
    switch (token & ~MORE) {
      case TOKEN.openStart:
        return this.readElement(c, inSubstitution, depth);
      case TOKEN.value: {
        c.pos++;
        const type = this.u8(c);
        if (type !== VALUE_TYPE.string) throw new BinXmlError(`value token of type 0x${type.toString(16)} at chunk offset ${c.pos - 1}`);
        return { kind: 'text', text: this.utf16(c, this.u16(c)) };
      }
      case TOKEN.normalSubstitution:
      case TOKEN.optionalSubstitution: {
        c.pos++;
        const index = this.u16(c);
        this.u8(c); // declared type; the substitution array's own type is what gets rendered
        return { kind: 'substitution', index, optional: token === TOKEN.optionalSubstitution };
      }
      case TOKEN.cdata: {
        c.pos++;
        return { kind: 'markup', xml: `<![CDATA[${escapeForbiddenChars(this.utf16(c, this.u16(c))).replace(/]]>/g, ']]]]><![CDATA[>')}]]>` };
      }
      case TOKEN.charRef: {
        c.pos++;
        const code = this.u16(c);
        // A reference to a character XML forbids is itself not well-formed: it becomes the value's escape.
        return isXmlChar(code) ? { kind: 'markup', xml: `&#${code};` } : { kind: 'text', text: String.fromCharCode(code) };
      }
      case TOKEN.entityRef: {
        c.pos++;
        return { kind: 'markup', xml: `&${this.readName(c, this.u32(c))};` };
      }
      case TOKEN.piTarget:
        return this.readProcessingInstruction(c);
      case TOKEN.templateInstance:
        return this.readTemplateInstance(c, depth);
      default:
        throw new BinXmlError(`unexpected token 0x${token.toString(16)} in content at chunk offset ${c.pos}`);
    }
  }

  private readProcessingInstruction(c: Cursor): Content {
    c.pos++;
    const target = this.readName(c, this.u32(c));
    let data = '';
    if (c.pos < c.end && this.peek(c) === TOKEN.piData) {
      c.pos++;
      data = escapeForbiddenChars(this.utf16(c, this.u16(c)));
    }
    return { kind: 'markup', xml: `<?${target}${data ? ` ${data}` : ''}?>` };
  }

  /** A Binary XML substitution value: elements without dependency identifiers, fragments, template instances. */
  decodeNested(value: TemplateValue, depth: number): readonly Content[] {
    const c = new Cursor(this, value.offset, value.offset + value.size);
    return this.readFragmentStream(c, true, depth + 1);
  }
}

class Cursor {
  constructor(
    private readonly decoder: ChunkDecoder,
    public pos: number,
    public readonly end: number,
  ) {}
  need(n: number): void {
    if (this.pos + n > this.end || this.pos + n > this.decoder.bytes.length) {
      throw new BinXmlError(`truncated binary XML: ${n} bytes needed at chunk offset ${this.pos}, range ends at ${Math.min(this.end, this.decoder.bytes.length)}`);
    }
  }
}

// --- rendering ----------------------------------------------------------------------------------------------

/** Whether an optional substitution has nothing to give (NULL type or no bytes): its element or attribute is left out. */
function isAbsent(item: Content, values: readonly TemplateValue[]): boolean {
  if (item.kind !== 'substitution' || !item.optional) return false;
  const value = values[item.index];
  return value === undefined || value.type === VALUE_TYPE.null || value.size === 0;
}

function renderSubstitution(decoder: ChunkDecoder, index: number, values: readonly TemplateValue[], inAttribute: boolean, depth: number): string {
  const value = values[index];
  if (value === undefined) return '';
  if (value.type === VALUE_TYPE.binXml) {
    if (inAttribute) throw new BinXmlError('Binary XML value inside an attribute');
    return renderContents(decoder, decoder.decodeNested(value, depth), [], depth + 1);
  }
  let text: string;
  try {
    text = renderValue(value.type, decoder.bytes.subarray(value.offset, value.offset + value.size));
  } catch (error) {
    if (error instanceof ValueError) throw new BinXmlError(`substitution ${index}: ${error.message}`);
    throw error;
  }
  return inAttribute ? escapeAttribute(text) : escapeText(text);
}

/** The array value when an element's whole content is one array substitution (the element repeats per item). */
function arrayContent(el: ElementContent, values: readonly TemplateValue[]): TemplateValue | undefined {
  const only = el.children?.length === 1 ? el.children[0] : undefined;
  if (only?.kind !== 'substitution') return undefined;
  const value = values[only.index];
  return value !== undefined && value.type & VALUE_TYPE.array && value.type !== VALUE_TYPE.binXml ? value : undefined;
}

/**
 * An element whose whole content is optional substitutions with NULL values is not created at all (libevtx
 * documentation, "Optional substitution"). Seen in a real ESENT record (test/grammars/fixtures/evtx/real): the
 * classic EventData template's `<Binary>` has a NULL value when the event carries no binary data, and Windows and
 * evtxexport both leave `<Binary>` out. An empty value of another type still gives an empty element.
 */
function isLeftOut(el: ElementContent, values: readonly TemplateValue[]): boolean {
  if (el.children === undefined || el.children.length === 0) return false;
  return el.children.every((c) => c.kind === 'substitution' && c.optional && (values[c.index] === undefined || values[c.index]?.type === VALUE_TYPE.null));
}

function renderElement(decoder: ChunkDecoder, el: ElementContent, values: readonly TemplateValue[], depth: number): string {
  if (isLeftOut(el, values)) return '';
  const array = arrayContent(el, values);
  if (array !== undefined) {
    let items: string[];
    try {
      items = renderArrayItems(array.type, decoder.bytes.subarray(array.offset, array.offset + array.size));
    } catch (error) {
      if (error instanceof ValueError) throw new BinXmlError(`array value: ${error.message}`);
      throw error;
    }
    decoder.spend(items.length);
    const open = renderStartTag(decoder, el, values, depth);
    if (items.length === 0) return `${open}/>`;
    return items.map((item) => (item === '' ? `${open}/>` : `${open}>${escapeText(item)}</${el.name}>`)).join('');
  }
  const out = renderStartTag(decoder, el, values, depth);
  if (el.children === undefined) return `${out}/>`;
  const inner = renderContents(decoder, el.children, values, depth + 1);
  return inner === '' ? `${out}/>` : `${out}>${inner}</${el.name}>`;
}

/** `<name attr="...">` without its closing `>`: attributes whose optional value is absent are left out. */
function renderStartTag(decoder: ChunkDecoder, el: ElementContent, values: readonly TemplateValue[], depth: number): string {
  let out = `<${el.name}`;
  for (const attr of el.attributes) {
    if (attr.value.length === 1 && isAbsent(attr.value[0] as Content, values)) continue;
    let text = '';
    for (const item of attr.value) {
      decoder.spend(1);
      if (item.kind === 'text') text += escapeAttribute(item.text);
      else if (item.kind === 'markup') text += item.xml;
      else if (item.kind === 'substitution') text += renderSubstitution(decoder, item.index, values, true, depth);
      if (text.length > MAX_RENDERED_CHARS) throw new BinXmlError(`an attribute renders to more than ${MAX_RENDERED_CHARS} characters`);
    }
    out += ` ${attr.name}="${text}"`;
  }
  return out;
}

function renderContents(decoder: ChunkDecoder, nodes: readonly Content[], values: readonly TemplateValue[], depth: number): string {
  if (depth > MAX_DEPTH) throw new BinXmlError('rendering nested too deep');
  let out = '';
  for (const node of nodes) {
    decoder.spend(1);
    switch (node.kind) {
      case 'text':
        out += escapeText(node.text);
        break;
      case 'markup':
        out += node.xml;
        break;
      case 'substitution':
        out += renderSubstitution(decoder, node.index, values, false, depth);
        break;
      case 'element':
        out += renderElement(decoder, node, values, depth);
        break;
      case 'template':
        out += renderContents(decoder, node.body, node.values, depth + 1);
        break;
    }
    if (out.length > MAX_RENDERED_CHARS) throw new BinXmlError(`the event renders to more than ${MAX_RENDERED_CHARS} characters`);
  }
  return out;
}
