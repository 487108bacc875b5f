// Where this process wrote each event id in the last few seconds. A search only sees refreshed documents
// (refresh_interval, 1 s by default), so the copy of a re-timed event written moments ago is found here instead
// of forcing a refresh of hangwatch-events-* on every batch that holds re-emitted events: measured with 10% of
// records re-emitted, a refresh per such batch halved the indexer's rate (bench/indexer.bench.ts).
// Time is passed in (ms); buckets are per batch, dropped once older than the window.

interface Bucket {
  readonly at: number;
  readonly where: Map<string, string>;
}

export class RecentWrites {
  private buckets: Bucket[] = [];

  constructor(private readonly windowMs: number) {}

  /** Records acknowledged writes (id -> index) at time `at`. */
  note(at: number, writes: ReadonlyArray<{ readonly id: string; readonly index: string }>): void {
    this.prune(at);
    if (writes.length === 0) return;
    this.buckets.push({ at, where: new Map(writes.map((w) => [w.id, w.index])) });
  }

  /** Indices this id was written to within the window (oldest first, without repeats). */
  indicesOf(id: string, now: number): string[] {
    this.prune(now);
    const out: string[] = [];
    for (const b of this.buckets) {
      const index = b.where.get(id);
      if (index !== undefined && !out.includes(index)) out.push(index);
    }
    return out;
  }

  get size(): number {
    return this.buckets.reduce((n, b) => n + b.where.size, 0);
  }

  private prune(now: number): void {
    let drop = 0;
    while (drop < this.buckets.length && this.buckets[drop]!.at < now - this.windowMs) drop++;
    if (drop > 0) this.buckets = this.buckets.slice(drop);
  }
}
