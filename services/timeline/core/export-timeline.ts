import type { Zone } from '../../../shared/time.js';
import { buildTimeline } from './build-timeline.js';
import { buildHeader } from './header.js';
import { CONTENT_TYPES, renderTimeline, type TimelineFormat } from './render.js';
import type { TimelineScope } from './scope.js';
import type { TimelineRow } from './timeline-row.js';
import type { TimelineSource } from './timeline-source.js';

// One export, the same for the CLI and the HTTP service: resolve the scope (errors such as an unknown incident
// surface here, before any byte is written), then hand back the chunks to stream.

export interface ExportRequest {
  readonly scope: TimelineScope;
  readonly format: TimelineFormat;
  readonly zone: Zone;
  readonly generatedMs: number;
  readonly sourceLabel: string;
  /** Progress: the number of events the source will return (when it knows), then each row rendered. */
  readonly onTotal?: (total: number) => void;
  readonly onRow?: (row: TimelineRow) => void;
}

export interface ExportResult {
  readonly contentType: string;
  readonly title: string;
  readonly chunks: AsyncIterable<string>;
}

export async function exportTimeline(source: TimelineSource, request: ExportRequest): Promise<ExportResult> {
  const data = await buildTimeline(source, request.scope, request.onTotal);
  const header = buildHeader(data, { zone: request.zone, generatedMs: request.generatedMs, sourceLabel: request.sourceLabel });
  const rows = request.onRow ? observeRows(data.rows, request.onRow) : data.rows;
  return { contentType: CONTENT_TYPES[request.format], title: header.title, chunks: renderTimeline(request.format, header, rows) };
}

async function* observeRows(rows: AsyncIterable<TimelineRow>, onRow: (row: TimelineRow) => void): AsyncGenerator<TimelineRow> {
  for await (const row of rows) {
    onRow(row);
    yield row;
  }
}

/** `incident=ID` or `domain=NAME|host=NAME` with `from`/`to`, from CLI flags or URL parameters alike. */
export interface ScopeParams {
  readonly incident?: string;
  readonly domain?: string;
  readonly host?: string;
  readonly fromMs?: number;
  readonly toMs?: number;
}

export function resolveScope(params: ScopeParams): TimelineScope | string {
  const chosen = [params.incident, params.domain, params.host].filter((v) => v !== undefined && v !== '').length;
  if (chosen !== 1) return 'give exactly one of incident, domain, host';
  if (params.incident) return { kind: 'incident', incidentId: params.incident };
  if (params.fromMs === undefined || params.toMs === undefined) return 'domain and host timelines need from and to';
  if (params.fromMs > params.toMs) return 'from must not be after to';
  if (params.domain) return { kind: 'domain', domain: params.domain, fromMs: params.fromMs, toMs: params.toMs };
  return { kind: 'host', host: params.host!, fromMs: params.fromMs, toMs: params.toMs };
}
