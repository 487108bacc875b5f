import type { EcsEvent } from '../../../shared/schema/event.js';
import type { Incident } from '../../../shared/schema/incident.js';
import { Correlator, type CorrelatorOutput } from './correlator.js';
import type { CorrelatorOptions } from './options.js';

// The offline entry point (`hangwatch analyze`): a finite input, in any order, correlated in one go. It learns
// the facts first, feeds the events in resolved event-time order through the same streaming Correlator, and
// flushes, so its result is what the streaming pipeline converges to.

export interface CorrelateAllResult {
  incidents: Incident[];
  /** Every input event, enriched (attribution, zone, re-timed), in resolved time order. */
  events: EcsEvent[];
}

export function correlateAll(events: Iterable<EcsEvent>, options: CorrelatorOptions): CorrelateAllResult {
  const list = [...events];
  const correlator = new Correlator(options);
  correlator.prime(list);
  const ordered = list
    .map((event) => ({ event, ms: correlator.previewTimeMs(event) }))
    .sort((a, b) => a.ms - b.ms || (a.event.event.id < b.event.event.id ? -1 : a.event.event.id > b.event.event.id ? 1 : 0));
  const incidents = new Map<string, Incident>();
  const enriched = new Map<string, EcsEvent>();
  for (const { event } of ordered) {
    if (!enriched.has(event.event.id)) enriched.set(event.event.id, event);
    // A guest record placed by MAC onto its hypervisor goes through again, as the events topic brings it back.
    const queue = [event];
    for (let next = queue.shift(); next; next = queue.shift()) {
      const output = correlator.push(next);
      applyOutput(output, incidents, enriched);
      queue.push(...output.rehomed);
    }
  }
  applyOutput(correlator.flush(), incidents, enriched);
  return { incidents: sortIncidents([...incidents.values()]), events: [...enriched.values()].sort(compareEvents) };
}

/** Folds a stream of outputs into the current incident set (upserts replace, tombstones delete). */
export function applyOutput(output: CorrelatorOutput, incidents: Map<string, Incident>, events?: Map<string, EcsEvent>): void {
  for (const incident of output.incidents) incidents.set(incident.incident.id, incident);
  for (const id of output.tombstones) incidents.delete(id);
  if (events) for (const event of [...output.rehomed, ...output.events]) events.set(event.event.id, event);
}

export function sortIncidents(incidents: Incident[]): Incident[] {
  return incidents.sort((a, b) => (a['@timestamp'] < b['@timestamp'] ? -1 : a['@timestamp'] > b['@timestamp'] ? 1 : a.incident.id < b.incident.id ? -1 : 1));
}

function compareEvents(a: EcsEvent, b: EcsEvent): number {
  if (a['@timestamp'] !== b['@timestamp']) return a['@timestamp'] < b['@timestamp'] ? -1 : 1;
  return a.event.id < b.event.id ? -1 : a.event.id > b.event.id ? 1 : 0;
}
