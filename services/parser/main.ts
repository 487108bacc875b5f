import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { createKafka } from '../../shared/clients/kafka.js';
import { startHealthServer } from '../../shared/http/health-server.js';
import { createLogger } from '../../shared/logger.js';
import { MetricsRegistry } from '../../shared/metrics.js';
import { runUntilSignal } from '../../shared/service-runtime.js';
import { parseZone } from '../../shared/time.js';
import { PARSER_SCHEMA } from './config.js';
import { FORMAT_PARSERS } from './core/registry.js';
import { startKafkaParser } from './adapters/kafka-parser.js';

// Composition root of the parser service: config, clients, start, stop on SIGTERM.
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const common = loadConfig('', COMMON_SCHEMA, env);
  const config = loadConfig('PARSER', PARSER_SCHEMA, env);
  const logger = createLogger({ name: 'parser', level: common.LOG_LEVEL });
  const metrics = new MetricsRegistry();
  await runUntilSignal(logger, async () => {
    const parser = await startKafkaParser({
      kafka: createKafka(common, 'parser', logger),
      groupId: config.GROUP_ID,
      inputTopics: config.INPUT_TOPICS,
      registry: FORMAT_PARSERS,
      parseOptions: {
        maxRecordBytes: config.MAX_RECORD_BYTES,
        validate: config.VALIDATE_EVENTS,
        hostZone: parseZone(config.HOST_TZ),
        ...(config.GUEST_TZ ? { guestZone: parseZone(config.GUEST_TZ) } : {}),
      },
      logger,
      metrics,
    });
    const http = await startHealthServer({ port: config.HTTP_PORT, host: config.HTTP_HOST, metrics, ready: parser.ready });
    logger.info({ topics: config.INPUT_TOPICS, group: config.GROUP_ID, httpPort: http.port }, 'parser started');
    return {
      stop: async () => {
        await parser.stop();
        await http.close();
      },
    };
  });
}
