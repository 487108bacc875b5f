import type { IncomingMessage, ServerResponse } from 'node:http';
import { codeOf, HangwatchError } from '../../../shared/errors.js';
import type { Logger } from '../../../shared/logger.js';
import type { MetricsRegistry } from '../../../shared/metrics.js';
import { parseInstant, parseZone, type Zone } from '../../../shared/time.js';
import { describeRefusal, TOKEN_QUERY_PARAM, type PresentedToken, type TokenVerdict } from '../core/export-access.js';
import { exportTimeline, resolveScope } from '../core/export-timeline.js';
import { HTML_CSP } from '../core/render-html.js';
import { isTimelineFormat, type TimelineFormat } from '../core/render.js';
import type { TimelineSource } from '../core/timeline-source.js';
import { TIMELINE_PATH } from '../core/timeline-url.js';
import { writeChunks } from './write-chunks.js';
import type { ErrorCode } from '../../../shared/errors.js';

// GET /timeline?incident=ID&format=html|md|csv|jsonl&tz=ZONE (or domain=|host= with from=&to=): the export on
// demand that alerts and Kibana link to. Mounted on the shared health server next to /healthz, /readyz, /metrics,
// which stay open: only this route checks the token (core/export-access.ts), before it reads anything else.

export interface TimelineRouteOptions {
  readonly source: TimelineSource;
  readonly defaultZone: Zone;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  readonly now: () => number;
  /** The token check (createTokenCheck); absent: no authentication (the service then listens on loopback only). */
  readonly checkToken?: (presented: PresentedToken) => TokenVerdict;
}

const REALM = 'hangwatch-timeline';

const ERROR_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json; charset=utf-8',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
};

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  HW_NOT_FOUND: 404,
  HW_USAGE: 400,
  HW_TIME_INVALID: 400,
  HW_ES_UNAVAILABLE: 503,
  HW_ES_THROTTLED: 503,
};

export function buildTimelineRoute(options: TimelineRouteOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const requests = options.metrics.counter('hangwatch_timeline_requests_total', 'Timeline export requests by format and HTTP status');
  const rowsOut = options.metrics.counter('hangwatch_timeline_rows_total', 'Timeline rows exported');
  const failures = options.metrics.counter('hangwatch_timeline_stream_failures_total', 'Exports that failed after the response started');
  const refused = options.metrics.counter('hangwatch_timeline_unauthorized_total', 'Export requests refused for their token, by reason');
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== TIMELINE_PATH) return false;
    if (options.checkToken) {
      const verdict = options.checkToken({ authorization: req.headers.authorization, query: url.searchParams.get(TOKEN_QUERY_PARAM) ?? undefined });
      if (verdict !== 'accepted') {
        // Counted, not logged: a scan of wrong tokens must not flood the log.
        refused.inc({ reason: verdict });
        const challenge = verdict === 'missing' ? `Bearer realm="${REALM}"` : `Bearer realm="${REALM}", error="invalid_token"`;
        res
          .writeHead(401, { 'www-authenticate': challenge, ...ERROR_HEADERS })
          .end(`${JSON.stringify({ error: { code: 'HW_UNAUTHORIZED' satisfies ErrorCode, message: describeRefusal(verdict) } })}\n`);
        return true;
      }
    }
    let format: TimelineFormat = 'html';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return true;
    }
    try {
      const requested = url.searchParams.get('format') ?? 'html';
      if (!isTimelineFormat(requested)) throw new HangwatchError('HW_USAGE', [`format must be one of md, html, csv, jsonl`]);
      format = requested;
      const zone = url.searchParams.get('tz') ? parseZone(url.searchParams.get('tz')!) : options.defaultZone;
      const from = url.searchParams.get('from');
      const to = url.searchParams.get('to');
      const scope = resolveScope({
        incident: url.searchParams.get('incident') ?? undefined,
        domain: url.searchParams.get('domain') ?? undefined,
        host: url.searchParams.get('host') ?? undefined,
        fromMs: from ? parseInstant(from, zone) : undefined,
        toMs: to ? parseInstant(to, zone) : undefined,
      });
      if (typeof scope === 'string') throw new HangwatchError('HW_USAGE', [scope]);
      const result = await exportTimeline(options.source, {
        scope,
        format,
        zone,
        generatedMs: options.now(),
        sourceLabel: 'Elasticsearch',
        onRow: () => rowsOut.inc(),
      });
      const headers: Record<string, string> = {
        'content-type': result.contentType,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
        'content-security-policy': HTML_CSP,
        // A token given as a query parameter must not leave in the Referer of anything the page loads or links to.
        'referrer-policy': 'no-referrer',
      };
      if (format !== 'html') headers['content-disposition'] = `inline; filename="timeline-${safeFileName(result.title)}.${format}"`;
      res.writeHead(200, headers);
      requests.inc({ format, status: '200' });
      if (req.method === 'HEAD') {
        res.end();
        return true;
      }
      try {
        await writeChunks(result.chunks, res);
        res.end();
      } catch (error) {
        // Headers are gone: the only honest signal left is an aborted (truncated) response.
        failures.inc();
        options.logger.error({ err: error, code: codeOf(error) }, 'timeline export failed while streaming');
        res.destroy(error as Error);
      }
    } catch (error) {
      const code = codeOf(error);
      const status = STATUS_BY_CODE[code] ?? 500;
      requests.inc({ format, status: String(status) });
      if (status >= 500) options.logger.error({ err: error, code }, 'timeline export failed');
      const message = error instanceof HangwatchError ? error.message : 'internal error';
      res.writeHead(status, ERROR_HEADERS).end(`${JSON.stringify({ error: { code, message } })}\n`);
    }
    return true;
  };
}

function safeFileName(title: string): string {
  return title.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 80);
}
