import type { Alert } from '../../../shared/schema/alert.js';
import type { EcsEvent } from '../../../shared/schema/event.js';
import type { Incident } from '../../../shared/schema/incident.js';

// One line of a timeline, whatever produced it: a normalized event, the estimated hang of the incident, or an
// alert's state change. Every renderer consumes these, so a field added here reaches every format.

export type RowKind = 'event' | 'hang' | 'alert';

export interface TimelineRow {
  readonly kind: RowKind;
  /** Epoch milliseconds of `timestamp`. */
  readonly ms: number;
  /** The record's `@timestamp` (UTC ISO 8601). */
  readonly timestamp: string;
  /** What the time means, in Timesketch's sense (`Event Recorded`, `Hang (estimated)`). */
  readonly timestampDesc: string;
  readonly dataset: string;
  readonly action: string;
  readonly message: string;
  readonly level?: string;
  readonly eventId?: string;
  readonly domain?: string;
  readonly hypervisor?: string;
  readonly host?: string;
  readonly incidentId?: string;
  readonly timeBasis?: string;
}

export const TIMESTAMP_DESC = {
  event: 'Event Recorded',
  hang: 'Hang (estimated)',
  alert: 'Alert State Change',
} as const;

/** Where no message was extracted, the original record is the message: a row is never blank. */
export function buildEventRow(event: EcsEvent, incidentId?: string): TimelineRow {
  return {
    kind: 'event',
    ms: Date.parse(event['@timestamp']),
    timestamp: event['@timestamp'],
    timestampDesc: TIMESTAMP_DESC.event,
    dataset: event.event.dataset,
    action: event.event.action,
    message: withIdentityConflict(event, event.message ?? event.event.original ?? ''),
    level: event.log?.level,
    eventId: event.event.id,
    domain: event.libvirt?.domain?.name,
    hypervisor: event.libvirt?.hypervisor,
    host: event.host?.name,
    incidentId,
    timeBasis: event.hangwatch.time.basis,
  };
}

const CLAIM_WORDS = { inventory: 'the inventory entry for', mac: 'MAC', name: 'computer name' } as const;

/**
 * A guest record kept on the domain its binding gave it (its collection folder, its sender's topic) while its own
 * claim names another says so at the front of its message, so every format shows it where a reader looks:
 * `[identity conflict: claims vm113 (the inventory entry for WIN7-VM113); kept on vm105] ...`.
 */
function withIdentityConflict(event: EcsEvent, message: string): string {
  const conflict = event.hangwatch.identity?.conflict;
  if (!conflict) return message;
  const claim = conflict.claim !== undefined ? ` (${CLAIM_WORDS[conflict.via]} ${conflict.claim})` : ` (by ${conflict.via})`;
  const kept = event.libvirt?.domain?.name ?? event.libvirt?.hypervisor;
  return `[identity conflict: claims ${conflict.claimed}${claim}${kept ? `; kept on ${kept}` : ''}] ${message}`;
}

export function buildHangRow(incident: Incident): TimelineRow {
  const bugcheck = incident.windows?.bugcheck;
  const what = bugcheck ? `${bugcheck.name ?? 'bugcheck'} (${bugcheck.code})` : incident.incident.kind;
  const top = incident.incident.diagnosis[0];
  const diagnosis = top ? `; diagnosis: ${top.code} (confidence ${formatConfidence(top.confidence)})` : '';
  return {
    kind: 'hang',
    ms: Date.parse(incident['@timestamp']),
    timestamp: incident['@timestamp'],
    timestampDesc: TIMESTAMP_DESC.hang,
    dataset: 'hangwatch.incident',
    action: incident.incident.kind,
    message: `${incident.libvirt.domain.name ?? 'guest'} hung: ${what}${diagnosis}`,
    level: 'critical',
    eventId: incident.incident.id,
    domain: incident.libvirt.domain.name,
    hypervisor: incident.libvirt.hypervisor,
    incidentId: incident.incident.id,
  };
}

export function buildAlertRow(alert: Alert): TimelineRow {
  return {
    kind: 'alert',
    ms: Date.parse(alert['@timestamp']),
    timestamp: alert['@timestamp'],
    timestampDesc: `${TIMESTAMP_DESC.alert} (${alert.alert.state})`,
    dataset: 'hangwatch.alert',
    action: `alert-${alert.alert.state}`,
    message: `${alert.rule.name}: ${alert.message}`,
    level: 'warning',
    eventId: alert.alert.id,
    incidentId: alert.alert.incidents.at(-1),
  };
}

export function formatConfidence(confidence: number): string {
  return confidence.toFixed(2);
}
