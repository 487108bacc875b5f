import type { IncomingMessage, ServerResponse } from 'node:http';
import { codeOf, HangwatchError } from '../../../shared/errors.js';
import type { Logger } from '../../../shared/logger.js';
import type { MetricsRegistry } from '../../../shared/metrics.js';
import { parseInstant, parseZone, type Zone } from '../../../shared/time.js';
import { exportTimeline, resolveScope } from '../core/export-timeline.js';
import { HTML_CSP } from '../core/render-html.js';
import { isTimelineFormat, type TimelineFormat } from '../core/render.js';
import type { TimelineSource } from '../core/timeline-source.js';
import { TIMELINE_PATH } from '../core/timeline-url.js';
import { writeChunks } from './write-chunks.js';

// GET /timeline?incident=ID&format=html|md|csv|jsonl&tz=ZONE (or domain=|host= with from=&to=): the export on
// demand that alerts and Kibana link to. Mounted on the shared health server next to /healthz, /readyz, /metrics.

export interface TimelineRouteOptions {
  readonly source: TimelineSource;
  readonly defaultZone: Zone;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  readonly now: () => number;
}

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
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== TIMELINE_PATH) return false;
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
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-content-type-options': 'nosniff' }).end(`${JSON.stringify({ error: { code, message } })}\n`);
    }
    return true;
  };
}

function safeFileName(title: string): string {
  return title.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 80);
}
