import type { Client } from '@elastic/elasticsearch';
import { INDICES } from '../../shared/topics.js';

// Waits until Elasticsearch holds what the offline analysis of the same data says it should: every event id
// and every incident id. Event time drives the pipeline, so the two must agree once the input is consumed.

export interface Expectation {
  readonly events: number;
  readonly incidentIds: readonly string[];
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
      const found = await es.mget<Record<string, unknown>>({ index: INDICES.incidents, ids: [...expected.incidentIds], _source: false });
      const present = new Set(found.docs.filter((d) => 'found' in d && d.found).map((d) => d._id));
      missingIncidents = expected.incidentIds.filter((id) => !present.has(id));
    } catch {
      // index not there yet
    }
  }
  return { events, incidents, missingIncidents, deadletters, alerts };
}

export function converged(o: Observation, expected: Expectation): boolean {
  // Other runs may have left documents in the same indices (tests share the local stack), so convergence is
  // "every expected incident is there", not an exact count.
  return o.events >= expected.events && o.missingIncidents.length === 0;
}
