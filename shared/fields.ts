// Field names as constants (dotted paths into the nested event), for queries, templates and Kibana objects.
export const FIELDS = {
  timestamp: '@timestamp',
  eventId: 'event.id',
  eventAction: 'event.action',
  eventDataset: 'event.dataset',
  eventCode: 'event.code',
  eventOriginal: 'event.original',
  eventCreated: 'event.created',
  eventIngested: 'event.ingested',
  hostName: 'host.name',
  message: 'message',
  domainName: 'libvirt.domain.name',
  domainUuid: 'libvirt.domain.uuid',
  hypervisor: 'libvirt.hypervisor',
  bugcheckCode: 'windows.bugcheck.code',
  bugcheckName: 'windows.bugcheck.name',
  qemuHyperv: 'qemu.hyperv',
  timeBasis: 'hangwatch.time.basis',
  attribution: 'hangwatch.attribution',
  grammar: 'hangwatch.parse.grammar',
  incidentId: 'incident.id',
  incidentKind: 'incident.kind',
  diagnosisCode: 'incident.diagnosis.code',
  alertId: 'alert.id',
  alertState: 'alert.state',
  ruleId: 'rule.id',
  errorCode: 'error.code',
  stage: 'hangwatch.stage',
} as const;

/** Reads a dotted path from a nested document. */
export function getField(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  if (path in (doc as Record<string, unknown>)) return (doc as Record<string, unknown>)[path];
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
