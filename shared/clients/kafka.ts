import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions, type logCreator } from 'kafkajs';
import type { CommonConfig } from '../config.js';
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
  if (config.KAFKA_SSL) kafka.ssl = true;
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

export function createKafka(config: CommonConfig, clientId: string, logger?: Logger): Kafka {
  return new Kafka(buildKafkaConfig(config, clientId, logger));
}

function pinoLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }) => {
      const { message, ...rest } = log;
      // Drop fields that may carry credentials; kafkajs never logs SASL passwords, but be strict.
      delete (rest as Record<string, unknown>).sasl;
      const fields = { namespace: rest.namespace, broker: rest.broker, error: rest.error, groupId: rest.groupId };
      if (level === logLevel.ERROR) child.error(fields, message);
      else if (level === logLevel.WARN) child.warn(fields, message);
      else if (level === logLevel.INFO) child.debug(fields, message);
    };
}

export function readCaFile(path: string): string | undefined {
  return path ? readFileSync(path, 'utf8') : undefined;
}
