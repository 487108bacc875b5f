import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TimedLine } from './types.js';

// Files are written through a fixed-size buffer with synchronous writes: memory stays bounded whatever the
// corpus size (a 1M-line libvirtd.log never exists as one string), and output order is exactly call order.

const CHUNK_BYTES = 1 << 16;

export class FileSink {
  private readonly fd: number;
  private buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  lines = 0;
  bytes = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'w');
  }

  /** Writes one line followed by `newline`. */
  writeLine(text: string | Buffer, newline = '\n'): void {
    this.write(text);
    this.write(newline);
    this.lines++;
  }

  write(text: string | Buffer): void {
    const data = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    this.bytes += data.length;
    if (data.length > CHUNK_BYTES) {
      this.flush();
      writeSync(this.fd, data);
      return;
    }
    if (this.used + data.length > CHUNK_BYTES) this.flush();
    data.copy(this.buffer, this.used);
    this.used += data.length;
  }

  flush(): void {
    if (this.used > 0) writeSync(this.fd, this.buffer, 0, this.used);
    this.used = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Orders by time, then by creation order, so equal stamps keep the order a writer emitted them in. */
export function compareTimed(a: TimedLine, b: TimedLine): number {
  return a.t - b.t || a.seq - b.seq;
}

/** Merges two streams that are each already in time order (the lazy noise stream and the sorted events). */
export function* mergeTimed(a: Iterable<TimedLine>, b: Iterable<TimedLine>): Generator<TimedLine> {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  let na = ia.next();
  let nb = ib.next();
  while (!na.done || !nb.done) {
    if (nb.done || (!na.done && compareTimed(na.value, nb.value) <= 0)) {
      yield na.value as TimedLine;
      na = ia.next();
    } else {
      yield nb.value;
      nb = ib.next();
    }
  }
}

/** Collects timed lines for one file; `seq` is assigned on push. */
export class TimedLines {
  private readonly items: TimedLine[] = [];
  private seq = 0;

  push(t: number, text: string | Buffer): void {
    this.items.push({ t, seq: this.seq++, text });
  }

  sorted(): TimedLine[] {
    return [...this.items].sort(compareTimed);
  }
}

export function writeTimedFile(path: string, lines: Iterable<TimedLine>, newline = '\n'): { lines: number; bytes: number } {
  const sink = new FileSink(path);
  for (const line of lines) sink.writeLine(line.text, newline);
  sink.close();
  return { lines: sink.lines, bytes: sink.bytes };
}
