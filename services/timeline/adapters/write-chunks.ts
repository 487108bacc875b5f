import { once } from 'node:events';
import type { Writable } from 'node:stream';

// Writes chunks honouring backpressure: a slow reader (a pipe, an HTTP client) slows the export down instead
// of making it buffer the whole timeline in memory. Each wait removes its listeners once it is over: a long
// export to a slow client waits thousands of times on the same response.

export async function writeChunks(chunks: AsyncIterable<string>, out: Writable): Promise<number> {
  let bytes = 0;
  for await (const chunk of chunks) {
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await drainedOrClosed(out);
  }
  return bytes;
}

async function drainedOrClosed(out: Writable): Promise<void> {
  const done = new AbortController();
  try {
    await Promise.race([
      once(out, 'drain', { signal: done.signal }),
      once(out, 'close', { signal: done.signal }).then(() => Promise.reject(new Error('output closed'))),
    ]);
  } finally {
    done.abort();
  }
}
