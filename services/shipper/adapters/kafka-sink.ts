import { logLevel, type KafkaConfig } from 'kafkajs';
import type { Logger } from '../../../shared/logger.js';
import type { MetricsRegistry } from '../../../shared/metrics.js';
import { HangwatchError } from '../../../shared/errors.js';
import { backoffMs } from '../core/backoff.js';
import type { OutRecord } from '../core/send-queue.js';
import type { ProduceClient, SendProgress } from './produce-client.js';

// Sends batches to hangwatch.raw.v1 with acks=all from an idempotent producer (one request in flight, so the
// records of a file stay in order) and does not return until Kafka acknowledged the batch. While Kafka is
// unreachable it retries with backoff and jitter and says so once per outage, not once per attempt or per line.
// After a failed send the client is reset (produce-client.ts says what each client keeps) and only the part of the
// batch not yet acknowledged goes again.

export interface KafkaSinkOptions {
  readonly client: ProduceClient;
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
  private readonly client: ProduceClient;
  private stopped = false;
  private outageSince: number | null = null;
  private wake: (() => void) | null = null;
  private readonly random: () => number;
  private readonly sent;
  private readonly failures;
  private readonly dropped;

  constructor(private readonly options: KafkaSinkOptions) {
    this.random = options.random ?? Math.random;
    this.client = options.client;
    this.sent = options.metrics.counter('hangwatch_shipper_kafka_batches_total', 'Batches acknowledged by Kafka');
    this.failures = options.metrics.counter('hangwatch_shipper_kafka_send_failures_total', 'Failed send attempts (retried)');
    this.dropped = options.metrics.counter('hangwatch_shipper_records_rejected_total', 'Records Kafka refused for good (larger than the broker accepts)');
  }

  /** True while the last send succeeded (readiness). */
  get reachable(): boolean {
    return this.outageSince === null && this.client.connected;
  }

  async connect(): Promise<void> {
    await this.withRetry(async () => {
      await this.client.connect();
    }, 0);
  }

  /** Resolves once Kafka acknowledged every record; rejects only when the sink is stopped. */
  async send(records: readonly OutRecord[], queued: number): Promise<void> {
    if (records.length === 0) return;
    // After a failure only what was not acknowledged goes again.
    const progress: SendProgress = { done: 0 };
    await this.withRetry(() => this.client.send(records, progress, (record) => this.reject(record)), queued);
    this.sent.inc();
  }

  /** Stops retrying; a pending send rejects with HW_KAFKA_UNAVAILABLE. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.client.close().catch(() => undefined);
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
        await this.client.reset().catch(() => undefined);
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

  /** A record Kafka refuses even alone (larger than the broker accepts): reported, not shipped. */
  private reject(record: OutRecord): void {
    this.dropped.inc();
    this.options.logger.error(
      { code: 'HW_RECORD_TOO_LARGE', path: record.headers['hw-path'], offset: record.headers['hw-offset'], bytes: record.value.length },
      'Kafka refused a record as too large (raise message.max.bytes or lower read.max_record_bytes); it was not shipped',
    );
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
