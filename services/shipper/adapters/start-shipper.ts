import { Kafka } from 'kafkajs';
import type { CommonConfig } from '../../../shared/config.js';
import { buildKafkaConfig, buildKafkaTls } from '../../../shared/clients/kafka.js';
import type { Logger } from '../../../shared/logger.js';
import type { MetricsRegistry } from '../../../shared/metrics.js';
import type { ShipperConfig } from '../core/file-config.js';
import { startCommandSpool, type CommandSpool } from './command-spool.js';
import { KafkaSink, quietKafkaLogs } from './kafka-sink.js';
import { NativeProducer } from './native-producer.js';
import { KafkajsClient, type ProduceClient } from './produce-client.js';
import { startMetricsInputs } from './metrics-input.js';
import { ShipperRuntime, defaultSpoolPath } from './shipper-runtime.js';

// Builds and starts a shipper (Kafka sink, command spools, runtime); shared by `hangwatch service shipper` and
// `hangwatch ship`.

export interface StartShipperOptions {
  readonly config: ShipperConfig;
  readonly common: CommonConfig;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  readonly once: boolean;
  readonly drainTimeoutMs: number;
  readonly onProgress?: (bytes: number, runtime: ShipperRuntime) => void;
}

export interface RunningShipper {
  readonly runtime: ShipperRuntime;
  /** Resolves when `--once` shipped everything, or after stop(). */
  readonly done: Promise<void>;
  ready(): boolean;
  stop(): Promise<void>;
}

export async function startShipper(options: StartShipperOptions): Promise<RunningShipper> {
  const { config, common, logger, metrics } = options;
  const sink = new KafkaSink({
    client: createProduceClient(config, common, logger),
    retryInitialMs: config.kafka.retryInitialMs,
    retryMaxMs: config.kafka.retryMaxMs,
    brokers: common.KAFKA_BROKERS.join(','),
    logger,
    metrics,
  });
  const spoolPath = defaultSpoolPath(config.stateDir);
  // In --once mode a command is not run: what its spool already holds is shipped.
  const spools: CommandSpool[] = options.once ? [] : config.inputs.filter((i) => i.type === 'command').map((i) => startCommandSpool(i, spoolPath(i), logger));
  const onProgress = options.onProgress;
  const runtime: ShipperRuntime = new ShipperRuntime({
    config,
    sender: sink,
    logger,
    metrics,
    once: options.once,
    spoolPath,
    ...(onProgress ? { onProgress: (bytes: number) => onProgress(bytes, runtime) } : {}),
  });
  const started = await runtime.start();
  // In --once mode there is nothing to sample: a backfill ships what exists.
  const samplers = startMetricsInputs(
    options.once ? [] : config.inputs.filter((i) => i.type === 'metrics'),
    (record) => runtime.offerRecord(record),
    logger,
    metrics,
  );
  // Once the runtime is over (--once finished, or stopped) nothing may keep the process alive.
  const done = started.done.finally(async () => {
    await samplers.stop();
    await Promise.all(spools.map((s) => s.stop()));
    await sink.stop();
  });
  let stopping: Promise<void> | null = null;
  return {
    runtime,
    done,
    ready: () => runtime.ready,
    stop(): Promise<void> {
      stopping ??= (async () => {
        await samplers.stop();
        await Promise.all(spools.map((s) => s.stop()));
        await runtime.stop();
        const drained = await Promise.race([done.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), options.drainTimeoutMs).unref())]);
        if (!drained) logger.warn({ drain_timeout_ms: options.drainTimeoutMs }, 'records still unacknowledged at stop; they will be read again at the next start');
        await sink.stop();
        await done;
      })();
      return stopping;
    },
  };
}

/** The shipper's own client unless configured otherwise or SASL is on (it does not speak SASL). */
function createProduceClient(config: ShipperConfig, common: CommonConfig, logger: Logger): ProduceClient {
  const kafkaConfig = quietKafkaLogs(buildKafkaConfig(common, 'shipper'), logger);
  const sasl = common.KAFKA_SASL_MECHANISM !== 'none';
  if (config.kafka.client === 'kafkajs' || sasl) {
    if (sasl && config.kafka.client === 'native') logger.info({ sasl: common.KAFKA_SASL_MECHANISM }, 'SASL is configured: the shipper produces with kafkajs, not its own client');
    return new KafkajsClient({ kafka: new Kafka(kafkaConfig), topic: config.kafka.topic, compression: config.kafka.compression, requestMaxRecords: config.kafka.requestMaxRecords, requestMaxBytes: config.kafka.requestMaxBytes });
  }
  return new NativeProducer({
    brokers: common.KAFKA_BROKERS,
    clientId: kafkaConfig.clientId ?? 'hangwatch-shipper',
    ssl: buildKafkaTls(common),
    topic: config.kafka.topic,
    compression: config.kafka.compression,
    connectTimeoutMs: kafkaConfig.connectionTimeout ?? 5_000,
    requestTimeoutMs: kafkaConfig.requestTimeout ?? 30_000,
    requestMaxBytes: config.kafka.requestMaxBytes,
    maxInFlightRequests: config.kafka.maxInFlightRequests,
  });
}
