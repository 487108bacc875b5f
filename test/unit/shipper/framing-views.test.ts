import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFramer, type Frame } from '../../../services/shipper/core/framing.js';

// Line frames as views of kept chunks (the shipper's fast path) must equal the copying path byte for byte, for
// every way a file can be cut into chunks: CRLF, blank lines, lines over the limit, lines across chunk edges.

const MAX = 40;
const text = [
  'first line',
  '',
  'crlf line\r',
  '\r',
  'x'.repeat(MAX),
  'y'.repeat(MAX + 1),
  'z'.repeat(3 * MAX),
  'after the long ones',
  'tail without newline',
].join('\n');
const input = Buffer.from(text);

function frameAll(chunkSizes: readonly number[], kept: boolean, start = 7): { frames: Frame[]; committed: number } {
  const framer = createFramer('lines', MAX, start, kept);
  const frames: Frame[] = [];
  let at = 0;
  for (let i = 0; at < input.length; i++) {
    const size = chunkSizes[i % chunkSizes.length] as number;
    // A fresh Buffer per chunk, as the shipper reads; the copying path gets a reused one that is overwritten.
    const chunk = Buffer.from(input.subarray(at, at + size));
    frames.push(...framer.push(chunk));
    if (!kept) chunk.fill(0x21);
    at += size;
  }
  frames.push(...framer.end());
  return { frames, committed: framer.committedOffset };
}

function plain(frames: readonly Frame[]): unknown[] {
  return frames.map((f) => ({ offset: f.offset, text: f.bytes.toString(), oversize: f.oversize }));
}

test('views of kept chunks give the same frames and committed offset as copies', () => {
  for (const sizes of [[input.length], [1], [3, 5], [7], [16, 1, 40], [41], [64]]) {
    const copied = frameAll(sizes, false);
    const viewed = frameAll(sizes, true);
    assert.deepEqual(plain(viewed.frames), plain(copied.frames), `chunks ${sizes.join(',')}`);
    assert.equal(viewed.committed, copied.committed);
  }
  const { frames } = frameAll([input.length], true);
  assert.deepEqual(
    frames.map((f) => f.bytes.toString()).slice(0, 3),
    ['first line', 'crlf line', 'x'.repeat(MAX)],
  );
  assert.equal(frames[0]?.offset, 7);
  assert.ok(frames.some((f) => f.oversize?.length === MAX + 1));
});
