import { HangwatchError } from '../../../shared/errors.js';
import type { Incident } from '../../../shared/schema/incident.js';
import { mergeRows } from './merge-rows.js';
import { buildDomainFilter, buildHostFilter, buildIncidentFilter, type EventFilter, type TimelineScope } from './scope.js';
import { buildAlertRow, buildHangRow, type TimelineRow } from './timeline-row.js';
import type { TimelineSource } from './timeline-source.js';

// Resolves a scope against a source into what the renderers need: the header facts and the ordered rows.

export interface TimelineData {
  readonly scope: TimelineScope;
  readonly filter: EventFilter;
  readonly incident?: Incident;
  readonly rows: AsyncIterable<TimelineRow>;
}

export async function buildTimeline(source: TimelineSource, scope: TimelineScope, onTotal?: (total: number) => void): Promise<TimelineData> {
  if (scope.kind === 'incident') {
    const incident = await source.findIncident(scope.incidentId);
    if (!incident) throw new HangwatchError('HW_NOT_FOUND', ['incident', scope.incidentId]);
    const filter = buildIncidentFilter(incident);
    const alerts = await source.findAlerts({ incidentId: incident.incident.id, fromMs: filter.fromMs, toMs: filter.toMs });
    const extras = [buildHangRow(incident), ...alerts.map(buildAlertRow)];
    return { scope, filter, incident, rows: mergeRows(source.streamEvents(filter, onTotal), extras, incident.incident.id) };
  }
  if (scope.fromMs > scope.toMs) throw new HangwatchError('HW_USAGE', ['--from must not be after --to']);
  if (scope.kind === 'domain') {
    const hypervisors = await source.findHypervisors(scope.domain, scope.fromMs, scope.toMs);
    const filter = buildDomainFilter(scope.domain, scope.fromMs, scope.toMs, hypervisors);
    const alerts = await source.findAlerts({ domain: scope.domain, fromMs: scope.fromMs, toMs: scope.toMs });
    return { scope, filter, rows: mergeRows(source.streamEvents(filter, onTotal), alerts.map(buildAlertRow)) };
  }
  const filter = buildHostFilter(scope.host, scope.fromMs, scope.toMs);
  return { scope, filter, rows: mergeRows(source.streamEvents(filter, onTotal), []) };
}
