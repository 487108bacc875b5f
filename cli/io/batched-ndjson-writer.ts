import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

// NDJSON output for many small documents (`hangwatch parse` on a file of invalid lines writes one dead letter
// per line): lines are gathered and written as one chunk whenever the producer yields to I/O (setImmediate),
// or at 256 KiB, instead of one stream write per document (~10% of such a run in a --cpu-prof profile). So a
// slow trickle of input is still written line by line as it comes, and backpressure holds: while the stream
// is full, the next write waits for 'drain'.

const FLUSH_BYTES = 256 * 1024;

export class BatchedNdjsonWriter {
  private lines: string[] = [];
  private bytes = 0;
  private scheduled = false;
  private draining: Promise<void> | undefined;

  private constructor(
    private readonly stream: Writable,
    private readonly owned: boolean,
  ) {}

  static toStream(stream: Writable): BatchedNdjsonWriter {
    return new BatchedNdjsonWriter(stream, false);
  }

  static toFile(path: string): BatchedNdjsonWriter {
    return new BatchedNdjsonWriter(createWriteStream(path, { flags: 'w' }), true);
  }

  /** Queues one document; returns a promise only when the caller must wait (the stream is full). */
  write(value: unknown): Promise<void> | undefined {
    const line = `${JSON.stringify(value)}\n`;
    this.lines.push(line);
    this.bytes += line.length;
    if (this.bytes >= FLUSH_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return this.draining;
  }

  /** Writes what is queued, then ends the stream if this writer opened it. */
  async close(): Promise<void> {
    this.flush();
    await this.draining;
    if (!this.owned) return;
    await new Promise<void>((resolve, reject) => this.stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }

  private flush(): void {
    this.scheduled = false;
    if (this.lines.length === 0) return;
    const chunk = this.lines.join('');
    this.lines = [];
    this.bytes = 0;
    if (!this.stream.write(chunk) && !this.draining) {
      this.draining = once(this.stream, 'drain').then(() => {
        this.draining = undefined;
      });
    }
  }
}
