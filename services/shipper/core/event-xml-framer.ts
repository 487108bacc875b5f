import { createHash } from 'node:crypto';
import type { Frame, Framer } from './framing.js';
import { withoutOutlineMarker } from '../../../shared/text/outline-marker.js';

// One `<Event>` element per record (wevtutil prints them back to back, Event Viewer wraps them in <Events>).
// Text between events that is not blank space, an XML declaration or the <Events> wrapper is emitted as its own
// record so the parser dead-letters it (nothing dropped silently: a DOCTYPE there is seen and refused), except
// what Event Viewer puts in front of an event copied out of it (isCopiedPreamble): that starts the event's record.
//
// The file is the guest's, so the scan is a byte-level state machine that looks at every byte once, whatever the
// chunking: no regular expression runs over text of unbounded length and nothing is scanned again when a chunk
// arrives. Two backtracking expressions over the text between events took 1 s for 64 KiB of `<?xml` repeated,
// 9 s for 256 KiB, and past a minute for 1 MiB. Inside an event the record ends at the `</Event>` that is markup:
// one inside a CDATA section, a comment or a processing instruction is data, as it is to the XML reader, so a
// `</Event><Event>` written into a CDATA section can neither cut a record nor pass a forged event off as real.
// The same sections between events hide an `<Event` too. A section that never closes is bounded by the record
// limit like any record: past it the bytes so far are an oversize record and the scan starts again between events.

// Where the scanner is.
const BETWEEN = 0; // outside any event, looking for `<Event`
const START_TAG = 1; // inside the `<Event ...` start tag, up to its `>`
const CONTENT = 2; // inside an event, looking for its `</Event>`
const MARKUP = 3; // after a `<`, telling what it opens
const EVENT_NAME = 4; // after `<Event` between events: the next byte says whether it is the element
const CLOSE_TAG = 5; // after `</Event` inside an event: blanks, then `>`
const SECTION = 6; // inside a CDATA section, comment or processing instruction, up to its end

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** What a `<` may open, by the bytes after it; a section ends at `repeat` times `closer` then `>`. */
interface Opener {
  readonly bytes: Buffer;
  readonly closer?: number;
  readonly repeat?: number;
}

const OPEN_EVENT: Opener = { bytes: Buffer.from('Event') };
const CLOSE_EVENT: Opener = { bytes: Buffer.from('/Event') };
const CDATA: Opener = { bytes: Buffer.from('![CDATA['), closer: 0x5d, repeat: 2 };
const COMMENT: Opener = { bytes: Buffer.from('!--'), closer: 0x2d, repeat: 2 };
const INSTRUCTION: Opener = { bytes: Buffer.from('?'), closer: 0x3f, repeat: 1 };

const LONGEST_OPENER = CDATA.bytes.length;

function startsWith(chunk: Buffer, at: number, bytes: Buffer): boolean {
  for (let k = 0; k < bytes.length; k++) if (chunk[at + k] !== bytes[k]) return false;
  return true;
}

// Between events a processing instruction is not followed (an XML declaration cut before its `?>` must not hide
// the events after it); inside one it is markup whose content is data.
const OPENERS_BETWEEN: readonly Opener[] = [OPEN_EVENT, COMMENT, CDATA];
const OPENERS_INSIDE: readonly Opener[] = [CLOSE_EVENT, COMMENT, CDATA, INSTRUCTION];

export class EventXmlFramer implements Framer {
  committedOffset: number;
  /**
   * Bytes looked at by the scan, the checks of the text between events and the copies into frames: the framer's
   * work, which a test holds proportional to the input for hostile shapes.
   */
  work = 0;
  private mode = BETWEEN;
  /** Scanning inside an event (modes MARKUP and SECTION return to it), else between events. */
  private inside = false;
  /** Absolute offset of the first byte not yet emitted or dropped: where the open record or junk begins. */
  private regionStart: number;
  /** Bytes of the region read in earlier chunks (copies: the caller may reuse a chunk once push returns). */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  /** Absolute offset of chunk[0] during push, of the next chunk's first byte after it. */
  private chunkAt: number;
  /** Index in the current chunk from which its bytes are not in `parts` yet. */
  private keptFrom = 0;
  /** MARKUP: where its `<` is, how many bytes after it matched, which openers still match. */
  private markupAt = -1;
  private matched = 0;
  private candidates: readonly Opener[] = [];
  /** SECTION: the section, and how many of its closing characters were just seen. */
  private section: Opener = COMMENT;
  private run = 0;
  /** The byte before the current one (START_TAG: `/>` closes the element). */
  private previous = -1;

