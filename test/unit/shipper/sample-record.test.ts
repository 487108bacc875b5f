import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSampleRecord } from '../../../services/shipper/core/sample-record.js';
import { RAW_HEADERS } from '../../../shared/topics.js';

const base = { host: 'kvm01', kind: 'domstats' as const, sampledMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678), text: "2026-01-02T03:04:05.678Z\nDomain: 'vm7'", created: '2026-01-02T03:04:06.000Z' };

test('a sample record: fixed path per kind, format domstats, offset from the sampling instant and its index', () => {
  const r = buildSampleRecord({ ...base, index: 3 });
  assert.equal(r.key, 'kvm01');
  assert.equal(r.headers[RAW_HEADERS.path], 'host-metrics/domstats');
  assert.equal(r.headers[RAW_HEADERS.format], 'domstats');
  assert.equal(r.headers[RAW_HEADERS.fingerprint], 'host-metrics:domstats');
  assert.equal(r.headers[RAW_HEADERS.offset], String(base.sampledMs * 1000 + 3));
  assert.ok(Number.isSafeInteger(Number(r.headers[RAW_HEADERS.offset])));
  assert.equal(r.value.toString(), base.text);
  assert.equal(buildSampleRecord({ ...base, kind: 'host-cpu', index: 0 }).headers[RAW_HEADERS.path], 'host-metrics/host-cpu');
});

test('the same sample gives the same id headers; the 1001st domain of a round moves to a second fingerprint', () => {
  assert.deepEqual(buildSampleRecord({ ...base, index: 1 }).headers[RAW_HEADERS.offset], buildSampleRecord({ ...base, index: 1 }).headers[RAW_HEADERS.offset]);
  const first = buildSampleRecord({ ...base, index: 0 });
  const overflow = buildSampleRecord({ ...base, index: 1000 });
  assert.equal(overflow.headers[RAW_HEADERS.offset], first.headers[RAW_HEADERS.offset]);
  assert.notEqual(overflow.headers[RAW_HEADERS.fingerprint], first.headers[RAW_HEADERS.fingerprint]);
});
