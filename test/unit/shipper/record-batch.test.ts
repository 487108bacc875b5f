import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { crc32c } from '../../../services/shipper/core/crc32c.js';
import { frameBatch, recordsOf, RecordBatchEncoder, varintSize, writeVarint, type BatchRecord } from '../../../services/shipper/core/record-batch.js';
import { createRawRecordBuilder, TemplatedRecord } from '../../../services/shipper/core/raw-message.js';

// The encoder is checked against an independent implementation: kafkajs's own record batch decoder and CRC-32C
// (the real broker, which verifies the CRC, is exercised by test/integration/shipper*.test.ts).
const require = createRequire(import.meta.url);
const Decoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => unknown;
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (decoder: unknown) => Promise<DecodedBatch>;
const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C') as (buffer: Buffer) => number;

interface DecodedBatch {
  firstOffset: string;
  firstTimestamp: string;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  lastOffsetDelta: number;
  records: { key: Buffer; value: Buffer; headers: Record<string, Buffer>; offset: string }[];
}

test('crc32c: the standard check value and agreement with kafkajs on odd lengths', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32c(Buffer.alloc(0)), 0);
  for (const length of [1, 7, 8, 9, 63, 64, 1000, 4097]) {
    const data = randomBytes(length);
    assert.equal(crc32c(data), kafkajsCrc32c(data) >>> 0, `length ${length}`);
  }
  const data = randomBytes(100);
  assert.equal(crc32c(data, 10, 90), crc32c(data.subarray(10, 90)));
  // Every alignment of the start against the underlying memory (the word path starts at a 4-byte boundary).
  const big = randomBytes(300);
  for (let shift = 0; shift < 8; shift++) assert.equal(crc32c(big, shift, 290), kafkajsCrc32c(big.subarray(shift, 290)) >>> 0, `shift ${shift}`);
});

test('varints: zigzag sizes at the byte boundaries', () => {
  for (const [n, size] of [[0, 1], [63, 1], [64, 2], [8191, 2], [8192, 3], [1_048_575, 3], [1_048_576, 4]] as const) {
    assert.equal(varintSize(n), size, `size of ${n}`);
    const out = Buffer.alloc(8);
    assert.equal(writeVarint(out, 0, n), size);
  }
});

function recordsFor(count: number): BatchRecord[] {
  const out: BatchRecord[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      key: i === 3 ? 'other-host' : 'host-ä',
      value: Buffer.from(`line ${i} ${'x'.repeat(i * 37)}`),
      headers: { 'hw-host': 'host-ä', 'hw-path': '/var/log/libvirt/libvirtd.log', 'hw-offset': String(i * 100), 'hw-created': i < 50 ? 'a' : 'b', 'hw-mtime': i % 3 === 0 ? 'x' : 'yy', 'schema-version': '1' },
    });
  }
  return out;
}

async function decode(batch: Buffer): Promise<DecodedBatch> {
  return decodeBatch(new Decoder(batch));
}

test('an uncompressed batch decodes to the same records, producer id, epoch and sequence', async () => {
  const records = recordsFor(120);
  const encoder = new RecordBatchEncoder();
  const payload = encoder.encodeRecords(records);
  const batch = frameBatch(payload, records.length, 1_700_000_000_123, { producerId: 4242n, producerEpoch: 3, baseSequence: 77 }, 'none');
  assert.equal(batch.readUInt32BE(17), crc32c(batch, 21, batch.length), 'CRC over attributes..end');
  const decoded = await decode(batch);
  assert.equal(decoded.producerId, '4242');
  assert.equal(decoded.producerEpoch, 3);
  assert.equal(decoded.firstSequence, 77);
  assert.equal(decoded.lastOffsetDelta, 119);
  assert.equal(decoded.firstTimestamp, '1700000000123');
  assert.equal(decoded.records.length, 120);
  decoded.records.forEach((r, i) => {
    const want = records[i] as BatchRecord;
    assert.equal(r.key.toString(), want.key);
    assert.deepEqual(r.value, want.value);
    assert.equal(r.offset, String(i));
    assert.deepEqual(Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.toString()])), want.headers);
  });
  // A second batch from the same encoder (cached header pairs) is identical to one from a fresh encoder.
  assert.deepEqual(recordsOf(encoder.encodeRecords(records)), recordsOf(new RecordBatchEncoder().encodeRecords(records)));
});

test('a gzip batch carries the compressed records after the header and decodes the same', async () => {
  const records = recordsFor(30);
  const payload = new RecordBatchEncoder().encodeRecords(records);
  const batch = frameBatch(payload, records.length, 1, { producerId: 1n, producerEpoch: 0, baseSequence: 0 }, 'gzip', gzipSync(recordsOf(payload)));
  assert.equal(batch.readInt16BE(21), 1, 'gzip attribute');
  const decoded = await decode(batch);
  assert.deepEqual(
    decoded.records.map((r) => r.value.toString()),
    records.map((r) => r.value.toString()),
  );
});

test('a tailed file record (shared header template) encodes byte for byte like the same record with a headers object', () => {
  const build = createRawRecordBuilder({ host: 'hv-ä', path: '/var/log/libvirt/libvirtd.log', format: 'libvirtd', fingerprint: '0123456789abcdef', mtime: 'm' }, 'c', 64);
  const offsets = [0, 9, 10, 99_999, 1_000_000_007, 2 ** 40];
  const templated = offsets.map((offset, i) => build({ offset, bytes: Buffer.from(`line ${i}`) }, 1, offset + 7));
  assert.ok(templated.every((r) => r instanceof TemplatedRecord));
  const plain: BatchRecord[] = templated.map((r) => ({ key: r.key, value: r.value, headers: { ...r.headers } }));
  assert.equal(plain[4]?.headers['hw-offset'], '1000000007');
  // Mixed with a plain record in between (an oversize line or another source), in both orders.
  const oversize = build({ offset: 5, bytes: Buffer.alloc(100, 0x61), oversize: { length: 100, sha256: 'f'.repeat(64) } });
  assert.ok(!(oversize instanceof TemplatedRecord));
  const mixed = [...templated.slice(0, 3), oversize, ...templated.slice(3)];
  const mixedPlain = [...plain.slice(0, 3), oversize, ...plain.slice(3)];
  assert.deepEqual(recordsOf(new RecordBatchEncoder().encodeRecords(mixed)), recordsOf(new RecordBatchEncoder().encodeRecords(mixedPlain)));
  assert.equal(oversize.value.length, 64, 'oversize value cut to the head');
  assert.equal(oversize.headers['hw-oversize-length'], '100');
});
