import { hostname } from 'node:os';
import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { startHealthServer } from '../../shared/http/health-server.js';
import { createLogger } from '../../shared/logger.js';
import { MetricsRegistry } from '../../shared/metrics.js';
import { runUntilSignal } from '../../shared/service-runtime.js';
import { SHIPPER_SCHEMA } from './config.js';
import { buildShipperConfig } from './core/file-config.js';
import { readConfigDocument } from './adapters/read-config-file.js';
import { startShipper } from './adapters/start-shipper.js';

// Composition root of the shipper service: config file + env overrides, Kafka, health server, stop on SIGTERM.
export async function main(env: NodeJS.ProcessEnv = process.env, configFile?: string): Promise<void> {
  const common = loadConfig('', COMMON_SCHEMA, env);
  const own = loadConfig('SHIPPER', SHIPPER_SCHEMA, env);
  const path = configFile ?? own.CONFIG_FILE;
  const config = buildShipperConfig(await readConfigDocument(path), env, { hostname: hostname() });
  const logger = createLogger({ name: 'shipper', level: common.LOG_LEVEL });
  const metrics = new MetricsRegistry();
  await runUntilSignal(
    logger,
    async () => {
      const shipper = await startShipper({ config, common, logger, metrics, once: false, drainTimeoutMs: own.DRAIN_TIMEOUT_MS });
      shipper.done.catch((error: unknown) => {
        logger.fatal({ err: error }, 'the shipper failed');
        process.exit(1);
      });
      const http = await startHealthServer({ port: config.http.port, host: config.http.host, metrics, ready: shipper.ready });
      logger.info({ config: path, host: config.host, inputs: config.inputs.length, topic: config.kafka.topic, httpPort: http.port }, 'shipper started');
      return {
        stop: async () => {
          await shipper.stop();
          await http.close();
        },
      };
    },
    own.DRAIN_TIMEOUT_MS + 10_000,
  );
}
