import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SendQueue, type OutRecord } from '../../../services/shipper/core/send-queue.js';
import { buildRawRecord } from '../../../services/shipper/core/raw-message.js';
import { backoffMs } from '../../../services/shipper/core/backoff.js';
import { RAW_HEADERS } from '../../../shared/topics.js';
import { rawRecordFromKafka } from '../../../services/parser/core/raw-from-kafka.js';

const rec = (n: number, cost = 10): OutRecord => ({ key: 'h', value: Buffer.from(String(n)), headers: {}, cost });

test('positions become safe only with the batch that carries the records before them', () => {
  const q = new SendQueue();
  q.pushRecord(rec(1));
  q.pushRecord(rec(2));
  q.pushMark(7, 20);
  q.pushRecord(rec(3));
  q.pushMark(7, 30);
  const first = q.peekBatch(2, 1_000);
  assert.equal(first.records.length, 2);
  assert.deepEqual([...first.positions], [[7, 20]]);
  q.acknowledge(first);
  const second = q.peekBatch(10, 1_000);
  assert.deepEqual([...second.positions], [[7, 30]]);
  q.acknowledge(second);
  assert.equal(q.isEmpty, true);
  assert.equal(q.bytes, 0);
});

test('a batch respects the byte limit but always takes at least one record', () => {
  const q = new SendQueue();
  q.pushRecord(rec(1, 500));
  q.pushRecord(rec(2, 500));
  assert.equal(q.peekBatch(10, 100).records.length, 1);
  assert.equal(q.peekBatch(10, 1_000).records.length, 2);
  assert.equal(q.bytes, 1_000);
});

test('an unacknowledged batch is sent again unchanged (peek does not remove)', () => {
  const q = new SendQueue();
  q.pushRecord(rec(1));
  assert.deepEqual(q.peekBatch(10, 100).records, q.peekBatch(10, 100).records);
});

test('raw records carry the headers the parser reads; oversize records are cut with their full length and digest', () => {
  const meta = { host: 'hv1', path: '/var/log/libvirt/libvirtd.log', format: 'libvirtd' as const, fingerprint: 'abcd', mtime: '2024-01-01T00:00:00.000Z' };
  const r = buildRawRecord(meta, { offset: 42, bytes: Buffer.from('x'.repeat(100)), oversize: { length: 5_000, sha256: 'f'.repeat(64) } }, '2024-01-02T00:00:00.000Z', 10);
  assert.equal(r.value.length, 10);
  assert.equal(r.headers[RAW_HEADERS.oversizeLength], '5000');
  const parsed = rawRecordFromKafka({ topic: 't', partition: 0, offset: '0', key: Buffer.from(r.key), value: r.value, timestamp: '0', headers: r.headers });
  assert.equal(parsed.host, 'hv1');
  assert.equal(parsed.offset, 42);
  assert.equal(parsed.fingerprint, 'abcd');
  assert.deepEqual(parsed.oversize, { length: 5_000, sha256: 'f'.repeat(64) });
  assert.equal(parsed.mtime, meta.mtime);
});

test('backoff grows, is capped, and is never zero', () => {
  assert.equal(backoffMs(0, 500, 30_000, () => 0), 250);
  assert.equal(backoffMs(3, 500, 30_000, () => 1), 4_000);
  assert.equal(backoffMs(40, 500, 30_000, () => 1), 30_000);
  assert.equal(backoffMs(40, 500, 30_000, () => 0), 15_000);
});

test('each acknowledged record advances its file to the next record, so a crash re-sends one batch, not a read chunk', () => {
  const q = new SendQueue();
  for (let i = 0; i < 10; i++) q.pushRecord({ ...rec(i), fileId: 3, resumeAt: (i + 1) * 100 });
  const batch = q.peekBatch(4, 10_000);
  assert.deepEqual([...batch.positions], [[3, 400]]);
});
