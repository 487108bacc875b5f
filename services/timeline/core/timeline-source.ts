import type { Alert } from '../../../shared/schema/alert.js';
import type { EcsEvent } from '../../../shared/schema/event.js';
import type { Incident } from '../../../shared/schema/incident.js';
import type { EventFilter } from './scope.js';

// The port every source implements (adapters/es-source.ts, adapters/dir-source.ts), so the timeline is built
// the same way from Elasticsearch and from a `hangwatch analyze` folder.

export interface AlertQuery {
  readonly incidentId?: string;
  readonly domain?: string;
  readonly fromMs: number;
  readonly toMs: number;
}

export interface TimelineSource {
  findIncident(id: string): Promise<Incident | undefined>;
  /** Hypervisors the domain's events name between two times (domain names are unique per hypervisor only). */
  findHypervisors(domain: string, fromMs: number, toMs: number): Promise<string[]>;
  /** Events matching the filter in core/order.ts order; `onTotal` hears the count when the source knows it. */
  streamEvents(filter: EventFilter, onTotal?: (total: number) => void): AsyncIterable<EcsEvent>;
  findAlerts(query: AlertQuery): Promise<Alert[]>;
  close(): Promise<void>;
}
