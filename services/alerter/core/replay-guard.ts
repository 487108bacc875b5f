import type { Alert } from '../../../shared/schema/alert.js';

// Restart without re-firing or losing: the streaming alerter rebuilds its state by replaying the incidents
// topic, and this ledger, loaded from the alerts topic first, lets through only the state changes that were
// never produced. The engine is deterministic, so a replayed change is identical to the one produced before.
//
// The incidents topic is retained for a limited time: a replay may miss the first incidents of an old
// episode and derive it under a different first incident, hence a different alert.id. Such an episode
// overlaps one the ledger already holds for the same rule and key; it is held back as a partial re-derivation.

export type Admission = 'new' | 'duplicate' | 'partial-replay';

export class ReplayGuard {
  private readonly produced = new Set<string>();
  private readonly episodes = new Set<string>();
  private readonly heldBack = new Set<string>();
  /** rule + key -> latest last_seen of any produced episode (ms). */
  private readonly reach = new Map<string, number>();

  /** Records an alert read back from the alerts topic (or just produced). */
  remember(alert: Alert): void {
    this.produced.add(changeKey(alert));
    this.episodes.add(alert.alert.id);
    const scope = scopeKey(alert);
    const lastSeen = Date.parse(alert.alert.last_seen);
    if (lastSeen > (this.reach.get(scope) ?? -Infinity)) this.reach.set(scope, lastSeen);
  }

  admit(alert: Alert): Admission {
    if (this.produced.has(changeKey(alert))) return 'duplicate';
    if (this.heldBack.has(alert.alert.id)) return 'partial-replay';
    if (!this.episodes.has(alert.alert.id) && alert.alert.state === 'open') {
      const reach = this.reach.get(scopeKey(alert));
      if (reach !== undefined && Date.parse(alert.alert.first_seen) <= reach) {
        this.heldBack.add(alert.alert.id);
        return 'partial-replay';
      }
    }
    this.remember(alert);
    return 'new';
  }

  get size(): number {
    return this.produced.size;
  }
}

function changeKey(alert: Alert): string {
  return `${alert.alert.id}|${alert.alert.state}|${alert['@timestamp']}|${alert.alert.count}|${alert.alert.incidents.length}`;
}

function scopeKey(alert: Alert): string {
  return `${alert.rule.id}\u0000${alert.alert.key}`;
}
