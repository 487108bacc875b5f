import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { BatchedNdjsonWriter } from '../../../cli/io/batched-ndjson-writer.js';
import { FORMAT_PARSERS } from '../../../services/parser/core/registry.js';
import { parseRecord, SourceStates } from '../../../services/parser/core/parse-record.js';
import type { RawRecord } from '../../../shared/raw-record.js';

// The cheaper dead-letter path of `hangwatch parse` (1M invalid lines): parse failures are thrown without a
// stack trace (the setting is restored afterwards), and output lines are gathered into few stream writes with
// their order and backpressure kept.

/** A sink that takes `delayMs` per chunk and has a small buffer, so writes meet backpressure. */
function slowSink(delayMs: number): { stream: Writable; chunks: string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      setTimeout(done, delayMs);
    },
  });
  return { stream, chunks };
}

test('batched NDJSON: every document once, in order, in far fewer writes; a full stream makes the writer wait', async () => {
  const { stream, chunks } = slowSink(2);
  const writer = BatchedNdjsonWriter.toStream(stream);
  let waited = 0;
  for (let i = 0; i < 20_000; i++) {
    const full = writer.write({ n: i, text: 'dead letter' });
    if (full) {
      waited++;
      await full;
    }
    if (i % 1000 === 0) await new Promise((r) => setImmediate(r)); // the reader yields to I/O now and then
  }
  await writer.close();
  const lines = chunks.join('').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { n: number }).n);
  assert.deepEqual(lines, Array.from({ length: 20_000 }, (_, i) => i));
  assert.ok(chunks.length < 200, `${chunks.length} writes for 20000 documents`);
  assert.ok(waited > 0, 'backpressure reached the caller');
});

test('batched NDJSON: a document is written once the producer yields to I/O, before close (a trickle still streams)', async () => {
  const { stream, chunks } = slowSink(0);
  const writer = BatchedNdjsonWriter.toStream(stream);
  writer.write({ first: true });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(chunks.join(''), '{"first":true}\n');
  await writer.close();
});

test('parse failures: dead letters as before, and Error.stackTraceLimit is restored', () => {
  const before = Error.stackTraceLimit;
  const states = new SourceStates();
  const record = (text: string, offset: number): RawRecord =>
    ({ bytes: Buffer.from(text), host: 'h', path: '/var/log/libvirt/libvirtd.log', offset, fingerprint: 'f', created: '2017-03-15T06:00:00.000Z', format: 'libvirtd' }) as RawRecord;
  const bad = parseRecord(record('x', 0), FORMAT_PARSERS, states, { maxRecordBytes: 1 << 20, validate: false });
  assert.equal(bad.deadletters.length, 1);
  assert.equal(bad.deadletters[0]?.error.code, 'HW_PARSE_NO_MATCH');
  assert.match(bad.deadletters[0]?.error.message ?? '', /invalid syntax/);
  assert.equal(Error.stackTraceLimit, before);
  const good = parseRecord(record('2017-03-15 05:11:55.000+0000: 4242: error : qemuMonitorIO:689 : internal error: End of file from monitor', 2), FORMAT_PARSERS, states, { maxRecordBytes: 1 << 20, validate: false });
  assert.equal(good.events.length, 1);
  assert.equal(Error.stackTraceLimit, before);
  assert.ok((new Error('x').stack ?? '').includes('\n    at '), 'errors elsewhere keep their stack');
});
