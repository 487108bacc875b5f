import type { Alert } from '../../../shared/schema/alert.js';
import type { Incident } from '../../../shared/schema/incident.js';
import type { LinkOptions } from './alert-render.js';
import type { AuditFinding } from '../../audit/core/audit-finding.js';
import { auditRecordKey } from '../../audit/core/audit-record.js';
import { AlertEngine } from './engine.js';
import { ExposureEngine } from './exposure.js';
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
  // A sorted finite input: nothing is late, and one watermark for all hypervisors closes episodes as before.
  const engine = new AlertEngine(rules, { ...options, allowedLatenessMs: 0, sharedWatermark: true });
  const alerts: Alert[] = [];
  for (const incident of ordered) alerts.push(...engine.upsert(incident).alerts);
  if (options.until !== undefined) alerts.push(...engine.advanceClock(Date.parse(options.until)));
  return alerts;
}

/**
 * Exposure rules over a finite set of audit findings (e.g. several `hangwatch audit --format json` runs): in
 * time order, stable by key, a repeated finding (same key and time) keeping its last version. Incidents and
 * findings are separate inputs with separate rules, so this runs beside evaluateRulesOffline, not inside it.
 */
export function evaluateAuditOffline(findings: readonly AuditFinding[], rules: readonly Rule[]): Alert[] {
  const latest = new Map<string, AuditFinding>();
  for (const finding of findings) {
    const id = `${auditRecordKey(finding)}\u0000${finding['@timestamp']}`;
    latest.delete(id);
    latest.set(id, finding);
  }
  const ordered = [...latest.entries()].sort(([ka, a], [kb, b]) => Date.parse(a['@timestamp']) - Date.parse(b['@timestamp']) || (ka < kb ? -1 : ka > kb ? 1 : 0));
  const engine = new ExposureEngine(rules);
  return ordered.flatMap(([, finding]) => engine.apply(finding).alerts);
}
