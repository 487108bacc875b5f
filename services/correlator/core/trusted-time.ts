import type { EcsEvent } from '../../../shared/schema/event.js';
import { isContextDated } from './context-time.js';
import { hasUnresolvedZone, isGuestRecord } from './event-facts.js';
import type { TrackedEvent } from './tracked-event.js';

// Guest clocks are untrusted: a guest controls the times it writes, so one guest's record
// dated 2200 must not make every other record of its hypervisor late, nor finalize their incidents early: a
// hypervisor's watermark runs on its host records, and a guest record can at most bring it to the time the record
// was read by the host (its ingest clock), never beyond. Records whose time the parser flagged suspect (far after
// their reading, before 2000, years before the host's records) move nothing; nor do records dated by their context.

/** True for a record whose time the parser found impossible for it (it keeps the claim, flagged). */
export function isSuspectTime(event: EcsEvent): boolean {
  return event.hangwatch.time.suspect === true;
}

/**
 * Whether `event.created` was written by a reader on the host (our shipper, or Filebeat, Vector, rsyslog there),
 * not by the guest: Winlogbeat runs inside the guest, so its read time is the guest's clock as well.
 */
function isReadByHost(event: EcsEvent): boolean {
  return event.event.dataset !== 'windows.winlogbeat' && event.hangwatch.source?.shipper !== 'winlogbeat';
}

/**
 * The event time a record vouches for on its hypervisor's watermark, or undefined when it vouches for none.
 * In the state of guest records that came with no hypervisor (`''`) there is no host clock at all: their own
 * times are all there is, and those records open no incident while they wait for a placement.
 */
export function watermarkTimeOf(t: TrackedEvent, hypervisor: string): number | undefined {
  const input = t.input;
  // A record dated by its file's modification time (a copy's: today) or by another record says nothing new about
  // how far event time has come; a local time still waiting for its zone may be 14 hours off.
  if (hasUnresolvedZone(t.current) || isContextDated(input) || isSuspectTime(input)) return undefined;
  const tsMs = t.enrichment.tsMs;
  if (!isGuestRecord(input) || hypervisor === '') return tsMs;
  if (!isReadByHost(input)) return undefined;
  const readMs = Date.parse(input.event.created ?? '');
  return Number.isFinite(readMs) ? Math.min(tsMs, readMs) : undefined;
}

/**
 * The time a suspect guest record is correlated at: when the host read it (`event.created`), with the basis saying
 * so and the claim kept in `hangwatch.time.claimed`. Decided over "evidence only": a guest with a broken clock
 * that really hangs still gets its incident (and its diagnosis from the domain's configuration), dated by the
 * ingest clock and flagged (incident.clock.suspect), which neither the correlator's nor the alerter's watermark
 * follows; and the record leaves the state with its neighbours instead of waiting for the year it claims.
 * A record the parser already dated by its reading (a dump header's impossible SystemTime) keeps that time.
 */
export function suspectTimeOf(input: EcsEvent, tsMs: number): { tsMs: number; basis?: 'ingest'; claimed?: string } {
  if (input.hangwatch.time.basis === 'ingest') return { tsMs };
  const readMs = Date.parse(input.event.created ?? '');
  if (!Number.isFinite(readMs)) return { tsMs };
  return { tsMs: readMs, basis: 'ingest', claimed: input['@timestamp'] };
}
