import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { ConnectionOptions } from 'node:tls';
import { Partitioners } from 'kafkajs';
import { backoffMs } from '../core/backoff.js';
import {
  API,
  classifyErrorCode,
  decodeApiVersionsResponse,
  decodeInitProducerIdResponse,
  decodeMetadataResponse,
  decodeProduceResponse,
  encodeInitProducerIdRequest,
  encodeMetadataRequest,
  encodeProduceRequestPrefix,
  unsupportedApis,
  type TopicMetadata,
} from '../core/kafka-protocol.js';
import { frameBatch, RecordBatchEncoder, recordsOf } from '../core/record-batch.js';
import type { OutRecord } from '../core/send-queue.js';
import { KafkaConnection } from './kafka-connection.js';
import type { ProduceClient, SendProgress } from './produce-client.js';

// The shipper's own idempotent produce client (issue 4 speed): kafkajs encodes each record through an Encoder
// object and several Buffers, ~60 us per record, which kept the shipper at a quarter of kcat. This client does only
// what the shipper needs: ApiVersions, Metadata, InitProducerId, and Produce v7 with acks=-1, one request in flight
// per partition, each record batch carrying the producer id, epoch and the partition's next sequence number, so a
// batch resent after a lost response or a reconnect is dropped by the broker as a duplicate (KIP-98), across
// outages too (the sink's retries keep this producer id). A broker answering that it lost the producer's state
// (UNKNOWN_PRODUCER_ID, OUT_OF_ORDER_SEQUENCE_NUMBER) gets a new producer id: only then can an unacknowledged batch
// arrive twice. Partitions are chosen like kafkajs's default partitioner (Java-compatible murmur2 of the key), so
// records of a host land where the kafkajs-based producers of the other services expect them.

export interface NativeProducerOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly ssl: boolean | ConnectionOptions | undefined;
  readonly topic: string;
  readonly compression: 'none' | 'gzip';
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Most bytes (records' cost) in one produce request: one record batch, under the broker's message.max.bytes. */
  readonly requestMaxBytes: number;
  /** Requests of one partition sent before the first is acknowledged (at most 5: the broker's idempotence window). */
  readonly maxInFlightRequests: number;
  /** Quick retries inside one send (leader moves, a lost connection) before the sink's backoff takes over. */
  readonly retries?: number;
  readonly random?: () => number;
}

const gzipAsync = promisify(gzip);
const INT32_SPAN = 0x80000000;

/** Thrown for answers that retrying will not change (the sink still retries them with backoff, logged). */
class KafkaRefused extends Error {}

export class NativeProducer implements ProduceClient {
  private bootstrap: KafkaConnection | null = null;
  private readonly leaders = new Map<number, KafkaConnection>();
  private metadata: TopicMetadata | null = null;
  private producer: { readonly id: bigint; readonly epoch: number } | null = null;
  private readonly sequences = new Map<number, number>();
  private readonly partitionOfKey = new Map<string, number>();
  private partitionCount = 0;
  private readonly encoder = new RecordBatchEncoder();
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private readonly random: () => number;

  constructor(private readonly options: NativeProducerOptions) {
    this.random = options.random ?? Math.random;
  }

  get connected(): boolean {
    return this.producer !== null && this.bootstrap !== null && !this.bootstrap.closed;
  }

  async connect(): Promise<void> {
    await this.readyRetrying();
  }

  async send(records: readonly OutRecord[], progress: SendProgress, onTooLarge: (record: OutRecord) => void): Promise<void> {
    // Runs of consecutive records for one partition (usually the whole batch: one host per shipper), in order.
    while (progress.done < records.length) {
      // Metadata may have been dropped by a failed request of the previous run.
      await this.readyRetrying();
      const start = progress.done;
      const partition = this.partitionFor((records[start] as OutRecord).key);
      let end = start + 1;
      while (end < records.length && this.partitionFor((records[end] as OutRecord).key) === partition) end++;
      await this.produceRun(partition, records, start, end, progress, onTooLarge);
    }
  }

