import type { EcsEvent } from '../../../shared/schema/event.js';
import type { Incident } from '../../../shared/schema/incident.js';

// What a timeline covers. An incident's timeline covers its window and holds the domain's events (host and
// guest records attributed to it) and the hypervisor's host-wide events (no domain) in that window
// (issue 8). Domain names are unique per hypervisor only (DESIGN.md section 7), so domain events are taken
// on the incident's hypervisor only.

export type TimelineScope =
  | { readonly kind: 'incident'; readonly incidentId: string }
  | { readonly kind: 'domain'; readonly domain: string; readonly fromMs: number; readonly toMs: number }
  | { readonly kind: 'host'; readonly host: string; readonly fromMs: number; readonly toMs: number };

/** The resolved selection: what a source must return, in order (core/order.ts). Both bounds inclusive. */
export interface EventFilter {
  readonly fromMs: number;
  readonly toMs: number;
  /** Events of this domain... */
  readonly domain?: string;
  /** ...on these hypervisors (empty: any), plus these hypervisors' host-wide events. */
  readonly hypervisors: readonly string[];
  /** Host scope: every event of this hypervisor (or written by this host), guests included. */
  readonly host?: string;
}

export function buildIncidentFilter(incident: Incident): EventFilter {
  const hypervisor = incident.libvirt.hypervisor;
  return {
    fromMs: Date.parse(incident.incident.window.gte),
    toMs: Date.parse(incident.incident.window.lte),
    domain: incident.libvirt.domain.name,
    hypervisors: hypervisor ? [hypervisor] : [],
  };
}

/** A domain between two times: its events, and the host-wide events of every hypervisor it ran on then. */
export function buildDomainFilter(domain: string, fromMs: number, toMs: number, hypervisors: readonly string[]): EventFilter {
  return { fromMs, toMs, domain, hypervisors: [...hypervisors].sort() };
}

export function buildHostFilter(host: string, fromMs: number, toMs: number): EventFilter {
  return { fromMs, toMs, hypervisors: [host], host };
}

export function matchesFilter(event: EcsEvent, filter: EventFilter): boolean {
  const ms = Date.parse(event['@timestamp']);
  if (!(ms >= filter.fromMs && ms <= filter.toMs)) return false;
  const hypervisor = event.libvirt?.hypervisor;
  if (filter.host !== undefined) return hypervisor === filter.host || event.host?.name === filter.host;
  const domain = event.libvirt?.domain?.name;
  if (domain !== undefined) {
    if (domain !== filter.domain) return false;
    return filter.hypervisors.length === 0 || (hypervisor !== undefined && filter.hypervisors.includes(hypervisor));
  }
  return hypervisor !== undefined && filter.hypervisors.includes(hypervisor);
}
