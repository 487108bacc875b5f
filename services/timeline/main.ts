import { createElasticsearch } from '../../shared/clients/elasticsearch.js';
import { COMMON_SCHEMA, envName, loadConfig } from '../../shared/config.js';
import { HangwatchError } from '../../shared/errors.js';
import { startHealthServer } from '../../shared/http/health-server.js';
import { createLogger, redactUrl } from '../../shared/logger.js';
import { MetricsRegistry } from '../../shared/metrics.js';
import { runUntilSignal } from '../../shared/service-runtime.js';
import { parseZone } from '../../shared/time.js';
import { EsSource } from './adapters/es-source.js';
import { buildTimelineRoute } from './adapters/http-timeline.js';
import { TIMELINE_PREFIX, TIMELINE_SCHEMA } from './config.js';
import { checkExposure, createTokenCheck } from './core/export-access.js';

// Composition root of the timeline service: GET /timeline rendered from Elasticsearch, plus /healthz,
// /readyz (Elasticsearch answers) and /metrics. Exports need the token when one is set; without one the service
// refuses to listen beyond loopback unless told a proxy in front authenticates.
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const common = loadConfig('', COMMON_SCHEMA, env);
  const config = loadConfig(TIMELINE_PREFIX, TIMELINE_SCHEMA, env);
  const defaultZone = parseZone(config.DEFAULT_TZ);
  const exposure = checkExposure({
    token: config.TOKEN,
    tokenFileNamed: Boolean(env[`${envName(TIMELINE_PREFIX, 'TOKEN')}_FILE`]),
    tokenInUrl: config.TOKEN_IN_URL,
    allowAnonymous: config.ALLOW_ANONYMOUS,
    httpHost: config.HTTP_HOST,
  });
  if (exposure.problems.length > 0) throw new HangwatchError('HW_CONFIG_INVALID', [exposure.problems.map((p) => `  - ${p}`).join('\n')]);
  const checkToken = config.TOKEN === undefined ? undefined : createTokenCheck(config.TOKEN, { acceptQuery: config.TOKEN_IN_URL });
  const logger = createLogger({ name: 'timeline', level: common.LOG_LEVEL });
  for (const warning of exposure.warnings) logger.warn({ httpHost: config.HTTP_HOST }, warning);
  const metrics = new MetricsRegistry();
  await runUntilSignal(logger, async () => {
    const client = createElasticsearch(common, logger);
    const source = new EsSource(client, {
      eventsIndex: config.EVENTS_INDEX,
      incidentsIndex: config.INCIDENTS_INDEX,
      alertsIndex: config.ALERTS_INDEX,
      pageSize: config.PAGE_SIZE,
      keepAlive: `${config.PIT_KEEP_ALIVE_S}s`,
      url: common.ES_URL,
    });
    const http = await startHealthServer({
      port: config.HTTP_PORT,
      host: config.HTTP_HOST,
      metrics,
      ready: () => source.ping(),
      handle: buildTimelineRoute({ source, defaultZone, logger, metrics, now: Date.now, ...(checkToken ? { checkToken } : {}) }),
    });
    const auth = checkToken === undefined ? 'none' : config.TOKEN_IN_URL ? 'bearer-or-query' : 'bearer';
    logger.info({ httpPort: http.port, es: redactUrl(common.ES_URL), eventsIndex: config.EVENTS_INDEX, auth }, 'timeline service started');
    return {
      stop: async () => {
        await http.close();
        await client.close();
      },
    };
  });
}