  /** Closes the connections; the producer id and sequences are kept, so a resend is still deduplicated. */
  async reset(): Promise<void> {
    this.closeConnections();
    this.metadata = null;
  }

  async close(): Promise<void> {
    this.closeConnections();
  }

  /**
   * records[start, end) of one partition as requests of at most requestMaxBytes, up to maxInFlightRequests of them
   * on the wire at once (sequence numbers assigned in order, so the broker appends them in order). Kafka answers
   * a connection's requests in order; at the first answer that is not an acknowledgement the rest are awaited and
   * everything from the failed request on goes again one request at a time with the same sequence numbers, where
   * produce() handles each error (what the broker already has is dropped as a duplicate).
   */
  private async produceRun(partition: number, records: readonly OutRecord[], start: number, end: number, progress: SendProgress, onTooLarge: (record: OutRecord) => void): Promise<void> {
    const chunks = splitByCost(records, start, end, this.options.requestMaxBytes);
    let done = 0;
    if (chunks.length > 1 && this.options.maxInFlightRequests > 1) done = await this.producePipelined(partition, records, chunks, progress);
    for (let i = done; i < chunks.length; i++) {
      const [from, to] = chunks[i] as [number, number];
      await this.produceSplitting(partition, from === 0 && to === records.length ? records : records.slice(from, to), onTooLarge);
      progress.done = to;
    }
  }

  /** Sends chunks pipelined; returns how many were acknowledged in order before the first that was not. */
  private async producePipelined(partition: number, records: readonly OutRecord[], chunks: readonly (readonly [number, number])[], progress: SendProgress): Promise<number> {
    const producer = this.producer as { id: bigint; epoch: number };
    let leader: KafkaConnection;
    try {
      leader = await this.leaderFor(partition);
    } catch {
      return 0;
    }
    const first = this.sequences.get(partition) ?? 0;
    const answers: Promise<number>[] = [];
    let sent = 0;
    let done = 0;
    let sequence = first;
    const now = Date.now();
    while (done < chunks.length) {
      while (sent < chunks.length && sent - done < this.options.maxInFlightRequests) {
        const [from, to] = chunks[sent] as [number, number];
        const payload = this.encoder.encodeRecords(records.slice(from, to));
        const compressed = this.options.compression === 'gzip' ? await gzipAsync(recordsOf(payload)) : undefined;
        const batch = frameBatch(payload, to - from, now, { producerId: producer.id, producerEpoch: producer.epoch, baseSequence: sequence }, this.options.compression, compressed);
        const prefix = encodeProduceRequestPrefix(this.options.topic, partition, this.options.requestTimeoutMs, batch.length);
        // A failed request reads as error code -1: handled below like any answer that is not an acknowledgement.
        answers.push(
          leader.request(API.produce.key, API.produce.version, [prefix, batch]).then(
            (body) => decodeProduceResponse(body).errorCode,
            () => -1,
          ),
        );
        sequence = wrapSequence(sequence + (to - from));
        sent++;
      }
      const code = await (answers[done] as Promise<number>);
      if (classifyErrorCode(code) !== 'ok') break;
      const [from, to] = chunks[done] as [number, number];
      this.sequences.set(partition, wrapSequence((this.sequences.get(partition) ?? 0) + (to - from)));
      progress.done = to;
      done++;
    }
    await Promise.all(answers.slice(done));
    return done;
  }

  /** A batch over the broker's limits is halved until it fits; a single record that still does not is reported. */
  private async produceSplitting(partition: number, records: readonly OutRecord[], onTooLarge: (record: OutRecord) => void): Promise<void> {
    if ((await this.produce(partition, records)) === 'ok') return;
    if (records.length === 1) {
      onTooLarge(records[0] as OutRecord);
      return;
    }
    const half = Math.ceil(records.length / 2);
    await this.produceSplitting(partition, records.slice(0, half), onTooLarge);
    await this.produceSplitting(partition, records.slice(half), onTooLarge);
  }

