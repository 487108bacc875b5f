import { createHash, type Hash } from 'node:crypto';
import type { Format } from '../../../shared/vocabulary.js';
import { JsonDocumentFramer } from './json-document-framer.js';
import { Utf16AwareFramer } from './utf16-framer.js';
import { QemuRecordFramer } from './qemu-record-framer.js';

// Record framing (issue 4): newline lines with a maximum length, one `<Event>` per record for event XML, one
// document per WinDbg report. Incremental (push chunks, then end) with bounded memory: a line longer than the
// limit is never buffered whole; its first `maxRecordBytes` are kept for the dead letter, the rest is only
// counted and hashed, so the dead letter still carries the full length and SHA-256 (DESIGN.md section 9).

export interface Frame {
  /** Byte offset of the record's first byte in the source. */
  readonly offset: number;
  readonly bytes: Buffer;
  /** Set when the record exceeded the limit: its full length and digest; `bytes` holds its first part. */
  readonly oversize?: { readonly length: number; readonly sha256: string };
}

export interface Framer {
  push(chunk: Buffer): Frame[];
  /** End of input (or a flush timeout for a growing file): emit what is buffered. */
  end(): Frame[];
  /** Bytes consumed into emitted frames: the safe resume position for a checkpoint. */
  readonly committedOffset: number;
}

export type Framing = 'lines' | 'event-xml' | 'document' | 'json-documents' | 'qemu-records';

// The qemu domain log's path, as detect-format.ts knows it (rotations included).
const QEMU_DOMAIN_LOG = /(^|[\\/])libvirt[\\/]qemu[\\/][^\\/]+\.log([.-]\d+)?$/;

export function framingFor(format: Format | 'auto', path: string): Framing {
  if (format === 'winevent-xml' || (format === 'auto' && /\.xml$/i.test(path))) return 'event-xml';
  // Winlogbeat exports come one document per line, pretty-printed, as arrays or as search responses: one framer
  // reads them all (json-document-framer.ts); for NDJSON it gives the same records as line framing.
  if (format === 'winlogbeat' || (format === 'auto' && /\.(nd)?json(l)?$/i.test(path))) return 'json-documents';
  if (format === 'windbg' || (format === 'auto' && /\.(windbg|analyze)(\.txt)?$|windbg[^/]*\.txt$/i.test(path))) return 'document';
  // Lines grouped into records: a qemu command line over several lines is one record (qemu-record-framer.ts).
  if (format === 'qemu' || (format === 'auto' && QEMU_DOMAIN_LOG.test(path))) return 'qemu-records';
  return 'lines';
}

/**
 * `chunksKept`: the caller never reuses or changes a chunk it pushed, so line frames may be views of it instead of
 * copies (the shipper reads each chunk into a fresh Buffer; copying every line was ~5% of its CPU on the 1M-line
 * bench). Without it every framer copies what it keeps and the caller may reuse its read buffer.
 */
export function createFramer(framing: Framing, maxRecordBytes: number, startOffset = 0, chunksKept = false): Framer {
  // Event XML and JSON exports are often written by Windows tools in UTF-16 (utf16-framer.ts).
  if (framing === 'event-xml') return new Utf16AwareFramer((start) => new EventXmlFramer(maxRecordBytes, start), startOffset);
  if (framing === 'document') return new DocumentFramer(maxRecordBytes, startOffset);
  if (framing === 'json-documents') return new Utf16AwareFramer((start) => new JsonDocumentFramer(maxRecordBytes, start), startOffset);
  if (framing === 'qemu-records') return new QemuRecordFramer(new LineFramer(maxRecordBytes, startOffset, chunksKept), maxRecordBytes);
  return new LineFramer(maxRecordBytes, startOffset, chunksKept);
}

