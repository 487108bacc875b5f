import { CompressionTypes, type Kafka, type Producer } from 'kafkajs';
import type { OutRecord } from '../core/send-queue.js';

// What the Kafka sink needs from a producer: send records in order, say how far it got (so a retry sends only
// the rest), and recover after a failure. Two implementations: the shipper's own client (native-producer.ts, the
// default: fast) and kafkajs (for SASL, which the own client does not speak, or as a fallback).

export interface SendProgress {
  /** Records of the batch acknowledged so far (a prefix). */
  done: number;
}

export interface ProduceClient {
  readonly connected: boolean;
  connect(): Promise<void>;
  /** Resolves once Kafka acknowledged `records` from `progress.done` on; a record the broker refuses as too large goes to `onTooLarge`. */
  send(records: readonly OutRecord[], progress: SendProgress, onTooLarge: (record: OutRecord) => void): Promise<void>;
  /** After a failed send: drop connections (and whatever state cannot be trusted) before the next attempt. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export interface KafkajsClientOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly compression: 'none' | 'gzip';
  /** Most records in one produce request. */
  readonly requestMaxRecords?: number;
  /** Most bytes (records' cost) in one produce request. */
  readonly requestMaxBytes?: number;
}

/**
 * kafkajs's idempotent producer. After a failed send the producer is replaced: one whose sequence numbers went out
 * of step with the broker fails every later send (tulios/kafkajs#598, confluentinc/librdkafka#3584); a new producer
 * id costs at most a duplicate of the unacknowledged batch, which the deterministic event ids absorb downstream.
 */
export class KafkajsClient implements ProduceClient {
  private producer: Producer | null = null;

  constructor(private readonly options: KafkajsClientOptions) {}

  get connected(): boolean {
    return this.producer !== null;
  }

  async connect(): Promise<void> {
    await this.producerOrNew();
  }

  async send(records: readonly OutRecord[], progress: SendProgress, onTooLarge: (record: OutRecord) => void): Promise<void> {
    // kafkajs groups a request's messages by partition with an array spread per message (groupMessagesPerPartition:
    // `[...current, message]`), quadratic in the request's size: measured (bench/shipper-producer.bench.ts) 1000
    // records per request beat 2500 by 1.7x and 300 by 1.3x.
    const per = this.options.requestMaxRecords ?? 1_000;
    const maxBytes = this.options.requestMaxBytes ?? 900_000;
    const producer = await this.producerOrNew();
    while (progress.done < records.length) {
      let end = progress.done;
      for (let bytes = 0; end < records.length && end - progress.done < per; end++) {
        bytes += (records[end] as OutRecord).cost;
        if (end > progress.done && bytes > maxBytes) break;
      }
      const chunk = progress.done === 0 && end === records.length ? records : records.slice(progress.done, end);
      await this.sendSplitting(producer, chunk, onTooLarge);
      progress.done += chunk.length;
    }
  }

  async reset(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    if (producer) await producer.disconnect().catch(() => undefined);
  }

  private async sendSplitting(producer: Producer, records: readonly OutRecord[], onTooLarge: (record: OutRecord) => void): Promise<void> {
    try {
      await producer.send({
        topic: this.options.topic,
        acks: -1,
        compression: this.options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
        // Plain messages: kafkajs spreads each one, which would drop a TemplatedRecord's key and headers (getters).
        messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
      });
    } catch (error) {
      const type = (error as { type?: string }).type;
      if (type !== 'MESSAGE_TOO_LARGE' && type !== 'RECORD_LIST_TOO_LARGE' && type !== 'INVALID_RECORD') throw error;
      if (records.length === 1) {
        onTooLarge(records[0] as OutRecord);
        return;
      }
      const half = Math.ceil(records.length / 2);
      await this.sendSplitting(producer, records.slice(0, half), onTooLarge);
      await this.sendSplitting(producer, records.slice(half), onTooLarge);
    }
  }

  private async producerOrNew(): Promise<Producer> {
    if (this.producer) return this.producer;
    const producer = this.options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // A few quick retries inside kafkajs (leader moves); longer outages are handled by the sink with a new producer.
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2_000 },
    });
    try {
      await producer.connect();
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    this.producer = producer;
    return producer;
  }
}
