import { createWriteStream, type WriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { once } from 'node:events';

// NDJSON output with backpressure: awaits 'drain' instead of buffering without bound.

export class NdjsonWriter {
  private constructor(
    private readonly stream: Writable,
    private readonly owned: boolean,
  ) {}

  static toStream(stream: Writable): NdjsonWriter {
    return new NdjsonWriter(stream, false);
  }

  static toFile(path: string): NdjsonWriter {
    const stream: WriteStream = createWriteStream(path, { flags: 'w' });
    return new NdjsonWriter(stream, true);
  }

  async write(value: unknown): Promise<void> {
    if (!this.stream.write(`${JSON.stringify(value)}\n`)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    if (!this.owned) return;
    await new Promise<void>((resolve, reject) => this.stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
}
