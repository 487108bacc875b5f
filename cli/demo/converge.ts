import type { Client } from '@elastic/elasticsearch';
import type { Incident } from '../../shared/schema/incident.js';
import { INDICES } from '../../shared/topics.js';

// Waits until Elasticsearch holds what the offline analysis of the same data says it should: as many events,
// and every incident id with the same content (kind, signals, diagnoses with their confidence): an incident
// that is there but built from part of its records does not count. Event time drives the pipeline, so the two
// must agree once the input is consumed.

export interface Expectation {
  readonly events: number;
  readonly incidentIds: readonly string[];
  /** incident.id -> incidentDigest() of the offline result. */
  readonly digests: ReadonlyMap<string, string>;
}

/** What must agree between the offline and the streaming result of one incident. */
export function incidentDigest(incident: Pick<Incident, 'incident'>): string {
  const i = incident.incident;
  return JSON.stringify([i.kind, [...(i.signals ?? [])].sort(), i.diagnosis.map((d) => [d.code, d.confidence])]);
}

export interface Observation {
  events: number;
  incidents: number;
  missingIncidents: string[];
  deadletters: number;
  alerts: number;
}

export async function observe(es: Client, expected: Expectation): Promise<Observation> {
  const count = async (index: string): Promise<number> => {
    try {
      await es.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
      const r = await es.count({ index, ignore_unavailable: true, allow_no_indices: true });
      return r.count;
    } catch {
      return 0;
    }
  };
  const [events, incidents, deadletters, alerts] = await Promise.all([count(INDICES.eventsPattern), count(INDICES.incidents), count(INDICES.deadletter), count(INDICES.alerts)]);
  let missingIncidents = [...expected.incidentIds];
  if (expected.incidentIds.length > 0) {
    try {
      const found = await es.mget<Pick<Incident, 'incident'>>({ index: INDICES.incidents, ids: [...expected.incidentIds], _source_includes: ['incident.kind', 'incident.signals', 'incident.diagnosis'] });
      const present = new Set(found.docs.filter((d) => 'found' in d && d.found && d._source && incidentDigest(d._source) === expected.digests.get(d._id)).map((d) => d._id));
      missingIncidents = expected.incidentIds.filter((id) => !present.has(id));
    } catch {
      // index not there yet
    }
  }
  return { events, incidents, missingIncidents, deadletters, alerts };
}

export function converged(o: Observation, expected: Expectation): boolean {
  // Other runs may have left documents in the same indices (tests share the local stack), so convergence is
  // "every expected incident is there, as the offline analysis built it", not an exact count.
  return o.events >= expected.events && o.missingIncidents.length === 0;
}
