import { createHash, type Hash } from 'node:crypto';
import type { Frame, Framer } from './framing.js';

// JSON documents as records, whatever the layout they were saved in: one per line (NDJSON: Winlogbeat's file
// output, Kafka dumps), pretty-printed over many lines (`jq .`, Kibana's inspector, Elasticsearch `?pretty`), the
// elements of a top-level array (elastic/beats' golden files, `jq -s`), and the hits of an Elasticsearch `_search`
// response (`{"hits":{"hits":[{"_source":..},..]}}`): each hit is a record, the response around them (took,
// _shards, hits.total, aggregations) is not. A byte scanner follows strings, nesting and the JSON grammar's order
// (key, colon, value, comma) without building values, so memory stays one record wide: a record over the limit
// keeps its first `maxRecordBytes` and is hashed on (an oversize frame), like a long line.
//
// A broken document (a line cut by a crashed writer, a truncated export) is one frame holding its bytes, which the
// parser turns into one dead letter, and the rest of the file goes on: where the grammar breaks (a newline inside a
// string, a value where a comma must be, a bracket that closes nothing), the scanner skips to the next line whose
// first character opens a document (`{` or `[`) no deeper indented than the broken one began, and starts again
// there. A one-line document that a line starting with `{` interrupts was cut (NDJSON never continues a document on
// the next line, and pretty-printers never put a nested `{` at column 0). Text around the JSON (a `GET _search`
// line pasted with its response) is a frame of its own, so it is dead-lettered, not dropped.
// Measured (CPU time, 1.2 KB Winlogbeat 7.2 documents): ~6 us a document compact, ~7.5 pretty-printed, against
// ~1 us for line framing and ~13 us for parsing the document; keys are compared byte by byte (building them as
// strings was a third of the time) and string content is skipped in a tight loop.

const OBJECT = 1;
const ARRAY = 2;

// What the grammar allows next inside a container.
const EXPECT_VALUE = 0;
const EXPECT_VALUE_OR_CLOSE = 1;
const EXPECT_KEY = 2;
const EXPECT_KEY_OR_CLOSE = 3;
const EXPECT_COLON = 4;
const EXPECT_COMMA_OR_CLOSE = 5;

/** Deeper than this is no Winlogbeat document (the parser refuses 20): treated as broken, so the stack stays small. */
const MAX_DEPTH = 256;
/** The only key the framer reads, at the top two levels: a search response's `hits.hits`. */
const HITS = [0x68, 0x69, 0x74, 0x73];

const NL = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const UTF8_BOM = [0xef, 0xbb, 0xbf];

function isSpace(c: number): boolean {
  return c === SPACE || c === NL || c === CR || c === TAB;
}

/** Bytes that continue a number or a literal (`true`, `null`, `-1.5e3`, or a bare word of junk). */
function continuesScalar(c: number): boolean {
  return !isSpace(c) && c !== COMMA && c !== COLON && c !== QUOTE && c !== OPEN_OBJECT && c !== CLOSE_OBJECT && c !== OPEN_ARRAY && c !== CLOSE_ARRAY;
}

/** Index of the next quote, backslash or line feed at or after `from` (chunk.length when none). */
function nextStringStop(chunk: Buffer, from: number): number {
  for (let i = from; i < chunk.length; i++) {
    const b = chunk[i];
    if (b === QUOTE || b === BACKSLASH || b === NL) return i;
  }
  return chunk.length;
}

interface OpenFrame {
  readonly start: number;
  /** Depth at which the framed value began: 0 for a top-level document, the container's depth for an element. */
  readonly depth: number;
  /** Indentation of the line the frame began on: where to resume after a broken document. */
  readonly indent: number;
  /** A top-level document with content after its opening brace on its first line (NDJSON); undefined until known. */
  compact: boolean | undefined;
  parts: Buffer[];
  size: number;
  total: number;
  hash: Hash | null;
}

