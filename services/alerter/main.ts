import { resolve } from 'node:path';
import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { createKafka } from '../../shared/clients/kafka.js';
import { startHealthServer } from '../../shared/http/health-server.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { MetricsRegistry } from '../../shared/metrics.js';
import { runUntilSignal, type FailService, type RunningService } from '../../shared/service-runtime.js';
import { ALERTER_PREFIX, ALERTER_SCHEMA } from './config.js';
import { startKafkaAlerter } from './adapters/kafka-alerter.js';
import { loadRules } from './adapters/rules-fs.js';
import { WebhookSender } from './adapters/webhook-sender.js';

// Composition root of the alerter service: config, rules, clients, start, stop on SIGTERM.

export interface StartedAlerter extends RunningService {
  readonly httpPort: number;
  readonly ready: () => boolean;
}

export async function startAlerter(env: NodeJS.ProcessEnv, logger?: Logger, onFatal?: FailService): Promise<StartedAlerter> {
  const common = loadConfig('', COMMON_SCHEMA, env);
  const config = loadConfig(ALERTER_PREFIX, ALERTER_SCHEMA, env);
  const log = logger ?? createLogger({ name: 'alerter', level: common.LOG_LEVEL });
  const rules = loadRules(resolve(config.RULES_DIR));
  const metrics = new MetricsRegistry();
  const webhooks = config.WEBHOOK_URLS.map(
    (url) =>
      new WebhookSender({
        url,
        secret: config.WEBHOOK_SECRET,
        timeoutMs: config.WEBHOOK_TIMEOUT_MS,
        retries: config.WEBHOOK_RETRIES,
        backoffInitialMs: config.WEBHOOK_BACKOFF_INITIAL_MS,
        backoffMaxMs: config.WEBHOOK_BACKOFF_MAX_MS,
        queueMax: config.WEBHOOK_QUEUE_MAX,
        overflowReportIntervalMs: config.OVERFLOW_REPORT_INTERVAL_MS,
        logger: log,
        metrics,
      }),
  );
  const alerter = await startKafkaAlerter({
    kafka: createKafka(common, 'alerter', log),
    groupId: config.GROUP_ID,
    topics: { incidents: config.INCIDENTS_TOPIC, alerts: config.ALERTS_TOPIC, silences: config.SILENCES_TOPIC, audit: config.AUDIT_TOPIC },
    rules,
    engine: {
      allowedLatenessMs: config.ALLOWED_LATENESS_MS,
      timelineBaseUrl: config.TIMELINE_BASE_URL,
      kibanaBaseUrl: config.KIBANA_BASE_URL,
      kibanaDataViewId: config.KIBANA_DATA_VIEW_ID,
    },
    idleCloseAfterMs: config.IDLE_CLOSE_AFTER_MS,
    tickMs: config.TICK_MS,
    webhooks,
    webhookDrainTimeoutMs: config.WEBHOOK_DRAIN_TIMEOUT_MS,
    logger: log,
    metrics,
    ...(onFatal ? { onFatal } : {}),
  });
  const http = await startHealthServer({ port: config.HTTP_PORT, host: config.HTTP_HOST, metrics, ready: alerter.ready });
  log.info({ rules: rules.map((r) => r.id), webhooks: webhooks.length, group: config.GROUP_ID, httpPort: http.port }, 'alerter started');
  return {
    httpPort: http.port,
    ready: alerter.ready,
    stop: async () => {
      await alerter.stop();
      await http.close();
    },
  };
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const common = loadConfig('', COMMON_SCHEMA, env);
  const logger = createLogger({ name: 'alerter', level: common.LOG_LEVEL });
  await runUntilSignal(logger, (fail) => startAlerter(env, logger, fail));
}
