import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { HangwatchError } from '../../../shared/errors.js';
import { AlertSchema, type Alert } from '../../../shared/schema/alert.js';
import { listEventProblems, type EcsEvent } from '../../../shared/schema/event.js';
import { IncidentSchema, type Incident } from '../../../shared/schema/incident.js';
import { compareEvents } from '../core/order.js';
import { matchesFilter, type EventFilter } from '../core/scope.js';
import type { AlertQuery, TimelineSource } from '../core/timeline-source.js';
import { readNdjson } from './ndjson-lines.js';

// A `hangwatch analyze` output folder as a timeline source: events.ndjson, incidents.ndjson, maybe
// alerts.ndjson, each read streaming line by line. Only the events that match the filter are kept, then sorted:
// analyze writes a bounded amount (one host's or one bundle's logs), and the filter keeps one window of it, so
// this buffer is bounded by the input folder; the unbounded case (a fleet over weeks) is Elasticsearch's,
// which returns events already sorted and is streamed page by page.

export const DIR_FILES = { events: 'events.ndjson', incidents: 'incidents.ndjson', alerts: 'alerts.ndjson' } as const;

export class DirSource implements TimelineSource {
  constructor(private readonly dir: string) {}

  async findIncident(id: string): Promise<Incident | undefined> {
    let found: Incident | undefined;
    for await (const value of readNdjson(await this.requirePath(DIR_FILES.incidents))) {
      const doc = value as { incident?: { id?: unknown } };
      if (doc.incident?.id !== id) continue;
      const parsed = IncidentSchema.safeParse(value);
      if (!parsed.success) throw new HangwatchError('HW_SCHEMA_INVALID', [`incident ${id} in ${this.dir}: ${parsed.error.issues[0]?.message ?? 'invalid'}`]);
      // analyze may write refinements of one incident; the last one written is the current one.
      found = parsed.data;
    }
    return found;
  }

  async findHypervisors(domain: string, fromMs: number, toMs: number): Promise<string[]> {
    const hypervisors = new Set<string>();
    for await (const event of this.readEvents()) {
      const ms = Date.parse(event['@timestamp']);
      if (event.libvirt?.domain?.name === domain && event.libvirt.hypervisor && ms >= fromMs && ms <= toMs) hypervisors.add(event.libvirt.hypervisor);
    }
    return [...hypervisors].sort();
  }

  async *streamEvents(filter: EventFilter, onTotal?: (total: number) => void): AsyncGenerator<EcsEvent> {
    const kept: EcsEvent[] = [];
    for await (const event of this.readEvents()) if (matchesFilter(event, filter)) kept.push(event);
    kept.sort(compareEvents);
    onTotal?.(kept.length);
    yield* kept;
  }

  async findAlerts(query: AlertQuery): Promise<Alert[]> {
    const path = join(this.dir, DIR_FILES.alerts);
    if (!(await exists(path))) return [];
    const alerts: Alert[] = [];
    for await (const value of readNdjson(path)) {
      const parsed = AlertSchema.safeParse(value);
      if (!parsed.success) throw new HangwatchError('HW_SCHEMA_INVALID', [`alert in ${path}: ${parsed.error.issues[0]?.message ?? 'invalid'}`]);
      const alert = parsed.data;
      const ms = Date.parse(alert['@timestamp']);
      if (ms < query.fromMs || ms > query.toMs) continue;
      if (query.incidentId !== undefined ? alert.alert.incidents.includes(query.incidentId) : alert.alert.key === query.domain) alerts.push(alert);
    }
    return alerts;
  }

  async close(): Promise<void> {}

  private async *readEvents(): AsyncGenerator<EcsEvent> {
    const path = await this.requirePath(DIR_FILES.events);
    let n = 0;
    for await (const value of readNdjson(path)) {
      n++;
      // A cheap shape check per line; the full schema costs microseconds per event and analyze validated them.
      const doc = value as Partial<EcsEvent>;
      if (typeof doc['@timestamp'] !== 'string' || typeof doc.event?.id !== 'string' || typeof doc.event.dataset !== 'string' || Number.isNaN(Date.parse(doc['@timestamp']))) {
        throw new HangwatchError('HW_SCHEMA_INVALID', [`${path} record ${n}: ${listEventProblems(value).slice(0, 3).join('; ') || 'missing @timestamp/event.id/event.dataset'}`]);
      }
      yield doc as EcsEvent;
    }
  }

  private async requirePath(name: string): Promise<string> {
    const path = join(this.dir, name);
    if (!(await exists(path))) throw new HangwatchError('HW_INPUT_UNREADABLE', [path, `not found (is ${this.dir} a hangwatch analyze output folder?)`]);
    return path;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
