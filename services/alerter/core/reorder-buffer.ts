import type { Incident } from '../../../shared/schema/incident.js';
import { isTrustedIncidentTime } from './trusted-incident-time.js';

// Kafka partitions are read at unequal speeds, and the incidents topic is keyed by incident.id, so one domain's
// incidents are spread over partitions. Incidents wait here until event time (the slowest partition still
// behind) has passed them, and are then released in event-time order (ties by incident.id): the engine sees
// the same sequence as `hangwatch analyze`, whatever the interleaving, so episodes and ids are the same.
// The caller's event time follows trusted incident times only (trusted-incident-time.ts): an incident whose time
// vouches for nothing (a guest's year 2200) could wait here for ever, so it also leaves once no partition is behind.

export class ReorderBuffer {
  private readonly waiting = new Map<string, Incident>();

  get size(): number {
    return this.waiting.size;
  }

  /** A new version replaces the waiting one (upserts never wait twice). */
  add(incident: Incident): void {
    this.waiting.set(incident.incident.id, incident);
  }

  /** A tombstone for a waiting incident: it is dropped here. False when it was not waiting. */
  remove(incidentId: string): boolean {
    return this.waiting.delete(incidentId);
  }

  /**
   * The incidents at or before the watermark, oldest first; they leave the buffer. With `caughtUp` (no partition
   * behind) the incidents of untrusted time leave too, whatever time they carry.
   */
  release(watermarkMs: number, caughtUp = false): Incident[] {
    const out: Incident[] = [];
    for (const incident of this.waiting.values()) {
      if (Date.parse(incident['@timestamp']) <= watermarkMs || (caughtUp && !isTrustedIncidentTime(incident))) out.push(incident);
    }
    for (const incident of out) this.waiting.delete(incident.incident.id);
    return out.sort(
      (a, b) => Date.parse(a['@timestamp']) - Date.parse(b['@timestamp']) || (a.incident.id < b.incident.id ? -1 : a.incident.id > b.incident.id ? 1 : 0),
    );
  }
}
