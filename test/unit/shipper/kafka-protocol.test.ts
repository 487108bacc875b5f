import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  API,
  classifyErrorCode,
  decodeApiVersionsResponse,
  decodeMetadataResponse,
  decodeProduceResponse,
  encodeProduceRequestPrefix,
  encodeRequestHeader,
  unsupportedApis,
} from '../../../services/shipper/core/kafka-protocol.js';

// Byte layouts from kafka.apache.org/protocol (MetadataResponse v5, ProduceRequest/Response v7, ApiVersions v0),
// built by hand here so the decoders are checked against the documented field order, not against themselves.

function int16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}
function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}
function int64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
}
function str(s: string | null): Buffer {
  if (s === null) return int16(-1);
  return Buffer.concat([int16(Buffer.byteLength(s)), Buffer.from(s)]);
}

test('request header: size covers header and body, then api key, version, correlation id, client id', () => {
  const header = encodeRequestHeader(0, 7, 42, 'hw', 100);
  assert.equal(header.readInt32BE(0), header.length - 4 + 100);
  assert.deepEqual([header.readInt16BE(4), header.readInt16BE(6), header.readInt32BE(8), header.readInt16BE(12)], [0, 7, 42, 2]);
  assert.equal(header.subarray(14).toString(), 'hw');
});

test('produce request prefix: null transactional id, acks -1, one topic, one partition, batch size last', () => {
  const prefix = encodeProduceRequestPrefix('raw', 3, 30_000, 1234);
  const want = Buffer.concat([int16(-1), int16(-1), int32(30_000), int32(1), str('raw'), int32(1), int32(3), int32(1234)]);
  assert.deepEqual(prefix, want);
});

test('metadata v5: brokers and the partitions of the asked topic, sorted; a missing topic reads as unknown', () => {
  const partition = (index: number, leader: number): Buffer => Buffer.concat([int16(0), int32(index), int32(leader), int32(1), int32(leader), int32(1), int32(leader), int32(0)]);
  const body = Buffer.concat([
    int32(0),
    int32(1),
    int32(1),
    str('kafka-1'),
    int32(9092),
    str(null),
    str('cluster'),
    int32(1),
    int32(1),
    int16(0),
    str('raw'),
    Buffer.from([0]),
    int32(2),
    partition(1, 1),
    partition(0, 1),
  ]);
  const metadata = decodeMetadataResponse(body, 'raw');
  assert.deepEqual(metadata.brokers, [{ nodeId: 1, host: 'kafka-1', port: 9092 }]);
  assert.deepEqual(
    metadata.partitions.map((p) => [p.partition, p.leader]),
    [
      [0, 1],
      [1, 1],
    ],
  );
  assert.equal(decodeMetadataResponse(body, 'other').topicError, 3);
  assert.throws(() => decodeMetadataResponse(body.subarray(0, body.length - 3), 'raw'), /truncated/);
});

test('produce v7 response: the partition error code and base offset', () => {
  const body = Buffer.concat([int32(1), str('raw'), int32(1), int32(0), int16(46), int64(77n), int64(-1n), int64(0n), int32(0)]);
  assert.deepEqual(decodeProduceResponse(body), { errorCode: 46, baseOffset: 77n });
});

test('api versions: a broker without Produce v7 is named in what is unsupported', () => {
  const ranges = [
    [0, 3, 11],
    [3, 0, 12],
    [18, 0, 4],
    [22, 0, 5],
  ];
  const body = Buffer.concat([int16(0), int32(ranges.length), ...ranges.map(([k, min, max]) => Buffer.concat([int16(k as number), int16(min as number), int16(max as number)]))]);
  const { errorCode, versions } = decodeApiVersionsResponse(body);
  assert.equal(errorCode, 0);
  assert.deepEqual(unsupportedApis(versions), []);
  versions.set(API.produce.key, { min: 8, max: 11 });
  assert.deepEqual(unsupportedApis(versions), ['produce v7 (broker 8-11)']);
});

test('error codes: duplicates acknowledge, lost producer state gets a new id, size errors split, unknown is fatal', () => {
  assert.equal(classifyErrorCode(0), 'ok');
  assert.equal(classifyErrorCode(46), 'ok');
  assert.equal(classifyErrorCode(59), 'new-producer-id');
  assert.equal(classifyErrorCode(45), 'new-producer-id');
  assert.equal(classifyErrorCode(10), 'too-large');
  assert.equal(classifyErrorCode(6), 'refresh-metadata');
  assert.equal(classifyErrorCode(19), 'retry');
  assert.equal(classifyErrorCode(29), 'fatal');
});