  constructor(
    private readonly max: number,
    startOffset: number,
  ) {
    this.regionStart = startOffset;
    this.chunkAt = startOffset;
    this.committedOffset = startOffset;
  }

  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    this.keptFrom = 0;
    let i = 0;
    while (i < chunk.length) i = this.step(chunk, i, frames);
    this.work += chunk.length;
    if (this.keptFrom < chunk.length) {
      this.parts.push(Buffer.from(chunk.subarray(this.keptFrom)));
      this.partsBytes += chunk.length - this.keptFrom;
      this.work += chunk.length - this.keptFrom;
    }
    this.chunkAt += chunk.length;
    this.keptFrom = 0;
    if (this.partsBytes > this.max) this.flushLong(frames);
    this.committedOffset = this.regionStart;
    return frames;
  }

  end(): Frame[] {
    const frames: Frame[] = [];
    const rest = this.cut(this.chunkAt, Buffer.alloc(0));
    if (this.inside) frames.push(this.frameOf(rest.offset, rest.bytes));
    else this.emitJunk(frames, rest.offset, rest.bytes);
    this.mode = BETWEEN;
    this.inside = false;
    this.committedOffset = this.regionStart;
    return frames;
  }

  /** Handles chunk[i] (and, where nothing in them matters, the bytes after it); returns the next index. */
  private step(chunk: Buffer, i: number, frames: Frame[]): number {
    switch (this.mode) {
      case BETWEEN:
      case CONTENT: {
        const lt = chunk.indexOf(LT, i);
        if (lt === -1) return chunk.length;
        // The common case, the whole opener in this chunk, without the byte-by-byte state (a tag in event XML is
        // every 20 bytes or so; the state machine per `<` made framing a valid file half as slow again).
        if (lt + LONGEST_OPENER < chunk.length) return this.classify(chunk, lt);
        this.openMarkup(lt);
        return lt + 1;
      }
      case MARKUP:
        return this.markupByte(chunk, i);
      case EVENT_NAME: {
        const c = chunk[i] as number;
        if (c === GT) {
          this.startEvent(chunk, frames);
          this.mode = CONTENT;
        } else if (isBlank(c) || c === SLASH) {
          this.startEvent(chunk, frames);
          this.mode = START_TAG;
          this.previous = c;
        } else {
          // `<Events`, `<EventLog`: no event; a `<` here opens markup of its own.
          this.mode = BETWEEN;
          return i;
        }
        return i + 1;
      }
      case START_TAG: {
        const gt = chunk.indexOf(GT, i);
        if (gt === -1) {
          this.previous = chunk[chunk.length - 1] as number;
          return chunk.length;
        }
        const before = gt > i ? (chunk[gt - 1] as number) : this.previous;
        // `<Event/>`: an element with nothing in it, a record of its own.
        if (before === SLASH) this.emitRecord(chunk, gt + 1, frames);
        else this.mode = CONTENT;
        return gt + 1;
      }
      case CLOSE_TAG: {
        const c = chunk[i] as number;
        if (c === GT) {
          this.emitRecord(chunk, i + 1, frames);
          return i + 1;
        }
        if (isBlank(c)) return i + 1;
        // `</EventData>` and the like: content goes on.
        this.mode = CONTENT;
        return i;
      }
      default:
        return this.sectionBytes(chunk, i);
    }
  }

  /** A `<` at chunk[lt] with the longest opener's length of bytes after it: what it opens, at once. */
  private classify(chunk: Buffer, lt: number): number {
    for (const opener of this.inside ? OPENERS_INSIDE : OPENERS_BETWEEN) {
      if (!startsWith(chunk, lt + 1, opener.bytes)) continue;
      this.markupAt = this.chunkAt + lt;
      this.opened(opener);
      return lt + 1 + opener.bytes.length;
    }
    return lt + 1;
  }

  private opened(opener: Opener): void {
    if (opener === OPEN_EVENT) this.mode = EVENT_NAME;
    else if (opener === CLOSE_EVENT) this.mode = CLOSE_TAG;
    else {
      this.section = opener;
      this.run = 0;
      this.mode = SECTION;
    }
  }

  private openMarkup(at: number): void {
    this.markupAt = this.chunkAt + at;
    this.matched = 0;
    this.candidates = this.inside ? OPENERS_INSIDE : OPENERS_BETWEEN;
    this.mode = MARKUP;
  }

  private markupByte(chunk: Buffer, i: number): number {
    const c = chunk[i] as number;
    const at = this.matched;
    const left = this.candidates.filter((o) => o.bytes[at] === c);
    if (left.length === 0) {
      // Nothing that matters here: back to the scan, from this byte (it may be the next `<`).
      this.mode = this.inside ? CONTENT : BETWEEN;
      return i;
    }
    this.matched = at + 1;
    this.candidates = left;
    const done = left.find((o) => o.bytes.length === this.matched);
    if (done !== undefined) this.opened(done);
    return i + 1;
  }

  /** Inside a CDATA section, comment or processing instruction: only its end matters. */
  private sectionBytes(chunk: Buffer, i: number): number {
    const closer = this.section.closer as number;
    const repeat = this.section.repeat as number;
    let at = i;
    while (at < chunk.length) {
      if (this.run === 0) {
        at = chunk.indexOf(closer, at);
        if (at === -1) return chunk.length;
      }
      const c = chunk[at] as number;
      if (c === closer) this.run = Math.min(this.run + 1, repeat);
      else if (c === GT && this.run === repeat) {
        this.mode = this.inside ? CONTENT : BETWEEN;
        this.run = 0;
        return at + 1;
      } else this.run = 0;
      at++;
    }
    return at;
  }

  /** `<Event` followed by a blank, `>` or `/` was read between events: the text before it is settled. */
  private startEvent(chunk: Buffer, frames: Frame[]): void {
    const open = this.markupAt;
    this.inside = true;
    if (open === this.regionStart) return;
    const before = this.cut(open, chunk);
    const blank = leadingSpace(before.bytes);
    this.work += before.bytes.length;
    if (blank < before.bytes.length && isCopiedPreamble(before.bytes)) {
      // A copied event's record starts at its preamble's first character: put the preamble back in front.
      const preamble = before.bytes.subarray(blank);
      this.parts.unshift(Buffer.from(preamble));
      this.partsBytes += preamble.length;
      this.regionStart = before.offset + blank;
      return;
    }
    this.emitJunk(frames, before.offset, before.bytes);
  }

  /** The open event ends just before chunk[end]. */
  private emitRecord(chunk: Buffer, end: number, frames: Frame[]): void {
    const record = this.cut(this.chunkAt + end, chunk);
    frames.push(this.frameOf(record.offset, record.bytes));
    this.inside = false;
    this.mode = BETWEEN;
  }

  /**
   * The region outgrew the record limit: an open event becomes an oversize record and the scan goes on between
   * events; text between events is emitted as junk so far (a `<` still being read stays, it may open an event).
   */
  private flushLong(frames: Frame[]): void {
    if (this.inside) {
      const record = this.cut(this.chunkAt, Buffer.alloc(0));
      frames.push(this.frameOf(record.offset, record.bytes));
      this.inside = false;
      this.mode = BETWEEN;
      return;
    }
    const to = this.mode === MARKUP || this.mode === EVENT_NAME ? this.markupAt : this.chunkAt;
    if (to <= this.regionStart) return;
    const junk = this.cut(to, Buffer.alloc(0));
    this.emitJunk(frames, junk.offset, junk.bytes);
  }

  /** Takes the region's bytes up to absolute offset `to` (in `parts` or the current chunk); the region starts there. */
  private cut(to: number, chunk: Buffer): { offset: number; bytes: Buffer } {
    const offset = this.regionStart;
    let bytes: Buffer;
    if (to <= this.chunkAt) {
      const held = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
      this.work += held.length;
      const length = to - offset;
      bytes = held.subarray(0, length);
      const rest = held.subarray(length);
      this.parts = rest.length > 0 ? [rest] : [];
      this.partsBytes = rest.length;
    } else {
      const upTo = to - this.chunkAt;
      const tail = chunk.subarray(this.keptFrom, upTo);
      bytes = this.parts.length === 0 ? Buffer.from(tail) : Buffer.concat([...this.parts, tail]);
      this.work += bytes.length;
      this.parts = [];
      this.partsBytes = 0;
      this.keptFrom = upTo;
    }
    this.regionStart = to;
    return { offset, bytes };
  }

  private frameOf(offset: number, bytes: Buffer): Frame {
    if (bytes.length <= this.max) return { offset, bytes };
    return { offset, bytes: bytes.subarray(0, this.max), oversize: { length: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') } };
  }

  /** Text between events: a record unless it is only blank space, XML declarations and the <Events> wrapper. */
  private emitJunk(frames: Frame[], offset: number, bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.work += bytes.length;
    if (!isIgnorable(bytes.toString('utf8'))) frames.push(this.frameOf(offset, bytes));
  }
}

const WHITE_SPACE = /\s/;

/**
 * Only blank space (as String.prototype.trim sees it, a byte order mark included), `<?xml ...?>` declarations and
 * `<Events ...>` / `</Events>` tags: what wevtutil and Event Viewer put around events. One pass, no backtracking.
 */
export function isIgnorable(text: string): boolean {
  let at = 0;
  while (at < text.length) {
    const c = text[at] as string;
    if (c !== '<') {
      if (!WHITE_SPACE.test(c)) return false;
      at++;
      continue;
    }
    let end: number;
    if (text.startsWith('<?xml', at)) {
      end = text.indexOf('>', at + 5);
      if (end < at + 6 || text[end - 1] !== '?') return false;
    } else {
      const name = text.startsWith('</Events', at) ? at + 8 : text.startsWith('<Events', at) ? at + 7 : -1;
      if (name === -1) return false;
      const next = text[name] ?? '';
      if (next !== '>' && !WHITE_SPACE.test(next)) return false;
      end = text.indexOf('>', name);
      if (end === -1) return false;
    }
    at = end + 1;
  }
  return true;
}

/**
 * Event Viewer's copy of an event: the XML view's outline marker (`- <Event ...>`), or the "Copy details as text"
 * block (`Log Name: System` ... `Description:` ... `Event Xml:`, in the system's language) whose last line is the
 * label introducing the XML. Plain text, no markup: anything else before an event (blank lines included) stays
 * what it was, a record of its own or nothing. Read in one pass from each end (no expression over the whole text).
 */
export function isCopiedPreamble(bytes: Buffer): boolean {
  const text = bytes.toString('utf8');
  if (holdsMarkup(text)) return false;
  const unmarked = withoutOutlineMarker(text);
  if (unmarked !== text) return unmarked.trim() === '' || endsWithLabel(unmarked);
  return endsWithLabel(text);
}

/** A declaration, comment, CDATA section, closing tag or <Events> wrapper: XML, not a copied preamble. */
function holdsMarkup(text: string): boolean {
  for (let at = text.indexOf('<'); at !== -1; at = text.indexOf('<', at + 1)) {
    const next = text[at + 1];
    if (next === '?' || next === '!' || next === '/') return true;
    if (text.startsWith('Events', at + 1)) {
      const after = text[at + 7];
      if (after !== undefined && (after === '>' || WHITE_SPACE.test(after))) return true;
    }
  }
  return false;
}

/** The last line (blank space after it aside) is a label: 1 to 40 characters, no colon, then a colon (or `：`). */
function endsWithLabel(text: string): boolean {
  const trimmed = text.trimEnd();
  const line = trimmed.slice(trimmed.lastIndexOf('\n') + 1);
  if (line.length < 2 || line.length > 41) return false;
  const last = line[line.length - 1];
  if (last !== ':' && last !== '：') return false;
  for (let i = 0; i < line.length - 1; i++) if (line[i] === ':' || line[i] === '：') return false;
  return true;
}

/** Blank space (and a UTF-8 byte order mark) at the start of `bytes`. */
function leadingSpace(bytes: Buffer): number {
  let at = 0;
  while (at < bytes.length) {
    const c = bytes[at] as number;
    if (isBlank(c)) at++;
    else if (c === 0xef && bytes[at + 1] === 0xbb && bytes[at + 2] === 0xbf) at += 3;
    else break;
  }
  return at;
}
