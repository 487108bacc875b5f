// Topic and index names (DESIGN.md section 2). Constants, so a rename is one change and greppable.

export const TOPICS = {
  raw: 'hangwatch.raw.v1',
  events: 'hangwatch.events.v1',
  incidents: 'hangwatch.incidents.v1',
  alerts: 'hangwatch.alerts.v1',
  deadletter: 'hangwatch.deadletter.v1',
  identity: 'hangwatch.identity.v1',
  silences: 'hangwatch.silences.v1',
  /** Audit findings (`hangwatch audit --kafka`), compacted, key hypervisor/domain: the latest audit of each domain. */
  audit: 'hangwatch.audit.v1',
} as const;

export const INDICES = {
  eventsPrefix: 'hangwatch-events-',
  eventsAlias: 'hangwatch-events',
  eventsPattern: 'hangwatch-events-*',
  incidents: 'hangwatch-incidents',
  alerts: 'hangwatch-alerts',
  deadletter: 'hangwatch-deadletter',
  audit: 'hangwatch-audit',
} as const;

/** `hangwatch-events-YYYY.MM.DD` from an event's UTC timestamp. */
export function eventsIndexFor(timestamp: string): string {
  return `${INDICES.eventsPrefix}${timestamp.slice(0, 4)}.${timestamp.slice(5, 7)}.${timestamp.slice(8, 10)}`;
}

/** Kafka headers the shipper sets on raw records; the parser builds event.id from them. */
export const RAW_HEADERS = {
  host: 'hw-host',
  path: 'hw-path',
  format: 'hw-format',
  fingerprint: 'hw-fingerprint',
  offset: 'hw-offset',
  created: 'hw-created',
  schemaVersion: 'schema-version',
  mtime: 'hw-mtime',
  /** Set by the shipper when a record was cut at the Kafka message limit (DESIGN.md section 9). */
  oversizeLength: 'hw-oversize-length',
  oversizeSha256: 'hw-oversize-sha256',
  /** RawRecord.sourceId: the record's id at a source without byte offsets (the journald cursor). */
  sourceId: 'hw-source-id',
  /** RawRecord.time: the source's own time of the record (ISO), e.g. journald's __REALTIME_TIMESTAMP. */
  time: 'hw-time',
} as const;
