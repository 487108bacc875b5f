import type { EcsEvent } from '../../../shared/schema/event.js';

// The one order of a timeline, shared by every source so Elasticsearch and an analyze folder give the same
// sequence: time, then the byte offset (keeps a file's lines with equal milliseconds in file order, e.g.
// libvirtd's EOF line before the "Cannot open log file" line of the same thread), then event.id.
// adapters/es-source.ts sorts the same way: `@timestamp`, `log.offset` (missing last), `event.id`.

export function compareEvents(a: EcsEvent, b: EcsEvent): number {
  const ta = a['@timestamp'];
  const tb = b['@timestamp'];
  if (ta !== tb) return ta < tb ? -1 : 1;
  const oa = a.log?.offset;
  const ob = b.log?.offset;
  if (oa !== ob) {
    if (oa === undefined) return 1;
    if (ob === undefined) return -1;
    return oa - ob;
  }
  const ia = a.event.id;
  const ib = b.event.id;
  return ia === ib ? 0 : ia < ib ? -1 : 1;
}
