// The few Kafka requests the shipper's own produce client needs, as pure encoders and decoders (the wire format of
// kafka.apache.org/protocol and the message definitions in clients/src/main/resources/common/message/*.json).
// Only non-flexible versions are used (no tagged fields): ApiVersions v0, Metadata v5, InitProducerId v1 and
// Produce v7, all served by Kafka 2.1 and later; the client checks them against ApiVersions before use.

export const API = {
  produce: { key: 0, version: 7 },
  metadata: { key: 3, version: 5 },
  apiVersions: { key: 18, version: 0 },
  initProducerId: { key: 22, version: 1 },
} as const;

/** Request header v1 (api key, version, correlation id, client id) behind the int32 size of the whole request. */
export function encodeRequestHeader(apiKey: number, apiVersion: number, correlationId: number, clientId: string, bodyBytes: number): Buffer {
  const client = Buffer.from(clientId, 'utf8');
  const out = Buffer.allocUnsafe(4 + 2 + 2 + 4 + 2 + client.length);
  out.writeInt32BE(out.length - 4 + bodyBytes, 0);
  out.writeInt16BE(apiKey, 4);
  out.writeInt16BE(apiVersion, 6);
  out.writeInt32BE(correlationId, 8);
  out.writeInt16BE(client.length, 12);
  client.copy(out, 14);
  return out;
}

/** Metadata v5 for one topic, never creating it. */
export function encodeMetadataRequest(topic: string): Buffer {
  const name = Buffer.from(topic, 'utf8');
  const out = Buffer.allocUnsafe(4 + 2 + name.length + 1);
  out.writeInt32BE(1, 0);
  out.writeInt16BE(name.length, 4);
  name.copy(out, 6);
  out.writeInt8(0, 6 + name.length);
  return out;
}

/** InitProducerId v1 without a transactional id: an idempotent producer's id and epoch. */
export function encodeInitProducerIdRequest(): Buffer {
  const out = Buffer.allocUnsafe(6);
  out.writeInt16BE(-1, 0);
  out.writeInt32BE(60_000, 2);
  return out;
}

/**
 * Produce v7 of one record batch to one partition, acks=-1 (all in-sync replicas). Returns the part before the
 * batch; the batch follows it on the wire unchanged (no copy of the records).
 */
export function encodeProduceRequestPrefix(topic: string, partition: number, timeoutMs: number, batchBytes: number): Buffer {
  const name = Buffer.from(topic, 'utf8');
  const out = Buffer.allocUnsafe(2 + 2 + 4 + 4 + 2 + name.length + 4 + 4 + 4);
  let p = out.writeInt16BE(-1, 0); // transactional_id: null
  p = out.writeInt16BE(-1, p); // acks: all
  p = out.writeInt32BE(timeoutMs, p);
  p = out.writeInt32BE(1, p); // one topic
  p = out.writeInt16BE(name.length, p);
  p += name.copy(out, p);
  p = out.writeInt32BE(1, p); // one partition
  p = out.writeInt32BE(partition, p);
  out.writeInt32BE(batchBytes, p);
  return out;
}

/** A bounds-checked reader of a response body. */
export class ResponseReader {
  private p = 0;
  constructor(private readonly buf: Buffer) {}

  int8(): number {
    return this.buf.readInt8(this.advance(1));
  }
  int16(): number {
    return this.buf.readInt16BE(this.advance(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.advance(4));
  }
  int64(): bigint {
    return this.buf.readBigInt64BE(this.advance(8));
  }
  string(): string | null {
    const length = this.int16();
    if (length < 0) return null;
    const at = this.advance(length);
    return this.buf.toString('utf8', at, at + length);
  }
  array<T>(item: () => T): T[] {
    const n = this.int32();
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item());
    return out;
  }

  private advance(n: number): number {
    const at = this.p;
    if (at + n > this.buf.length) throw new RangeError(`truncated Kafka response (${this.buf.length} bytes, wanted ${at + n})`);
    this.p += n;
    return at;
  }
}

export interface ApiVersionRange {
  readonly min: number;
  readonly max: number;
}

export function decodeApiVersionsResponse(body: Buffer): { errorCode: number; versions: Map<number, ApiVersionRange> } {
  const r = new ResponseReader(body);
  const errorCode = r.int16();
  const versions = new Map<number, ApiVersionRange>();
  if (errorCode === 0) for (const [key, min, max] of r.array(() => [r.int16(), r.int16(), r.int16()] as const)) versions.set(key, { min, max });
  return { errorCode, versions };
}

/** The APIs this client needs that the broker does not serve at the version used ("Produce v7 (broker 3-11)"). */
export function unsupportedApis(versions: ReadonlyMap<number, ApiVersionRange>): string[] {
  const out: string[] = [];
  for (const [name, api] of Object.entries(API)) {
    const range = versions.get(api.key);
    if (!range || api.version < range.min || api.version > range.max) out.push(`${name} v${api.version} (broker ${range ? `${range.min}-${range.max}` : 'none'})`);
  }
  return out;
}