export class JsonDocumentFramer implements Framer {
  committedOffset: number;
  private position: number;
  private readonly stack: number[] = [];
  private expect = EXPECT_VALUE;
  private inString = false;
  private escaped = false;
  private stringIsKey = false;
  private inScalar = false;
  /** Depth whose values are records: 1 inside a top-level array, 3 inside a `_search` response's hits.hits; else -1. */
  private elementDepth = -1;
  private frame: OpenFrame | null = null;
  /** Index in the current chunk from which the open frame's bytes are not yet kept. */
  private keptFrom = 0;
  /** Skipping a broken document until a line opening one at most this indented; -1 when not. */
  private resyncIndent = -1;
  /** Collecting top-level text that is not JSON until a line opening a document. */
  private junk = false;
  private atLineStart = true;
  private indent = 0;
  /** The key being read is `hits` so far (compared byte by byte: no string built per key). */
  private keyIsHits = false;
  private keyLength = 0;
  /** Per depth 1 and 2: the last key read there was `hits`. */
  private readonly hitsKeyAt = [false, false, false];
  private bomAt: number;

  constructor(
    private readonly max: number,
    startOffset: number,
  ) {
    this.position = startOffset;
    this.committedOffset = startOffset;
    this.bomAt = startOffset === 0 ? 0 : -1;
  }

  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    this.keptFrom = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as number;
      if (this.bomAt >= 0) {
        if (this.position + i === this.bomAt && c === UTF8_BOM[this.bomAt]) {
          this.bomAt = this.bomAt === 2 ? -1 : this.bomAt + 1;
          continue;
        }
        this.bomAt = -1;
      }
      if (this.inString) {
        // Most of a document's bytes are string content: skip to the next byte that matters.
        if (!this.escaped && !this.collectingKey()) {
          i = nextStringStop(chunk, i);
          if (i === chunk.length) break;
        }
        this.stringByte(chunk[i] as number, chunk, i, frames);
        continue;
      }
      if (this.inScalar) {
        if (continuesScalar(c)) continue;
        this.inScalar = false;
        this.valueDone(chunk, i, frames);
      }
      if (c === NL) {
        this.atLineStart = true;
        this.indent = 0;
        if (this.frame !== null && this.frame.compact === undefined) this.frame.compact = false;
        continue;
      }
      if (isSpace(c)) {
        if (this.atLineStart) this.indent++;
        continue;
      }
      if (this.atLineStart) {
        this.atLineStart = false;
        if (this.lineOpens(c, chunk, i, frames)) continue;
      }
      if (this.resyncIndent >= 0 || this.junk) continue;
      if (this.frame !== null && this.frame.compact === undefined && this.frame.start !== this.position + i) this.frame.compact = true;
      this.structural(c, chunk, i, frames);
    }
    if (this.frame !== null) this.keep(chunk.subarray(this.keptFrom));
    this.position += chunk.length;
    return frames;
  }

  end(): Frame[] {
    const frames: Frame[] = [];
    if (this.frame !== null) frames.push(this.emit(this.frame));
    this.frame = null;
    this.reset();
    this.committedOffset = this.position;
    return frames;
  }

  /** The first byte of a line; true when it was consumed here (it ended a skip and opened nothing to dispatch). */
  private lineOpens(c: number, chunk: Buffer, i: number, frames: Frame[]): boolean {
    const opens = c === OPEN_OBJECT || c === OPEN_ARRAY;
    if (this.junk) {
      if (!opens) return true;
      this.finish(chunk, i, frames);
      this.junk = false;
      this.committedOffset = this.position + i;
      return false;
    }
    if (this.resyncIndent >= 0) {
      if (!opens || this.indent > this.resyncIndent) return true;
      this.resume(chunk, i, frames);
      return false;
    }
    // A one-line document interrupted by a line that opens one at column 0: the writer cut it.
    const frame = this.frame;
    if (c === OPEN_OBJECT && this.indent === 0 && frame !== null && frame.depth === 0 && frame.compact === true && this.stack.length > 0) {
      this.resyncIndent = 0;
      this.resume(chunk, i, frames);
    }
    return false;
  }

  private structural(c: number, chunk: Buffer, i: number, frames: Frame[]): void {
    const depth = this.stack.length;
    if (depth === 0) {
      this.topLevel(c, i);
      return;
    }
    if (depth === this.elementDepth && this.frame === null) {
      // Between the records of an array: separators and the closing bracket are no record; anything else begins one.
      if (c === COMMA) return;
      if (c === CLOSE_ARRAY) {
        this.stack.pop();
        this.elementDepth = -1;
        this.expect = EXPECT_COMMA_OR_CLOSE;
        if (this.stack.length === 0) this.committedOffset = this.position + i + 1;
        return;
      }
      if (c === CLOSE_OBJECT || c === COLON) {
        this.broken(i);
        return;
      }
      this.begin(i, depth);
      this.expect = EXPECT_VALUE;
    }
    const expectsValue = this.expect === EXPECT_VALUE || this.expect === EXPECT_VALUE_OR_CLOSE;
    switch (c) {
      case OPEN_OBJECT:
        if (!expectsValue || depth >= MAX_DEPTH) return this.broken(i);
        this.stack.push(OBJECT);
        this.expect = EXPECT_KEY_OR_CLOSE;
        return;
      case OPEN_ARRAY:
        if (!expectsValue || depth >= MAX_DEPTH) return this.broken(i);
        if (this.opensSearchHits()) {
          // An Elasticsearch response: its hits are the records, the response around them is not one.
          this.frame = null;
          this.stack.push(ARRAY);
          this.elementDepth = this.stack.length;
          return;
        }
        this.stack.push(ARRAY);
        this.expect = EXPECT_VALUE_OR_CLOSE;
        return;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY: {
        const kind = c === CLOSE_OBJECT ? OBJECT : ARRAY;
        const closes = c === CLOSE_OBJECT ? EXPECT_KEY_OR_CLOSE : EXPECT_VALUE_OR_CLOSE;
        if (this.stack[depth - 1] !== kind || (this.expect !== closes && this.expect !== EXPECT_COMMA_OR_CLOSE)) return this.broken(i);
        this.stack.pop();
        this.valueDone(chunk, i + 1, frames);
        return;
      }
      case QUOTE:
        if (this.expect === EXPECT_KEY || this.expect === EXPECT_KEY_OR_CLOSE) {
          this.stringIsKey = true;
          this.keyIsHits = true;
          this.keyLength = 0;
        } else if (expectsValue) {
          this.stringIsKey = false;
        } else {
          return this.broken(i);
        }
        this.inString = true;
        return;
      case COLON:
        if (this.expect !== EXPECT_COLON) return this.broken(i);
        this.expect = EXPECT_VALUE;
        return;
      case COMMA:
        if (this.expect !== EXPECT_COMMA_OR_CLOSE) return this.broken(i);
        this.expect = this.stack[depth - 1] === OBJECT ? EXPECT_KEY : EXPECT_VALUE;
        return;
      default:
        if (!expectsValue) return this.broken(i);
        this.inScalar = true;
    }
  }

  private topLevel(c: number, i: number): void {
    if (c === OPEN_OBJECT) {
      this.begin(i, 0);
      this.stack.push(OBJECT);
      this.expect = EXPECT_KEY_OR_CLOSE;
    } else if (c === OPEN_ARRAY) {
      this.stack.push(ARRAY);
      this.elementDepth = 1;
    } else if (c === COMMA || c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      // Leftovers of an array or response whose reading resumed after one of its records: no record.
      this.committedOffset = this.position + i + 1;
    } else {
      this.begin(i, 0);
      this.junk = true;
    }
  }

  private stringByte(c: number, chunk: Buffer, i: number, frames: Frame[]): void {
    if (this.escaped) {
      this.escaped = false;
    } else if (c === BACKSLASH) {
      this.escaped = true;
    } else if (c === QUOTE) {
      this.inString = false;
      if (!this.stringIsKey) {
        this.valueDone(chunk, i + 1, frames);
        return;
      }
      const depth = this.stack.length;
      if (depth <= 2) this.hitsKeyAt[depth] = this.keyIsHits && this.keyLength === HITS.length;
      this.expect = EXPECT_COLON;
      return;
    } else if (c === NL) {
      // JSON strings hold no raw line break: the document was cut inside a string.
      this.inString = false;
      this.atLineStart = true;
      this.indent = 0;
      this.broken(i);
      return;
    }
    if (this.collectingKey()) {
      this.keyIsHits = this.keyLength < HITS.length && c === HITS[this.keyLength];
      this.keyLength++;
    }
  }

  private collectingKey(): boolean {
    return this.stringIsKey && this.keyIsHits && this.stack.length <= 2;
  }

  /** `[` as the value of `hits` inside the top-level object's `hits`: an Elasticsearch search response. */
  private opensSearchHits(): boolean {
    return this.stack.length === 2 && this.stack[0] === OBJECT && this.elementDepth === -1 && this.frame?.depth === 0 && this.hitsKeyAt[1] === true && this.hitsKeyAt[2] === true;
  }

  /** A value ended just before `end` (index in chunk): the record it completes, if it is one, is emitted. */
  private valueDone(chunk: Buffer, end: number, frames: Frame[]): void {
    this.expect = EXPECT_COMMA_OR_CLOSE;
    const depth = this.stack.length;
    if (this.frame !== null && depth === this.frame.depth) {
      this.finish(chunk, end, frames);
      this.committedOffset = this.position + end;
    } else if (depth === 0) {
      // The end of a search response (its records went out one by one).
      this.committedOffset = this.position + end;
    }
    if (depth === 0) this.reset();
  }

  /** The grammar broke at chunk[i]: skip to a line that opens a document, keeping what is skipped in the frame. */
  private broken(i: number): void {
    if (this.frame === null) this.begin(i, this.stack.length);
    this.resyncIndent = (this.frame as OpenFrame).indent;
    this.inString = false;
    this.inScalar = false;
  }

  /** After a broken document, a line opens another: emit the broken one and go on as the new line's indent says. */
  private resume(chunk: Buffer, i: number, frames: Frame[]): void {
    const indent = this.resyncIndent;
    this.resyncIndent = -1;
    this.finish(chunk, i, frames);
    if (indent > 0 && this.indent === indent && this.elementDepth > 0 && this.stack.length >= this.elementDepth) {
      // The next element of the same array: the array goes on.
      this.stack.length = this.elementDepth;
      this.expect = EXPECT_VALUE;
      this.committedOffset = this.position + i;
      return;
    }
    this.reset();
    this.committedOffset = this.position + i;
  }

  private reset(): void {
    this.stack.length = 0;
    this.elementDepth = -1;
    this.expect = EXPECT_VALUE;
    this.inString = false;
    this.escaped = false;
    this.inScalar = false;
    this.junk = false;
    this.resyncIndent = -1;
    this.hitsKeyAt.fill(false);
  }

  private begin(i: number, depth: number): void {
    this.frame = { start: this.position + i, depth, indent: this.indent, compact: depth === 0 ? undefined : false, parts: [], size: 0, total: 0, hash: null };
    this.keptFrom = i;
  }

  /** Ends the open frame just before chunk[end] and emits it. */
  private finish(chunk: Buffer, end: number, frames: Frame[]): void {
    const frame = this.frame;
    if (frame === null) return;
    this.keep(chunk.subarray(this.keptFrom, end));
    frames.push(this.emit(frame));
    this.frame = null;
  }

  private keep(part: Buffer): void {
    const frame = this.frame;
    if (frame === null || part.length === 0) return;
    frame.total += part.length;
    if (frame.hash !== null) {
      frame.hash.update(part);
      return;
    }
    if (frame.size + part.length > this.max) {
      const head = Buffer.concat([...frame.parts, part]);
      frame.hash = createHash('sha256').update(head);
      frame.parts = [Buffer.from(head.subarray(0, this.max))];
      frame.size = this.max;
      return;
    }
    frame.parts.push(Buffer.from(part));
    frame.size += part.length;
  }

  private emit(frame: OpenFrame): Frame {
    const bytes = frame.parts.length === 1 ? (frame.parts[0] as Buffer) : Buffer.concat(frame.parts);
    if (frame.hash !== null) return { offset: frame.start, bytes, oversize: { length: frame.total, sha256: frame.hash.digest('hex') } };
    let end = bytes.length;
    while (end > 0 && isSpace(bytes[end - 1] as number)) end--;
    return { offset: frame.start, bytes: end === bytes.length ? bytes : bytes.subarray(0, end) };
  }
}
