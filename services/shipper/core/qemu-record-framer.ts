import type { Frame, Framer } from './framing.js';
import {
  continuesWrapped,
  endsWithContinuation,
  isBareCommandWord,
  isFullWidth,
  isOptionLine,
  isStamped,
  isStartHeader,
  startsCommandWords,
  startsWrappableCommand,
  WRAPPED_LINE_MAX,
} from '../../../shared/qemu-line-shapes.js';

// The qemu domain log (/var/log/libvirt/qemu/<vm>.log) framed as records rather than lines: the lines of one record
// are grouped into one frame (joined by "\n", offset of its first line), so a command line is one record with one
// offset and one event, and what is held when the input ends is emitted by end() like any unfinished line. A
// command line cut at the end of a file (a log copied while the VM starts, a paste cut short) thus still reaches
// the parser, which flags it partial; held per line in the parser it was lost, as nothing tells a parser that a
// file ended.
//
// What is held, and until what (shapes in shared/qemu-line-shapes.ts):
// - a line of a command line ending in " \": until a line without it (a stamped line ends it too: the writer died
//   mid-command, and a stamp never continues one);
// - a bare `LC_ALL=C` or the bare binary (a paste whose backslashes were lost): while env, binary and option lines
//   follow;
// - the `starting up` header and a short one-line command line (a paste hard-wrapped at a fixed width): while the
//   next lines are full-width pieces of them. libvirt writes the command line right after its header, so holding
//   the header costs a live log nothing; a one-line command line is held only when shorter than a wrap width
//   (WRAPPED_LINE_MAX; libvirt's own one-line command lines are longer) until the next line shows whether it goes on.
// Everything else passes through at once: the register dump of a KVM error is not held (qemu may write nothing
// after it for hours, and the error must not wait); its lines are continuation events in the parser.
// A command line released before its end (the input ended, a stamped line broke in) or ended by the input's last
// line without its newline (a copy taken while libvirt wrote it may be cut inside that line) ends with a newline,
// which no line frame does: the parser's sign that it may be cut (see release()).
// Tailing a live log, a held record waits for the line after it (the shipper ends a framer only at the end of
// `ship --once` or of a rotated file); the lines libvirt holds here arrive together with the line that ends them.

type HoldKind = 'continued' | 'bare' | 'header' | 'command';

interface Held {
  readonly offset: number;
  readonly parts: Buffer[];
  bytes: number;
  readonly kind: HoldKind;
  /** For wrapped pieces: the longest piece so far (the wrap width) and the last piece's length. */
  width: number;
  lastLength: number;
}

const NEWLINE = Buffer.from('\n');
// Only the head of a line is decoded for the checks (they are anchored at the start), and the tail for " \".
const DECODE_HEAD = 8192;

export class QemuRecordFramer implements Framer {
  private held: Held | null = null;

  constructor(
    private readonly lines: Framer,
    private readonly max: number,
  ) {}

  /** A held record is not emitted yet: a restart reads it again from its first line. */
  get committedOffset(): number {
    return this.held ? this.held.offset : this.lines.committedOffset;
  }

  push(chunk: Buffer): Frame[] {
    return this.group(this.lines.push(chunk));
  }

  end(): Frame[] {
    // What the line framer still had is a last line without its newline: the input may have been cut inside it.
    const frames: Frame[] = [];
    for (const frame of this.lines.end()) this.take(frame, frames, true);
    if (this.held) frames.push(this.release(true));
    return frames;
  }

  private group(lineFrames: readonly Frame[]): Frame[] {
    const out: Frame[] = [];
    for (const frame of lineFrames) this.take(frame, out);
    return out;
  }

  private take(frame: Frame, out: Frame[], final = false): void {
    if (frame.oversize) {
      if (this.held) out.push(this.release(this.held.kind === 'continued'));
      out.push(frame);
      return;
    }
    const text = decodeHead(frame.bytes);
    const held = this.held;
    if (held && this.continues(held, frame, text)) {
      if (held.bytes + 1 + frame.bytes.length > this.max) {
        // Past the record limit the rest goes on line by line (the parser collects " \" lines itself).
        out.push(this.release(held.kind === 'continued'));
      } else {
        held.parts.push(NEWLINE, Buffer.from(frame.bytes));
        held.bytes += 1 + frame.bytes.length;
        held.lastLength = text.length;
        if (text.length > held.width) held.width = text.length;
        if (!this.stillOpen(held, frame, text)) out.push(this.release(final));
        return;
      }
    } else if (held) out.push(this.release(held.kind === 'continued')); // a " \" line not continued: cut there
    const kind = holdKind(frame, text);
    if (kind === undefined) {
      // A one-line command line that is the input's last, unterminated line: marked like any unfinished one.
      out.push(final && frame.bytes.length < this.max && startsWrappableCommand(text) ? { offset: frame.offset, bytes: Buffer.concat([frame.bytes, NEWLINE]) } : frame);
      return;
    }
    // A held line is copied: with chunksKept the frame is a view of a chunk the caller may reuse once emitted.
    this.held = { offset: frame.offset, parts: [Buffer.from(frame.bytes)], bytes: frame.bytes.length, kind, width: text.length, lastLength: text.length };
  }

  private continues(held: Held, frame: Frame, text: string): boolean {
    switch (held.kind) {
      case 'continued':
        return !isStamped(text);
      case 'bare':
        return isBareCommandWord(text) || isOptionLine(text);
      case 'header':
      case 'command':
        return isFullWidth(held.width, held.lastLength) && frame.bytes.length <= WRAPPED_LINE_MAX && continuesWrapped(held.kind, held.width, text, held.parts.length > 1);
    }
  }

  private stillOpen(held: Held, frame: Frame, text: string): boolean {
    switch (held.kind) {
      case 'continued':
        return endsWithContinuation(tailOf(frame.bytes));
      case 'bare':
        return true;
      case 'header':
      case 'command':
        return isFullWidth(held.width, text.length);
    }
  }

  /**
   * Emits what is held. `unfinished`: released before its own end (the input ended, a stamped line or the size limit
   * broke in), or ended by the input's last line that had no newline (maybe cut inside it). A command line then ends
   * with a newline, which no line frame does: the parser reads it as "may be cut" (without it, a lone `LC_ALL=C \`
   * would look like a line of a shipper that does not group lines, and wait for a continuation that never comes).
   */
  private release(unfinished = false): Frame {
    const held = this.held as Held;
    this.held = null;
    // (Not past the record limit: a record one byte over it would be refused whole.)
    if (unfinished && held.kind !== 'header' && held.bytes < this.max) held.parts.push(NEWLINE);
    const bytes = held.parts.length === 1 ? (held.parts[0] as Buffer) : Buffer.concat(held.parts);
    return { offset: held.offset, bytes };
  }
}

function holdKind(frame: Frame, text: string): HoldKind | undefined {
  if (endsWithContinuation(tailOf(frame.bytes)) && startsCommandWords(text)) return 'continued';
  if (isBareCommandWord(text)) return 'bare';
  if (frame.bytes.length > WRAPPED_LINE_MAX) return undefined;
  if (isStartHeader(text)) return 'header';
  if (startsWrappableCommand(text)) return 'command';
  return undefined;
}

function decodeHead(bytes: Buffer): string {
  return (bytes.length > DECODE_HEAD ? bytes.subarray(0, DECODE_HEAD) : bytes).toString('utf8');
}

function tailOf(bytes: Buffer): string {
  return (bytes.length > 16 ? bytes.subarray(bytes.length - 16) : bytes).toString('latin1');
}