  private async produce(partition: number, records: readonly OutRecord[]): Promise<'ok' | 'too-large'> {
    const retries = this.options.retries ?? 5;
    let encoded: { batch: Buffer; id: bigint; epoch: number; sequence: number } | null = null;
    let payload: Buffer | null = null;
    for (let attempt = 0; ; attempt++) {
      let failure: Error;
      try {
        await this.ready();
        const producer = this.producer as { id: bigint; epoch: number };
        const sequence = this.sequences.get(partition) ?? 0;
        // The same bytes go again on a retry (same id and sequence: the broker drops what it already has).
        if (!encoded || encoded.id !== producer.id || encoded.epoch !== producer.epoch || encoded.sequence !== sequence) {
          payload ??= this.encoder.encodeRecords(records);
          const compressed = this.options.compression === 'gzip' ? await gzipAsync(recordsOf(payload)) : undefined;
          const now = Date.now();
          const batch = frameBatch(payload, records.length, now, { producerId: producer.id, producerEpoch: producer.epoch, baseSequence: sequence }, this.options.compression, compressed);
          encoded = { batch, id: producer.id, epoch: producer.epoch, sequence };
        }
        const leader = await this.leaderFor(partition);
        const prefix = encodeProduceRequestPrefix(this.options.topic, partition, this.options.requestTimeoutMs, encoded.batch.length);
        const { errorCode } = decodeProduceResponse(await leader.request(API.produce.key, API.produce.version, [prefix, encoded.batch]));
        const outcome = classifyErrorCode(errorCode);
        if (outcome === 'ok') {
          this.sequences.set(partition, wrapSequence(sequence + records.length));
          return 'ok';
        }
        if (outcome === 'too-large') return 'too-large';
        if (outcome === 'fatal') throw new KafkaRefused(`Kafka refused the records for ${this.options.topic}[${partition}] with error code ${errorCode}`);
        if (outcome === 'refresh-metadata') this.metadata = null;
        if (outcome === 'new-producer-id') {
          this.producer = null;
          this.sequences.clear();
        }
        failure = new Error(`Kafka answered error code ${errorCode} for ${this.options.topic}[${partition}]`);
      } catch (error) {
        if (error instanceof KafkaRefused) throw error;
        failure = error as Error;
        this.closeConnections();
        this.metadata = null;
      }
      if (attempt >= retries) throw failure;
      await sleep(backoffMs(attempt, 200, 2_000, this.random));
    }
  }

  private partitionFor(key: string): number {
    let partition = this.partitionOfKey.get(key);
    if (partition === undefined) {
      const partitionMetadata = (this.metadata as TopicMetadata).partitions.map((p) => ({ partitionId: p.partition, leader: p.leader, partitionErrorCode: p.errorCode, replicas: [], isr: [] }));
      partition = this.partitioner({ topic: this.options.topic, partitionMetadata, message: { key, value: null } });
      this.partitionOfKey.set(key, partition);
    }
    return partition;
  }

