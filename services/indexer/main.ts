import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { createElasticsearch } from '../../shared/clients/elasticsearch.js';
import { createKafka } from '../../shared/clients/kafka.js';
import { startHealthServer } from '../../shared/http/health-server.js';
import { createLogger, redactUrl } from '../../shared/logger.js';
import { MetricsRegistry } from '../../shared/metrics.js';
import { runUntilSignal } from '../../shared/service-runtime.js';
import { INDEXER_SCHEMA } from './config.js';
import { buildTopicKinds } from './core/topic-kinds.js';
import { installTemplates } from './adapters/install-templates.js';
import { startKafkaIndexer } from './adapters/kafka-indexer.js';

// Composition root of the indexer: templates first, then consume and index.
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const common = loadConfig('', COMMON_SCHEMA, env);
  const config = loadConfig('INDEXER', INDEXER_SCHEMA, env);
  const topicKinds = buildTopicKinds(config.TOPIC_KINDS);
  const logger = createLogger({ name: 'indexer', level: common.LOG_LEVEL });
  const metrics = new MetricsRegistry();
  const es = createElasticsearch(common, logger);
  await runUntilSignal(logger, async (fail) => {
    await installTemplates(es, { shards: config.SHARDS, replicas: config.REPLICAS, refreshIntervalMs: config.REFRESH_INTERVAL_MS, logger });
    const indexer = await startKafkaIndexer({
      kafka: createKafka(common, 'indexer', logger),
      es,
      groupId: config.GROUP_ID,
      topics: config.TOPICS,
      topicKinds,
      flushBytes: config.FLUSH_BYTES,
      flushIntervalMs: config.FLUSH_INTERVAL_MS,
      concurrency: config.CONCURRENCY,
      summaryIntervalMs: config.SUMMARY_INTERVAL_MS,
      logger,
      metrics,
      onFatal: fail,
    });
    const http = await startHealthServer({ port: config.HTTP_PORT, host: config.HTTP_HOST, metrics, ready: indexer.ready });
    logger.info({ es: redactUrl(common.ES_URL), topics: config.TOPICS, httpPort: http.port }, 'indexer started');
    return {
      stop: async () => {
        await indexer.stop();
        await http.close();
        await es.close();
      },
    };
  });
}
