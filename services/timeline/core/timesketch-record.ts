import { isoInZone, type Zone } from '../../../shared/time.js';
import type { TimelineRow } from './timeline-row.js';

// The flat record Timesketch imports as is from CSV or JSONL: its three mandatory fields `message`,
// `datetime` (ISO 8601 with offset) and `timestamp_desc`, plus `timestamp` in microseconds since the epoch
// (Timesketch docs, "Create timeline from JSON/JSONL/CSV file"), then our own fields under their ECS names.

export const TIMESKETCH_COLUMNS = [
  'message',
  'datetime',
  'timestamp_desc',
  'timestamp',
  'event.dataset',
  'event.action',
  'event.id',
  'libvirt.domain.name',
  'libvirt.hypervisor',
  'host.name',
  'incident.id',
  'hangwatch.time.basis',
  'log.level',
] as const;

export type TimesketchColumn = (typeof TIMESKETCH_COLUMNS)[number];
export type TimesketchRecord = { readonly [K in TimesketchColumn]: K extends 'timestamp' ? number : string };

export function buildTimesketchRecord(row: TimelineRow, zone: Zone): TimesketchRecord {
  return {
    message: row.message,
    datetime: isoInZone(row.ms, zone),
    timestamp_desc: row.timestampDesc,
    timestamp: row.ms * 1000,
    'event.dataset': row.dataset,
    'event.action': row.action,
    'event.id': row.eventId ?? '',
    'libvirt.domain.name': row.domain ?? '',
    'libvirt.hypervisor': row.hypervisor ?? '',
    'host.name': row.host ?? '',
    'incident.id': row.incidentId ?? '',
    'hangwatch.time.basis': row.timeBasis ?? '',
    'log.level': row.level ?? '',
  };
}
