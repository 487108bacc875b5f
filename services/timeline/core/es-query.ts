import type { EventFilter } from './scope.js';

// Elasticsearch query bodies for a filter, pure so they are unit-tested without a cluster. They assume the
// events index template maps libvirt.*, host.name and event.id as keyword (term queries, sort).

type Query = Record<string, unknown>;

export function buildEventsQuery(filter: EventFilter): Query {
  const range = { range: { '@timestamp': { gte: new Date(filter.fromMs).toISOString(), lte: new Date(filter.toMs).toISOString() } } };
  if (filter.host !== undefined) {
    return {
      bool: {
        filter: [range],
        should: [{ term: { 'libvirt.hypervisor': filter.host } }, { term: { 'host.name': filter.host } }],
        minimum_should_match: 1,
      },
    };
  }
  const should: Query[] = [];
  if (filter.domain !== undefined) {
    const domainClauses: Query[] = [{ term: { 'libvirt.domain.name': filter.domain } }];
    if (filter.hypervisors.length > 0) domainClauses.push({ terms: { 'libvirt.hypervisor': [...filter.hypervisors] } });
    should.push({ bool: { filter: domainClauses } });
  }
  if (filter.hypervisors.length > 0) {
    should.push({
      bool: {
        filter: [{ terms: { 'libvirt.hypervisor': [...filter.hypervisors] } }],
        must_not: [{ exists: { field: 'libvirt.domain.name' } }],
      },
    });
  }
  if (should.length === 0) return { bool: { must_not: [{ match_all: {} }] } };
  return { bool: { filter: [range], should, minimum_should_match: 1 } };
}

/** Mirrors core/order.ts compareEvents; the point in time adds `_shard_doc` as the last tiebreaker. */
export const EVENTS_SORT = [
  { '@timestamp': { order: 'asc' } },
  { 'log.offset': { order: 'asc', missing: '_last', unmapped_type: 'long' } },
  { 'event.id': { order: 'asc', unmapped_type: 'keyword' } },
] as const;

export function buildHypervisorsQuery(domain: string, fromMs: number, toMs: number): Query {
  return {
    bool: {
      filter: [
        { term: { 'libvirt.domain.name': domain } },
        { range: { '@timestamp': { gte: new Date(fromMs).toISOString(), lte: new Date(toMs).toISOString() } } },
      ],
    },
  };
}

export function buildAlertsQuery(incidentId: string | undefined, fromMs: number, toMs: number, domain: string | undefined): Query {
  const filter: Query[] = [{ range: { '@timestamp': { gte: new Date(fromMs).toISOString(), lte: new Date(toMs).toISOString() } } }];
  if (incidentId !== undefined) filter.push({ term: { 'alert.incidents': incidentId } });
  else if (domain !== undefined) filter.push({ term: { 'alert.key': domain } });
  else return { bool: { must_not: [{ match_all: {} }] } };
  return { bool: { filter } };
}
