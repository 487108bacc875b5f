import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, type Consumer, type KafkaConfig, type Message, type Producer, type ProducerBatch, type SASLOptions, type TopicMessages, type logCreator } from 'kafkajs';
import type { CommonConfig } from '../config.js';
import { HangwatchError } from '../errors.js';
import { readPemFile } from './pem.js';
import { warnAboutTransport } from './transport-warnings.js';
import type { Logger } from '../logger.js';

// Kafka client factory: brokers, TLS and SASL from the common config; kafkajs logs routed into pino.

export function buildKafkaConfig(config: CommonConfig, clientId: string, logger?: Logger): KafkaConfig {
  const kafka: KafkaConfig = {
    clientId: `${config.KAFKA_CLIENT_ID}-${clientId}`,
    brokers: [...config.KAFKA_BROKERS],
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10_000 },
  };
  const tls = buildKafkaTls(config);
  if (tls) kafka.ssl = tls;
  if (config.KAFKA_SASL_MECHANISM !== 'none') {
    kafka.sasl = {
      mechanism: config.KAFKA_SASL_MECHANISM,
      username: config.KAFKA_SASL_USERNAME,
      password: config.KAFKA_SASL_PASSWORD ?? '',
    } as SASLOptions;
  }
  if (logger) kafka.logCreator = pinoLogCreator(logger);
  else kafka.logLevel = logLevel.NOTHING;
  return kafka;
}

export interface ConsumerWatch {
  /** What the consumer is, for the log (e.g. `parser consumer`). */
  readonly what: string;
  readonly logger: Logger;
  /** A crash kafkajs will not restart from (restart=false): the service cannot go on (FailService). */
  readonly onFatal?: (error: unknown, what: string) => void;
  /** Up after a group join, down after any crash (readiness). */
  readonly onUp?: (up: boolean) => void;
}

/**
 * Watches a consumer's crashes, the one place that reads kafkajs' CRASH event: a crash kafkajs restarts from
 * (retriable, or retries exhausted) is logged and readiness drops until the group is joined again; a crash
 * it will not restart from (a non-retriable error, e.g. authorization or an error thrown by our handler after
 * kafkajs gave up) is handed to onFatal, since the consumer stays stopped and the process would idle forever.
 */
export function watchConsumer(consumer: Consumer, watch: ConsumerWatch): void {
  consumer.on(consumer.events.GROUP_JOIN, () => watch.onUp?.(true));
  consumer.on(consumer.events.CRASH, (event) => {
    watch.onUp?.(false);
    const { error, restart } = event.payload;
    if (restart) {
      watch.logger.error({ err: error, restart }, `${watch.what} crashed; kafkajs restarts it`);
      return;
    }
    if (watch.onFatal) watch.onFatal(error, watch.what);
    else watch.logger.error({ err: error, restart }, `${watch.what} crashed and will not restart`);
  });
}

export function createKafka(config: CommonConfig, clientId: string, logger?: Logger): Kafka {
  if (logger) warnAboutTransport(config, logger);
  return new Kafka(buildKafkaConfig(config, clientId, logger));
}

/**
 * kafkajs warnings that describe a choice made on purpose, logged at debug so that a warning means something.
 * Idempotent producers keep the client's bounded retries (8, up to 10 s apart) so that a long outage surfaces
 * as an error the service handles (readiness, backoff) instead of a send that never returns; a record sent twice
 * after that is harmless, as every document has a deterministic id (DESIGN.md: restarts and replays never duplicate).
 */
const EXPECTED_WARNINGS = new Set(['Limiting retries for the idempotent producer may invalidate EoS guarantees']);

export function pinoLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }) => {
      const { message, ...rest } = log;
      // Drop fields that may carry credentials; kafkajs never logs SASL passwords, but be strict.
      delete (rest as Record<string, unknown>).sasl;
      const fields = { namespace: rest.namespace, broker: rest.broker, error: rest.error, groupId: rest.groupId };
      if (level === logLevel.ERROR) child.error(fields, message);
      else if (level === logLevel.WARN && !EXPECTED_WARNINGS.has(message)) child.warn(fields, message);
      else if (level === logLevel.WARN) child.debug(fields, message);
      else if (level === logLevel.INFO) child.debug(fields, message);
    };
}

export function readCaFile(path: string): string | undefined {
  return path ? readFileSync(path, 'utf8') : undefined;
}

/**
 * TLS of the Kafka connections: off, `true` (verified against the system store) or the options built from
 * the CA / client certificate files. Any of the files turns TLS on: a CA without TLS would be ignored silently.
 */
export function buildKafkaTls(config: CommonConfig): boolean | ConnectionOptions | undefined {
  const files = { ca: config.KAFKA_SSL_CA_FILE, cert: config.KAFKA_SSL_CERT_FILE, key: config.KAFKA_SSL_KEY_FILE };
  if (!files.ca && !files.cert && !files.key) return config.KAFKA_SSL ? true : undefined;
  if (Boolean(files.cert) !== Boolean(files.key)) {
    throw new HangwatchError('HW_CONFIG_INVALID', ['  - HANGWATCH_KAFKA_SSL_CERT_FILE and HANGWATCH_KAFKA_SSL_KEY_FILE go together (mutual TLS needs both)']);
  }
  const tls: ConnectionOptions = {};
  if (files.ca) tls.ca = readPemFile('HANGWATCH_KAFKA_SSL_CA_FILE', files.ca);
  if (files.cert) tls.cert = readPemFile('HANGWATCH_KAFKA_SSL_CERT_FILE', files.cert);
  if (files.key) tls.key = readPemFile('HANGWATCH_KAFKA_SSL_KEY_FILE', files.key);
  return tls;
}

/** Largest produce request of sendBatchBounded: keys, values and headers, before compression (a compressed
 * record batch is at most this big, under the broker's message.max.bytes of 1 MiB by default). */
export const PRODUCE_MAX_BYTES = 900_000;

/**
 * sendBatch in requests of at most `maxBytes` (uncompressed), sent one after another so per-partition order
 * holds. kafkajs puts everything a call sends to one partition into one record batch, and the broker refuses
 * a batch over message.max.bytes with a non-retriable error: a consumer batch of raw records parsed into
 * events (several times larger) must not be produced in one call.
 */
export async function sendBatchBounded(producer: Producer, request: ProducerBatch, maxBytes = PRODUCE_MAX_BYTES): Promise<void> {
  const { topicMessages = [], ...rest } = request;
  let chunk: TopicMessages[] = [];
  let bytes = 0;
  const flush = async (): Promise<void> => {
    if (chunk.length > 0) await producer.sendBatch({ ...rest, topicMessages: chunk });
    chunk = [];
    bytes = 0;
  };
  for (const { topic, messages } of topicMessages) {
    for (const message of messages) {
      const size = sizeOf(message);
      if (bytes > 0 && bytes + size > maxBytes) await flush();
      const last = chunk[chunk.length - 1];
      if (last?.topic === topic) last.messages.push(message);
      else chunk.push({ topic, messages: [message] });
      bytes += size;
    }
  }
  await flush();
}

function sizeOf(message: Message): number {
  const len = (v: unknown): number => (v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : Buffer.isBuffer(v) ? v.length : String(v).length);
  let n = len(message.key) + len(message.value) + 64; // record overhead (varints, timestamps, attributes)
  for (const [k, v] of Object.entries(message.headers ?? {})) n += Buffer.byteLength(k) + (Array.isArray(v) ? v.reduce((s: number, x: unknown) => s + len(x), 0) : len(v));
  return n;
}
