import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { writeChunks } from '../../../services/timeline/adapters/write-chunks.js';

/** A reader slower than the writer: every write fills the 16-byte buffer, so each chunk waits for 'drain'. */
function slowSink(received: string[]): Writable {
  return new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _encoding, callback) {
      received.push(chunk.toString());
      setImmediate(callback);
    },
  });
}

async function* rows(count: number): AsyncGenerator<string> {
  for (let i = 0; i < count; i++) yield `row ${String(i).padStart(4, '0')} of a timeline export\n`;
}

test('a long export to a slow reader keeps every chunk in order and leaves no listeners behind', async () => {
  const received: string[] = [];
  const out = slowSink(received);
  const before = { close: out.listenerCount('close'), error: out.listenerCount('error'), drain: out.listenerCount('drain') };
  const bytes = await writeChunks(rows(200), out);
  const after = { close: out.listenerCount('close'), error: out.listenerCount('error'), drain: out.listenerCount('drain') };
  await new Promise<void>((resolve) => out.end(resolve));
  assert.equal(received.length, 200);
  assert.equal(received[199], 'row 0199 of a timeline export\n');
  assert.equal(bytes, received.join('').length);
  assert.deepEqual(after, before);
});

test('a reader that goes away mid-export ends the export with an error instead of waiting forever', async () => {
  const out = new Writable({ highWaterMark: 16, write: () => undefined });
  const writing = writeChunks(rows(50), out);
  setImmediate(() => out.destroy());
  await assert.rejects(writing, /output closed/);
});