  /**
   * ready() with the quick retries of a send: a broker that just started answers InitProducerId with
   * COORDINATOR_LOAD_IN_PROGRESS for a moment (seen in the outage test), which is no outage worth reporting.
   */
  private async readyRetrying(): Promise<void> {
    const retries = this.options.retries ?? 5;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.ready();
        return;
      } catch (error) {
        if (error instanceof KafkaRefused || attempt >= retries) throw error;
        this.closeConnections();
        this.metadata = null;
      }
      await sleep(backoffMs(attempt, 200, 2_000, this.random));
    }
  }

  /** Connection, topic metadata and producer id, each fetched again when it was dropped. */
  private async ready(): Promise<void> {
    if (!this.bootstrap || this.bootstrap.closed) this.bootstrap = await this.connectAny();
    if (!this.metadata) {
      const metadata = decodeMetadataResponse(await this.bootstrap.request(API.metadata.key, API.metadata.version, [encodeMetadataRequest(this.options.topic)]), this.options.topic);
      if (metadata.topicError !== 0 || metadata.partitions.length === 0) throw new Error(`no metadata for topic ${this.options.topic} (error code ${metadata.topicError})`);
      const unled = metadata.partitions.find((p) => p.leader < 0);
      if (unled) throw new Error(`partition ${this.options.topic}[${unled.partition}] has no leader`);
      // The key -> partition map holds while the partition count does.
      if (metadata.partitions.length !== this.partitionCount) this.partitionOfKey.clear();
      this.partitionCount = metadata.partitions.length;
      this.metadata = metadata;
    }
    if (!this.producer) {
      const answer = decodeInitProducerIdResponse(await this.bootstrap.request(API.initProducerId.key, API.initProducerId.version, [encodeInitProducerIdRequest()]));
      if (answer.errorCode !== 0) throw new Error(`Kafka did not give a producer id (error code ${answer.errorCode})`);
      this.producer = { id: answer.producerId, epoch: answer.producerEpoch };
      this.sequences.clear();
    }
  }

  private async connectAny(): Promise<KafkaConnection> {
    let last: Error = new Error('no brokers configured');
    for (const address of this.options.brokers) {
      const at = address.lastIndexOf(':');
      try {
        const connection = await this.open(address.slice(0, at), Number(address.slice(at + 1)));
        const { errorCode, versions } = decodeApiVersionsResponse(await connection.request(API.apiVersions.key, API.apiVersions.version, []));
        const missing = errorCode === 0 ? unsupportedApis(versions) : [`ApiVersions error code ${errorCode}`];
        if (missing.length > 0) {
          connection.close();
          throw new KafkaRefused(`broker ${address} does not serve ${missing.join(', ')}; set kafka.client to kafkajs`);
        }
        return connection;
      } catch (error) {
        if (error instanceof KafkaRefused) throw error;
        last = error as Error;
      }
    }
    throw last;
  }

  private async leaderFor(partition: number): Promise<KafkaConnection> {
    const metadata = this.metadata as TopicMetadata;
    const leader = metadata.partitions.find((p) => p.partition === partition)?.leader ?? -1;
    const existing = this.leaders.get(leader);
    if (existing && !existing.closed) return existing;
    const broker = metadata.brokers.find((b) => b.nodeId === leader);
    if (!broker) throw new Error(`leader ${leader} of ${this.options.topic}[${partition}] is not among the brokers`);
    const connection = await this.open(broker.host, broker.port);
    this.leaders.set(leader, connection);
    return connection;
  }

  private open(host: string, port: number): Promise<KafkaConnection> {
    const { clientId, ssl, connectTimeoutMs, requestTimeoutMs } = this.options;
    return KafkaConnection.open({ host, port, clientId, ssl, connectTimeoutMs, requestTimeoutMs });
  }

  private closeConnections(): void {
    this.bootstrap?.close();
    this.bootstrap = null;
    for (const connection of this.leaders.values()) connection.close();
    this.leaders.clear();
  }
}

/** Sequence numbers wrap from 2^31-1 to 0 (Kafka's DefaultRecordBatch.incrementSequence). */
function wrapSequence(n: number): number {
  return n >= INT32_SPAN ? n - INT32_SPAN : n;
}

/** [from, to) index ranges of records[start, end) whose summed cost stays within maxBytes (at least one record each). */
export function splitByCost(records: readonly OutRecord[], start: number, end: number, maxBytes: number): (readonly [number, number])[] {
  const out: (readonly [number, number])[] = [];
  let from = start;
  let bytes = 0;
  for (let i = start; i < end; i++) {
    const cost = (records[i] as OutRecord).cost;
    if (i > from && bytes + cost > maxBytes) {
      out.push([from, i]);
      from = i;
      bytes = 0;
    }
    bytes += cost;
  }
  if (end > from) out.push([from, end]);
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
