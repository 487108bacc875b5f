import { eventsIndexFor } from '../../../shared/topics.js';

// Which daily index an event goes to (guest clocks are untrusted). Normally the day of its
// @timestamp. An event whose time the parser or correlator flagged suspect (`hangwatch.time.suspect`: a guest's
// time far after its reading, before 2000, years before its host's records) goes to the day it was read
// (`event.created`), so a guest cannot make the cluster create an index (and its shards) for each day it names.
// The read time is used when it is itself plausible (from 2000 to a day after the indexer's own clock); else the
// indexer's clock decides: only a record whose read time also came from a lying guest lands there.

const DAY_MS = 86_400_000;
const EARLIEST_MS = Date.UTC(2000, 0, 1);
const ISO_DAY = /^\d{4}-\d\d-\d\dT/;

export function eventsIndexOf(doc: Record<string, unknown>, timestamp: string, ingested: string): string {
  const time = (doc.hangwatch as { time?: { suspect?: unknown } } | undefined)?.time;
  if (time?.suspect !== true) return eventsIndexFor(timestamp);
  const created = (doc.event as { created?: unknown } | undefined)?.created;
  const createdMs = typeof created === 'string' && ISO_DAY.test(created) ? Date.parse(created) : Number.NaN;
  const plausible = Number.isFinite(createdMs) && createdMs >= EARLIEST_MS && createdMs <= Date.parse(ingested) + DAY_MS;
  return eventsIndexFor(plausible ? new Date(createdMs).toISOString() : ingested);
}
