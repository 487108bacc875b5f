import type { EcsEvent } from '../../../shared/schema/event.js';
import type { Evidence } from '../../../shared/schema/incident.js';
import type { EventAction } from '../../../shared/vocabulary.js';

// How strongly a record explains a hang, by what it says. Host-wide records (no domain) are a little weaker than
// records about the domain itself. Used to keep the best `maxEvidence` records; the list itself is time-ordered.

const RELEVANCE: Readonly<Partial<Record<EventAction, number>>> = {
  bugcheck: 1,
  'guest-panic': 1,
  'kernel-power-41': 0.9,
  'unexpected-shutdown': 0.9,
  'kvm-internal-error': 0.9,
  // qemu paused the guest on a write error (werror=stop, a full disk): from inside, a freeze.
  'vm-io-error': 0.9,
  'soft-lockup': 0.8,
  'hung-task': 0.7,
  'vm-terminated-signal': 0.7,
  'monitor-eof': 0.6,
  'vm-shutdown': 0.6,
  'migration-failed': 0.6,
  'io-stats': 0.6,
  'disk-reset': 0.6,
  'monitor-error': 0.5,
  // A domain's job lock held past its timeout: the usual sign of a qemu monitor that stopped answering.
  'job-lock': 0.6,
  'daemon-crash': 0.5,
  // A restart someone asked for (User32 1074): explains a following boot, never a hang.
  'planned-restart': 0.4,
  'time-change': 0.5,
  'log-open-busy': 0.4,
  'service-crash': 0.4,
  'system-boot': 0.4,
  'system-shutdown': 0.4,
  'cpu-feature-unsupported': 0.3,
  'kvm-msr': 0.3,
  'vm-config': 0.3,
  'vm-start': 0.3,
  'storage-permission': 0.2,
  'daemon-stop': 0.2,
};
const DEFAULT_RELEVANCE = 0.1;
const HOST_WIDE_FACTOR = 0.8;

export function relevanceOf(event: EcsEvent, domain: string): number {
  // A register dump's further lines detail the error line that opened it; they rank as background.
  const continuation = event.hangwatch.parse?.flags?.includes('continuation') === true;
  const base = continuation ? DEFAULT_RELEVANCE : (RELEVANCE[event.event.action] ?? DEFAULT_RELEVANCE);
  const own = event.libvirt?.domain?.name === domain;
  return Math.round(base * (own ? 1 : HOST_WIDE_FACTOR) * 100) / 100;
}

/** Keeps the `max` most relevant (ties: nearest the hang, then id), then orders them by time. */
export function selectEvidence(events: readonly EcsEvent[], domain: string, hangMs: number, max: number): Evidence[] {
  const scored = events.map((event) => ({ event, relevance: relevanceOf(event, domain), ms: Date.parse(event['@timestamp']) }));
  const kept =
    scored.length <= max
      ? scored
      : [...scored]
          .sort((a, b) => b.relevance - a.relevance || Math.abs(a.ms - hangMs) - Math.abs(b.ms - hangMs) || cmp(a.event.event.id, b.event.event.id))
          .slice(0, max);
  kept.sort((a, b) => a.ms - b.ms || cmp(a.event.event.id, b.event.event.id));
  return kept.map(({ event, relevance }) => {
    const evidence: Evidence = {
      event: { id: event.event.id, dataset: event.event.dataset, action: event.event.action },
      '@timestamp': event['@timestamp'],
      relevance,
    };
    if (event.message !== undefined) evidence.message = event.message.length > 500 ? `${event.message.slice(0, 497)}...` : event.message;
    return evidence;
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
