import { TextDecoder } from 'node:util';
import type { Frame, Framer } from './framing.js';

// Windows tools write UTF-16 as readily as UTF-8: Windows PowerShell 5.1's `>` (`wevtutil qe System /f:xml >
// events.xml`, `Get-Content winlogbeat.ndjson > copy.json`) writes UTF-16LE with a byte order mark. Read as
// UTF-8 such a file is NUL bytes between letters, and every record would be a dead letter. This framer finds the
// encoding from the first bytes (a UTF-16 byte order mark, or, for a read resumed in the middle of a file, NULs in
// every other byte of text that is mostly ASCII, as event XML and JSON are), decodes UTF-16 as it streams, and
// hands UTF-8 to the framer of the format. Frames carry UTF-8 text (the parser decodes records as UTF-8) and the
// offsets of their first byte in the file itself, so positions and checkpoints stay file offsets.

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** How many bytes decide the encoding when neither a byte order mark nor the first two bytes do. */
const SNIFF_BYTES = 64;

/** Two bytes are enough for a byte order mark, or for text whose first two bytes are not NUL (not UTF-16). */
function decidedEarly(head: Buffer): boolean {
  if (head.length < 2) return false;
  const [a, b] = [head[0] as number, head[1] as number];
  return (a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff) || (a !== 0 && b !== 0);
}

function sniffEncoding(head: Buffer): Encoding {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  // No mark: UTF-8 text has no NUL bytes; ASCII in UTF-16 has one in every other byte.
  const pairs = Math.floor(head.length / 2);
  if (pairs < 4) return 'utf-8';
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i + 1 < head.length; i += 2) {
    if (head[i] === 0) evenNul++;
    if (head[i + 1] === 0) oddNul++;
  }
  if (oddNul >= pairs * 0.75 && evenNul === 0) return 'utf-16le';
  if (evenNul >= pairs * 0.75 && oddNul === 0) return 'utf-16be';
  return 'utf-8';
}

/** A stretch of decoded text: where it starts in the inner (UTF-8) stream and how many UTF-16 units came before. */
interface Segment {
  readonly utf8Start: number;
  readonly utf8: Buffer;
  readonly unitsBefore: number;
}

export class Utf16AwareFramer implements Framer {
  private encoding: Encoding | undefined;
  private inner: Framer | undefined;
  private head: Buffer[] = [];
  private headBytes = 0;
  private decoder: TextDecoder | undefined;
  private segments: Segment[] = [];
  private utf8Position = 0;
  private units = 0;
  committedOffset: number;

  constructor(
    private readonly createInner: (startOffset: number) => Framer,
    private readonly startOffset: number,
  ) {
    this.committedOffset = startOffset;
  }

  push(chunk: Buffer): Frame[] {
    if (this.encoding === undefined) {
      this.head.push(Buffer.from(chunk));
      this.headBytes += chunk.length;
      if (this.headBytes < SNIFF_BYTES && !decidedEarly(this.head.length === 1 ? (this.head[0] as Buffer) : Buffer.concat(this.head))) return [];
      return this.decide();
    }
    return this.forward(chunk);
  }

  end(): Frame[] {
    const frames = this.encoding === undefined ? this.decide() : [];
    const inner = this.inner as Framer;
    if (this.decoder !== undefined) frames.push(...this.mapFrames(inner.push(this.encodeText(this.decoder.decode()))));
    frames.push(...this.mapFrames(inner.end()));
    this.sync();
    return frames;
  }

  private decide(): Frame[] {
    const head = Buffer.concat(this.head);
    this.head = [];
    this.encoding = sniffEncoding(head);
    if (this.encoding === 'utf-8') {
      this.inner = this.createInner(this.startOffset);
    } else {
      // The mark is kept as U+FEFF: the inner framers skip it, and it counts as one UTF-16 unit of the file.
      this.decoder = new TextDecoder(this.encoding, { ignoreBOM: true });
      this.inner = this.createInner(0);
    }
    return this.forward(head);
  }

  private forward(chunk: Buffer): Frame[] {
    const inner = this.inner as Framer;
    if (this.decoder === undefined) {
      const frames = inner.push(chunk);
      this.committedOffset = inner.committedOffset;
      return frames;
    }
    const frames = this.mapFrames(inner.push(this.encodeText(this.decoder.decode(chunk, { stream: true }))));
    this.sync();
    return frames;
  }

  private encodeText(text: string): Buffer {
    const utf8 = Buffer.from(text, 'utf8');
    if (utf8.length > 0) this.segments.push({ utf8Start: this.utf8Position, utf8, unitsBefore: this.units });
    this.utf8Position += utf8.length;
    this.units += text.length;
    return utf8;
  }

  /** The file offset of a position in the inner UTF-8 stream (always at a character boundary there). */
  private fileOffset(utf8Offset: number): number {
    let segment: Segment | undefined;
    for (const s of this.segments) {
      if (s.utf8Start > utf8Offset) break;
      segment = s;
    }
    if (segment === undefined) return this.startOffset + 2 * this.units;
    const prefix = segment.utf8.subarray(0, utf8Offset - segment.utf8Start).toString('utf8').length;
    return this.startOffset + 2 * (segment.unitsBefore + prefix);
  }

  private mapFrames(frames: Frame[]): Frame[] {
    if (this.decoder === undefined) return frames;
    return frames.map((frame) => ({ ...frame, offset: this.fileOffset(frame.offset) }));
  }

  /** Moves the committed offset on and forgets the text no frame can start in any more. */
  private sync(): void {
    const inner = this.inner as Framer;
    if (this.decoder === undefined) {
      this.committedOffset = inner.committedOffset;
      return;
    }
    this.committedOffset = this.fileOffset(inner.committedOffset);
    while (this.segments.length > 1 && (this.segments[1] as Segment).utf8Start <= inner.committedOffset) this.segments.shift();
  }
}
