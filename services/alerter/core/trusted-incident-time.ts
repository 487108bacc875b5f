import type { Incident } from '../../../shared/schema/incident.js';
import type { TimeBasis } from '../../../shared/vocabulary.js';

// Which incident times may move the alerter's event time (guest clocks are untrusted). The correlator dates an incident
// by its best signal and says how in incident.clock: `suspect` when the only time it had was a guest's that could
// not be right (it then used the ingest clock); `ingest` and `file-mtime` bases when the hang had no time of its
// own (a backfill read today, a report copied last week): the hang happened at some other time. Such an incident
// is evaluated at the time it carries, but no watermark follows it, so it can neither make other incidents late
// nor close their episodes; its own key still closes on its hypervisor's trusted incidents or when the input idles.

const UNTRUSTED_BASES: ReadonlySet<TimeBasis> = new Set(['ingest', 'file-mtime']);

export function isTrustedIncidentTime(incident: Incident): boolean {
  const clock = incident.incident.clock;
  if (clock.suspect === true) return false;
  return clock.basis === undefined || !UNTRUSTED_BASES.has(clock.basis);
}
