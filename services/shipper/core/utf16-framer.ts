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
  /** The last position mapped by fileOffset: a segment index, a UTF-8 offset in it and the UTF-16 units before that. */
  private cursor = { index: 0, utf8: 0, units: 0 };
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

  /**
   * The file offset of a position in the inner UTF-8 stream (always at a character boundary there). Positions
   * asked for only grow, so the search goes on from the last one: each segment is decoded once in all, not once
   * per frame (from its start, 64 Ki tiny events in 1 MiB of UTF-16 took 55 s).
   */
  private fileOffset(utf8Offset: number): number {
    let index = this.cursor.index;
    if (index >= this.segments.length || (this.segments[index] as Segment).utf8Start > utf8Offset) {
      index = 0;
      this.cursor = { index: 0, utf8: 0, units: 0 };
    }
    while (index + 1 < this.segments.length && (this.segments[index + 1] as Segment).utf8Start <= utf8Offset) index++;
    const segment = this.segments[index];
    if (segment === undefined || segment.utf8Start > utf8Offset) return this.startOffset + 2 * this.units;
    const local = utf8Offset - segment.utf8Start;
    const from = index === this.cursor.index && this.cursor.utf8 <= local ? this.cursor : { index, utf8: 0, units: 0 };
    const units = from.units + segment.utf8.subarray(from.utf8, local).toString('utf8').length;
    this.cursor = { index, utf8: local, units };
    return this.startOffset + 2 * (segment.unitsBefore + units);
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
    let dropped = 0;
    while (dropped + 1 < this.segments.length && (this.segments[dropped + 1] as Segment).utf8Start <= inner.committedOffset) dropped++;
    if (dropped === 0) return;
    this.segments.splice(0, dropped);
    this.cursor = this.cursor.index >= dropped ? { ...this.cursor, index: this.cursor.index - dropped } : { index: 0, utf8: 0, units: 0 };
  }
}
