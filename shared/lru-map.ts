// A map that keeps at most `capacity` entries, forgetting the least recently used first: for state keyed by names
// an input chooses (a Winlogbeat channel, a peer's host or path), which would otherwise grow with every new name.
// A Map iterates in insertion order, so the first key is the least recently used once every use re-inserts its
// key; re-inserting the key used last is skipped, as consecutive records mostly come from one source.

export class LruMap<K, V> {
  private readonly entries = new Map<K, V>();
  private last: K | undefined;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`LruMap capacity must be a positive whole number, not ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value, now the most recently used. */
  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) this.touch(key, value);
    return value;
  }

  /** Sets the value as the most recently used, forgetting the least recently used beyond the capacity. */
  set(key: K, value: V): void {
    if (this.entries.has(key)) this.entries.delete(key);
    this.entries.set(key, value);
    this.last = key;
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as K;
      this.entries.delete(oldest);
    }
  }

  private touch(key: K, value: V): void {
    if (key === this.last) return;
    this.entries.delete(key);
    this.entries.set(key, value);
    this.last = key;
  }
}
