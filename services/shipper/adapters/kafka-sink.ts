import { CompressionTypes, logLevel, type Kafka, type KafkaConfig, type Producer } from 'kafkajs';
import type { Logger } from '../../../shared/logger.js';
import type { MetricsRegistry } from '../../../shared/metrics.js';
import { HangwatchError } from '../../../shared/errors.js';
import { backoffMs } from '../core/backoff.js';
import type { OutRecord } from '../core/send-queue.js';

// Sends batches to hangwatch.raw.v1 with acks=all from an idempotent producer (one request in flight, so the
// records of a file stay in order) and does not return until Kafka acknowledged the batch. While Kafka is
// unreachable it retries with backoff and jitter and says so once per outage, not once per attempt or per line.
// After a failed send the producer is replaced: an idempotent producer whose sequence numbers went out of step
// with the broker fails every later send (tulios/kafkajs#598, confluentinc/librdkafka#3584); a new producer id
// costs at most a duplicate of the unacknowledged batch, which the deterministic event ids absorb downstream.

export interface KafkaSinkOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly compression: 'none' | 'gzip';
  /** Most records in one produce request; a batch is sent as several (see send()). */
  readonly requestMaxRecords?: number;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  readonly brokers: string;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  readonly random?: () => number;
}

/** kafkajs logs every failed attempt at error level; the sink reports outages itself, so its logs go to debug. */
export function quietKafkaLogs(config: KafkaConfig, logger: Logger): KafkaConfig {
  const child = logger.child({ component: 'kafkajs' });
  return {
    ...config,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ log }) => {
        child.debug({ namespace: log.namespace, broker: log.broker, error: log.error }, log.message);
      },
  };
}

/** How long a send may go unacknowledged before it is reported as an outage. */
const STALL_WARN_MS = 5_000;

export class KafkaSink {
  private producer: Producer | null = null;
  private stopped = false;
  private outageSince: number | null = null;
  private wake: (() => void) | null = null;
  private readonly random: () => number;
  private readonly sent;
  private readonly failures;
  private readonly dropped;

  constructor(private readonly options: KafkaSinkOptions) {
    this.random = options.random ?? Math.random;
    this.sent = options.metrics.counter('hangwatch_shipper_kafka_batches_total', 'Batches acknowledged by Kafka');
    this.failures = options.metrics.counter('hangwatch_shipper_kafka_send_failures_total', 'Failed send attempts (retried)');
    this.dropped = options.metrics.counter('hangwatch_shipper_records_rejected_total', 'Records Kafka refused for good (larger than the broker accepts)');
  }

  /** True while the last send succeeded (readiness). */
  get reachable(): boolean {
    return this.outageSince === null && this.producer !== null;
  }

  async connect(): Promise<void> {
    await this.withRetry(async () => {
      await this.producerOrNew();
    }, 0);
  }

  /** Resolves once Kafka acknowledged every record; rejects only when the sink is stopped. */
  async send(records: readonly OutRecord[], queued: number): Promise<void> {
    if (records.length === 0) return;
    // kafkajs groups a request's messages by partition with an array spread per message (groupMessagesPerPartition:
    // `[...current, message]`), quadratic in the request's size: measured (bench/shipper-producer.bench.ts) 1000
    // records per request beat 2500 by 1.7x and 300 by 1.3x. The batch is acknowledged when all its requests are.
    const per = this.options.requestMaxRecords ?? 1_000;
    let sent = 0;
    await this.withRetry(async () => {
      const producer = await this.producerOrNew();
      // After a failure only the unsent requests go again (the sent ones were acknowledged).
      while (sent < records.length) {
        const chunk = sent === 0 && records.length <= per ? records : records.slice(sent, sent + per);
        await this.sendSplitting(producer, chunk);
        sent += chunk.length;
      }
    }, queued);
    this.sent.inc();
  }

  /** Stops retrying; a pending send rejects with HW_KAFKA_UNAVAILABLE. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    const producer = this.producer;
    this.producer = null;
    if (producer) await producer.disconnect().catch(() => undefined);
  }

  private async withRetry(action: () => Promise<void>, queued: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) throw new HangwatchError('HW_KAFKA_UNAVAILABLE', [this.options.brokers, 'the shipper is stopping']);
      // kafkajs retries inside a send, so a broker that went away may not fail a send for a long time: a send
      // without acknowledgement for STALL_WARN_MS counts as the start of an outage, said once like a failure.
      const stall = setTimeout(() => this.noteOutage(queued, `no acknowledgement for ${STALL_WARN_MS / 1000} s`), STALL_WARN_MS);
      try {
        await action();
        clearTimeout(stall);
        if (this.outageSince !== null) {
          const seconds = ((Date.now() - this.outageSince) / 1000).toFixed(1);
          this.options.logger.info({ outage_s: Number(seconds), attempts: attempt }, `Kafka reachable again after ${seconds} s; reading resumed`);
          this.outageSince = null;
        }
        return;
      } catch (error) {
        clearTimeout(stall);
        if (this.stopped) throw new HangwatchError('HW_KAFKA_UNAVAILABLE', [this.options.brokers, 'the shipper is stopping'], { cause: error });
        this.failures.inc();
        this.noteOutage(queued, (error as Error).message);
        await this.dropProducer();
        await this.sleep(backoffMs(attempt, this.options.retryInitialMs, this.options.retryMaxMs, this.random));
      }
    }
  }

  /** The start of an outage, logged once (not per attempt or per line) with what is held in memory. */
  private noteOutage(queued: number, reason: string): void {
    if (this.outageSince !== null || this.stopped) return;
    this.outageSince = Date.now();
    const message = new HangwatchError('HW_KAFKA_UNAVAILABLE', [this.options.brokers, reason]).message;
    this.options.logger.warn(
      { code: 'HW_KAFKA_UNAVAILABLE', queued_records: queued },
      `${message}; reading paused with ${queued} records held in memory, retrying with backoff until it answers (logged once per outage)`,
    );
  }

  /** A batch over the broker's limits is halved until it fits; a single record that still does not is reported. */
  private async sendSplitting(producer: Producer, records: readonly OutRecord[]): Promise<void> {
    try {
      await producer.send({
        topic: this.options.topic,
        acks: -1,
        compression: this.options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
        messages: records as OutRecord[],
      });
    } catch (error) {
      const type = (error as { type?: string }).type;
      if (type !== 'MESSAGE_TOO_LARGE' && type !== 'RECORD_LIST_TOO_LARGE' && type !== 'INVALID_RECORD') throw error;
      if (records.length === 1) {
        const record = records[0] as OutRecord;
        this.dropped.inc();
        this.options.logger.error(
          { code: 'HW_RECORD_TOO_LARGE', path: record.headers['hw-path'], offset: record.headers['hw-offset'], bytes: record.value.length },
          'Kafka refused a record as too large (raise message.max.bytes or lower read.max_record_bytes); it was not shipped',
        );
        return;
      }
      const half = Math.ceil(records.length / 2);
      await this.sendSplitting(producer, records.slice(0, half));
      await this.sendSplitting(producer, records.slice(half));
    }
  }

  private async producerOrNew(): Promise<Producer> {
    if (this.producer) return this.producer;
    const producer = this.options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // A few quick retries inside kafkajs (leader moves); longer outages are handled above with a new producer.
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

  private async dropProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    if (producer) await producer.disconnect().catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }
}
