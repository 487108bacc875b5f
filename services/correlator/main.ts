import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { createKafka } from '../../shared/clients/kafka.js';
import { startHealthServer } from '../../shared/http/health-server.js';
import { createLogger } from '../../shared/logger.js';
import { MetricsRegistry } from '../../shared/metrics.js';
import { runUntilSignal } from '../../shared/service-runtime.js';
import { startKafkaCorrelator } from './adapters/kafka-correlator.js';
import { buildCorrelatorOptions, CORRELATOR_SCHEMA } from './config.js';
import { resolveOptions } from './core/options.js';

// Composition root of the correlator service: config, clients, start, stop on SIGTERM.
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const common = loadConfig('', COMMON_SCHEMA, env);
  const config = loadConfig('CORRELATOR', CORRELATOR_SCHEMA, env);
  const correlatorOptions = buildCorrelatorOptions(config);
  resolveOptions(correlatorOptions); // fail at start, with every problem, not at the first record
  const logger = createLogger({ name: 'correlator', level: common.LOG_LEVEL });
  const metrics = new MetricsRegistry();
  await runUntilSignal(logger, async (fail) => {
    const correlator = await startKafkaCorrelator({
      kafka: createKafka(common, 'correlator', logger),
      groupId: config.GROUP_ID,
      correlatorOptions,
      snapshotFacts: config.SNAPSHOT_FACTS,
      logger,
      metrics,
      onFatal: fail,
    });
    const http = await startHealthServer({ port: config.HTTP_PORT, host: config.HTTP_HOST, metrics, ready: correlator.ready });
    logger.info({ group: config.GROUP_ID, httpPort: http.port }, 'correlator started');
    return {
      stop: async () => {
        await correlator.stop();
        await http.close();
      },
    };
  });
}

