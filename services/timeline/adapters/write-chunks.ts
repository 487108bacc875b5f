import { once } from 'node:events';
import type { Writable } from 'node:stream';

// Writes chunks honouring backpressure: a slow reader (a pipe, an HTTP client) slows the export down instead
// of making it buffer the whole timeline in memory.

export async function writeChunks(chunks: AsyncIterable<string>, out: Writable): Promise<number> {
  let bytes = 0;
  for await (const chunk of chunks) {
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) {
      await Promise.race([once(out, 'drain'), once(out, 'close').then(() => Promise.reject(new Error('output closed')))]);
    }
  }
  return bytes;
}