export interface BrokerAddress {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

export interface TopicMetadata {
  readonly brokers: readonly BrokerAddress[];
  readonly topicError: number;
  readonly partitions: readonly { readonly partition: number; readonly leader: number; readonly errorCode: number }[];
}

export function decodeMetadataResponse(body: Buffer, topic: string): TopicMetadata {
  const r = new ResponseReader(body);
  r.int32(); // throttle_time_ms
  const brokers = r.array(() => {
    const nodeId = r.int32();
    const host = r.string() ?? '';
    const port = r.int32();
    r.string(); // rack
    return { nodeId, host, port };
  });
  r.string(); // cluster_id
  r.int32(); // controller_id
  const topics = r.array(() => {
    const errorCode = r.int16();
    const name = r.string();
    r.int8(); // is_internal
    const partitions = r.array(() => {
      const partitionError = r.int16();
      const partition = r.int32();
      const leader = r.int32();
      r.array(() => r.int32()); // replicas
      r.array(() => r.int32()); // isr
      r.array(() => r.int32()); // offline replicas
      return { partition, leader, errorCode: partitionError };
    });
    return { errorCode, name, partitions };
  });
  const found = topics.find((t) => t.name === topic);
  if (!found) return { brokers, topicError: 3, partitions: [] };
  return { brokers, topicError: found.errorCode, partitions: found.partitions.sort((a, b) => a.partition - b.partition) };
}

export function decodeInitProducerIdResponse(body: Buffer): { errorCode: number; producerId: bigint; producerEpoch: number } {
  const r = new ResponseReader(body);
  r.int32(); // throttle_time_ms
  const errorCode = r.int16();
  const producerId = r.int64();
  const producerEpoch = r.int16();
  return { errorCode, producerId, producerEpoch };
}

/** The error code of the one partition a Produce v7 request carried (the request names one topic and partition). */
export function decodeProduceResponse(body: Buffer): { errorCode: number; baseOffset: bigint } {
  const r = new ResponseReader(body);
  const topics = r.array(() => {
    r.string();
    return r.array(() => {
      r.int32(); // partition
      const errorCode = r.int16();
      const baseOffset = r.int64();
      r.int64(); // log_append_time_ms
      r.int64(); // log_start_offset
      return { errorCode, baseOffset };
    });
  });
  const first = topics[0]?.[0];
  if (!first) throw new RangeError('Kafka produce response without a partition');
  return first;
}

/** What the producer does after a produce (or metadata) error code. */
export type ProduceOutcome = 'ok' | 'retry' | 'refresh-metadata' | 'new-producer-id' | 'too-large' | 'fatal';

// Codes and retriability from Kafka's Errors.java. A duplicate sequence means the broker already has the batch
// (a retry after a lost response): that is an acknowledgement.
const OUTCOMES: ReadonlyMap<number, ProduceOutcome> = new Map<number, ProduceOutcome>([
  [0, 'ok'],
  [46, 'ok'], // DUPLICATE_SEQUENCE_NUMBER
  [2, 'too-large'], // CORRUPT_MESSAGE (a record the broker cannot take)
  [10, 'too-large'], // MESSAGE_TOO_LARGE
  [18, 'too-large'], // RECORD_LIST_TOO_LARGE
  [87, 'too-large'], // INVALID_RECORD
  [3, 'refresh-metadata'], // UNKNOWN_TOPIC_OR_PARTITION
  [5, 'refresh-metadata'], // LEADER_NOT_AVAILABLE
  [6, 'refresh-metadata'], // NOT_LEADER_OR_FOLLOWER
  [74, 'refresh-metadata'], // FENCED_LEADER_EPOCH
  [75, 'refresh-metadata'], // UNKNOWN_LEADER_EPOCH
  [7, 'retry'], // REQUEST_TIMED_OUT
  [8, 'retry'], // BROKER_NOT_AVAILABLE
  [13, 'retry'], // NETWORK_EXCEPTION
  [14, 'retry'], // COORDINATOR_LOAD_IN_PROGRESS
  [15, 'retry'], // COORDINATOR_NOT_AVAILABLE
  [19, 'retry'], // NOT_ENOUGH_REPLICAS
  [20, 'retry'], // NOT_ENOUGH_REPLICAS_AFTER_APPEND
  [56, 'retry'], // KAFKA_STORAGE_ERROR
  [45, 'new-producer-id'], // OUT_OF_ORDER_SEQUENCE_NUMBER
  [47, 'new-producer-id'], // INVALID_PRODUCER_EPOCH
  [59, 'new-producer-id'], // UNKNOWN_PRODUCER_ID
  [90, 'new-producer-id'], // PRODUCER_FENCED
]);

export function classifyErrorCode(code: number): ProduceOutcome {
  return OUTCOMES.get(code) ?? 'fatal';
}