class LineFramer implements Framer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private lineStart: number;
  private position: number;
  private overflow: { hash: Hash; length: number; head: Buffer } | null = null;
  committedOffset: number;

  constructor(
    private readonly max: number,
    startOffset: number,
    private readonly chunksKept = false,
  ) {
    this.lineStart = startOffset;
    this.position = startOffset;
    this.committedOffset = startOffset;
  }

  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    let from = 0;
    while (from < chunk.length) {
      const nl = chunk.indexOf(0x0a, from);
      const end = nl === -1 ? chunk.length : nl;
      // A whole line inside a kept chunk: a view of it, no copy (same frame as the general path below).
      if (this.chunksKept && nl !== -1 && this.pendingBytes === 0 && this.overflow === null && end - from <= this.max) {
        this.position += end - from + 1;
        const last = end > from && chunk[end - 1] === 0x0d ? end - 1 : end;
        if (last > from) frames.push({ offset: this.lineStart, bytes: chunk.subarray(from, last) });
        this.lineStart = this.position;
        this.committedOffset = this.position;
        from = nl + 1;
        continue;
      }
      this.append(chunk.subarray(from, end));
      this.position += end - from;
      if (nl === -1) break;
      this.position += 1;
      const frame = this.takeLine();
      if (frame) frames.push(frame);
      this.lineStart = this.position;
      this.committedOffset = this.position;
      from = nl + 1;
    }
    return frames;
  }

  end(): Frame[] {
    const frame = this.takeLine();
    this.lineStart = this.position;
    this.committedOffset = this.position;
    return frame ? [frame] : [];
  }

  private append(part: Buffer): void {
    if (part.length === 0) return;
    if (this.overflow) {
      this.overflow.hash.update(part);
      this.overflow.length += part.length;
      return;
    }
    if (this.pendingBytes + part.length > this.max) {
      const head = Buffer.concat([...this.pending, part]);
      const hash = createHash('sha256').update(head);
      this.overflow = { hash, length: head.length, head: head.subarray(0, this.max) };
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    this.pending.push(Buffer.from(part));
    this.pendingBytes += part.length;
  }

  private takeLine(): Frame | null {
    if (this.overflow) {
      const { hash, length, head } = this.overflow;
      this.overflow = null;
      return { offset: this.lineStart, bytes: head, oversize: { length, sha256: hash.digest('hex') } };
    }
    if (this.pendingBytes === 0) {
      this.pending = [];
      return null;
    }
    let bytes = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    if (bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    if (bytes.length === 0) return null;
    return { offset: this.lineStart, bytes };
  }
}

/** A whole document (a WinDbg report): bounded; beyond the limit it becomes an oversize frame. */
class DocumentFramer implements Framer {
  private parts: Buffer[] = [];
  private size = 0;
  private hash = createHash('sha256');
  private start: number;
  private total = 0;
  committedOffset: number;

  constructor(
    private readonly max: number,
    startOffset: number,
  ) {
    this.start = startOffset;
    this.committedOffset = startOffset;
  }

  push(chunk: Buffer): Frame[] {
    this.hash.update(chunk);
    this.total += chunk.length;
    if (this.size < this.max) {
      const keep = chunk.subarray(0, this.max - this.size);
      this.parts.push(Buffer.from(keep));
      this.size += keep.length;
    }
    return [];
  }

  end(): Frame[] {
    if (this.total === 0) return [];
    const bytes = Buffer.concat(this.parts);
    const frame: Frame =
      this.total > this.max ? { offset: this.start, bytes, oversize: { length: this.total, sha256: this.hash.digest('hex') } } : { offset: this.start, bytes };
    this.start += this.total;
    this.committedOffset = this.start;
    this.parts = [];
    this.size = 0;
    this.total = 0;
    this.hash = createHash('sha256');
    return [frame];
  }
}

const EVENT_OPEN = Buffer.from('<Event');
const EVENT_CLOSE = Buffer.from('</Event>');

/**
 * One `<Event>` element per record (wevtutil prints them back to back, Event Viewer wraps them in <Events>).
 * Text between events that is not whitespace, an XML declaration or the <Events> wrapper is emitted as its own
 * record so the parser dead-letters it (nothing dropped silently: a DOCTYPE there is seen and refused), except
 * what Event Viewer puts in front of an event copied out of it (isCopiedPreamble): that starts the event's record.
 */
class EventXmlFramer implements Framer {
  private buffer: Buffer = Buffer.alloc(0);
  private bufferStart: number;
  committedOffset: number;

  constructor(
    private readonly max: number,
    startOffset: number,
  ) {
    this.bufferStart = startOffset;
    this.committedOffset = startOffset;
  }

  push(chunk: Buffer): Frame[] {
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    return this.scan(false);
  }

  end(): Frame[] {
    return this.scan(true);
  }

  private scan(final: boolean): Frame[] {
    const frames: Frame[] = [];
    for (;;) {
      const open = findEventOpen(this.buffer, 0);
      if (open === -1) {
        if (final) {
          this.emitJunk(frames, this.buffer, this.bufferStart);
          this.consume(this.buffer.length);
        } else if (this.buffer.length > this.max) {
          // No event start within the limit: emit what we have as junk rather than grow without bound.
          this.emitJunk(frames, this.buffer, this.bufferStart);
          this.consume(this.buffer.length);
        }
        return frames;
      }
      if (open > 0 && !isCopiedPreamble(this.buffer.subarray(0, open))) {
        this.emitJunk(frames, this.buffer.subarray(0, open), this.bufferStart);
        this.consume(open);
        continue;
      }
      // A copied event's record starts at its preamble's first character.
      const blank = leadingSpace(this.buffer, open);
      if (blank > 0) {
        this.consume(blank);
        continue;
      }
      const close = this.buffer.indexOf(EVENT_CLOSE, open);
      if (close === -1) {
        if (this.buffer.length > this.max || final) {
          const length = this.buffer.length;
          frames.push({
            offset: this.bufferStart,
            bytes: Buffer.from(this.buffer.subarray(0, Math.min(length, this.max))),
            ...(length > this.max ? { oversize: { length, sha256: createHash('sha256').update(this.buffer).digest('hex') } } : {}),
          });
          this.consume(length);
        }
        return frames;
      }
      const end = close + EVENT_CLOSE.length;
      frames.push({ offset: this.bufferStart, bytes: Buffer.from(this.buffer.subarray(0, end)) });
      this.consume(end);
    }
  }

  private consume(n: number): void {
    this.buffer = this.buffer.subarray(n);
    this.bufferStart += n;
    this.committedOffset = this.bufferStart;
  }

  private emitJunk(frames: Frame[], bytes: Buffer, offset: number): void {
    const text = bytes.toString('utf8');
    const rest = text
      .replace(/<\?xml[^>]*\?>/g, '')
      .replace(/<\/?Events(?:\s[^>]*)?>/g, '')
      .trim();
    if (rest.length > 0) frames.push({ offset, bytes: Buffer.from(bytes) });
  }
}

/**
 * Event Viewer's copy of an event: the XML view's outline marker (`- <Event ...>`), or the "Copy details as text"
 * block (`Log Name: System` ... `Description:` ... `Event Xml:`, in the system's language) whose last line is the
 * label introducing the XML. Plain text, no markup: anything else before an event (blank lines included) stays
 * what it was, a record of its own or nothing.
 */
function isCopiedPreamble(bytes: Buffer): boolean {
  const text = bytes.toString('utf8');
  if (/<[?!/]|<Events[\s>]/.test(text)) return false;
  const labelEnded = (t: string): boolean => /(^|\n)[^\n:：]{1,40}[:：]$/.test(t.trimEnd());
  const unmarked = text.replace(/[ \t]*[-+][ \t]*$/, '');
  if (unmarked !== text) return unmarked.trim() === '' || labelEnded(unmarked);
  return labelEnded(text);
}

/** Blank space (and a UTF-8 byte order mark) at the start of `bytes`, up to `end`. */
function leadingSpace(bytes: Buffer, end: number): number {
  let at = 0;
  while (at < end) {
    const c = bytes[at];
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) at++;
    else if (c === 0xef && bytes[at + 1] === 0xbb && bytes[at + 2] === 0xbf) at += 3;
    else break;
  }
  return at;
}

function findEventOpen(buffer: Buffer, from: number): number {
  let at = buffer.indexOf(EVENT_OPEN, from);
  while (at !== -1) {
    const next = buffer[at + EVENT_OPEN.length];
    if (next === undefined) return at; // cannot tell yet; treat as a start and wait for more
    if (next === 0x3e || next === 0x20 || next === 0x0a || next === 0x0d || next === 0x09 || next === 0x2f) return at;
    at = buffer.indexOf(EVENT_OPEN, at + 1);
  }
  return -1;
}
