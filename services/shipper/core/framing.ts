import { createHash, type Hash } from 'node:crypto';
import type { Format } from '../../../shared/vocabulary.js';
import { JsonDocumentFramer } from './json-document-framer.js';
import { Utf16AwareFramer } from './utf16-framer.js';
import { QemuRecordFramer } from './qemu-record-framer.js';
import { EventXmlFramer } from './event-xml-framer.js';

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

/**
 * A whole document (a WinDbg report): bounded; beyond the limit it becomes an oversize frame. It is emitted when its
 * file stops growing (end()), but a debugger may still be writing it: symbol loading pauses `!analyze -v` for longer
 * than the flush timeout. Bytes that arrive after an emission continue the same document, which end() emits again
 * whole from its first byte: the same offset, so the same event id, and the complete report replaces the partial one
 * (emitted as a document of its own, the rest was a report without its header, dated by the read time). A document
 * past the limit is emitted once as an oversize record; what comes after it starts a new document.
 */
class DocumentFramer implements Framer {
  private parts: Buffer[] = [];
  private size = 0;
  private hash = createHash('sha256');
  private start: number;
  private total = 0;
  /** How much of the document end() has emitted. */
  private emitted = 0;
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
    if (this.total === this.emitted) return [];
    if (this.parts.length > 1) this.parts = [Buffer.concat(this.parts)];
    const bytes = this.parts[0] as Buffer;
    this.committedOffset = this.start + this.total;
    if (this.total <= this.max) {
      this.emitted = this.total;
      return [{ offset: this.start, bytes }];
    }
    const frame: Frame = { offset: this.start, bytes, oversize: { length: this.total, sha256: this.hash.digest('hex') } };
    this.start += this.total;
    this.parts = [];
    this.size = 0;
    this.total = 0;
    this.emitted = 0;
    this.hash = createHash('sha256');
    return [frame];
  }
}
