// A fact learned from records at event times (a zone, a MAC's domain, a domain's configuration). The value at an
// instant is the latest one learned at or before it, else the earliest one after it: a function of the set of
// records, never of their arrival order. Ties at one instant are broken by event id.

export interface TimedFact<V> {
  readonly atMs: number;
  readonly eventId: string;
  readonly value: V;
}

export class TimedFacts<V> {
  private readonly facts: TimedFact<V>[] = [];

  /** Adds a fact; returns false when the same event already gave one (replays are idempotent). */
  add(fact: TimedFact<V>): boolean {
    let lo = 0;
    let hi = this.facts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareFacts(this.facts[mid]!, fact) < 0) lo = mid + 1;
      else hi = mid;
    }
    const at = this.facts[lo];
    if (at && at.atMs === fact.atMs && at.eventId === fact.eventId) return false;
    this.facts.splice(lo, 0, fact);
    return true;
  }

  /** The fact in force at an instant. */
  at(ms: number): TimedFact<V> | undefined {
    let chosen: TimedFact<V> | undefined;
    for (const fact of this.facts) {
      if (fact.atMs <= ms) chosen = fact;
      else break;
    }
    return chosen ?? this.facts[0];
  }

  /** The last fact at or before an instant, else the first after it, with which side it came from. */
  around(ms: number): { fact: TimedFact<V>; seen: 'before' | 'after' } | undefined {
    const fact = this.at(ms);
    if (!fact) return undefined;
    return { fact, seen: fact.atMs <= ms ? 'before' : 'after' };
  }

  /** Drops facts older than the horizon except the newest of them, which still answers "last seen before". */
  prune(horizonMs: number): void {
    let keepFrom = 0;
    while (keepFrom + 1 < this.facts.length && this.facts[keepFrom + 1]!.atMs < horizonMs) keepFrom++;
    if (keepFrom > 0) this.facts.splice(0, keepFrom);
  }

  /** The facts in time order (a copy). */
  list(): TimedFact<V>[] {
    return [...this.facts];
  }

  get size(): number {
    return this.facts.length;
  }
}

function compareFacts<V>(a: TimedFact<V>, b: TimedFact<V>): number {
  if (a.atMs !== b.atMs) return a.atMs - b.atMs;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}
