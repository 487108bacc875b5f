import type { Alert } from '../../../shared/schema/alert.js';
import type { Incident } from '../../../shared/schema/incident.js';
import type { LinkOptions } from './alert-render.js';
import { AlertEngine } from './engine.js';
import type { Rule } from './rule.js';

// `hangwatch analyze` runs the same engine over a finite set of incidents. The input is put in event-time
// order first (stable by incident.id), and a repeated incident.id keeps its last version, as the compacted
// incidents topic would: the result depends only on the set of incidents, never on file or thread order.

export interface OfflineOptions extends LinkOptions {
  /** Let time run on to this instant (ISO 8601) after the last incident, closing what is due by then. */
  readonly until?: string;
}

export function evaluateRulesOffline(incidents: readonly Incident[], rules: readonly Rule[], options: OfflineOptions = {}): Alert[] {
  const latest = new Map<string, Incident>();
  for (const incident of incidents) {
    latest.delete(incident.incident.id);
    latest.set(incident.incident.id, incident);
  }
  const ordered = [...latest.values()].sort(
    (a, b) => Date.parse(a['@timestamp']) - Date.parse(b['@timestamp']) || (a.incident.id < b.incident.id ? -1 : a.incident.id > b.incident.id ? 1 : 0),
  );
  const engine = new AlertEngine(rules, { ...options, allowedLatenessMs: 0 });
  const alerts: Alert[] = [];
  for (const incident of ordered) alerts.push(...engine.upsert(incident).alerts);
  if (options.until !== undefined) alerts.push(...engine.advanceClock(Date.parse(options.until)));
  return alerts;
}
