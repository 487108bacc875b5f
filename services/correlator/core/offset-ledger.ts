// Which Kafka offset is safe to commit (DESIGN.md section 9: at least once). The correlator's state is rebuilt
// on restart by replaying from the committed offset, so a partition's offset may only move past records the
// state no longer needs: those older than their hypervisor's horizon (watermark - lateness - retention).
// Learned facts outlive that horizon; they are snapshotted to the identity topic before each commit.

interface Entry {
  readonly offset: bigint;
  readonly hypervisor: string;
  /** Event time until which the record is needed (a zone-less local time may read up to 14 h early). */
  readonly neededUntilMs: number;
}

const MAX_ZONE_OFFSET_MS = 14 * 3_600_000;

export class OffsetLedger {
  private readonly pending = new Map<string, Entry[]>();
  private readonly processed = new Map<string, bigint>();

  /** Notes a consumed record (offsets in increasing order per partition). */
  note(partition: string, offset: string, hypervisor: string, tsMs: number, unresolvedZone = false): void {
    let list = this.pending.get(partition);
    if (!list) this.pending.set(partition, (list = []));
    list.push({ offset: BigInt(offset), hypervisor, neededUntilMs: unresolvedZone ? tsMs + MAX_ZONE_OFFSET_MS : tsMs });
    this.processed.set(partition, BigInt(offset));
  }

  /** Notes a record the state never keeps (a re-emitted event, a dead letter). */
  skip(partition: string, offset: string): void {
    this.processed.set(partition, BigInt(offset));
  }

  /**
   * The offset to commit (Kafka's "next to read"): the first record still needed, else one past the last
   * processed. Undefined when nothing was processed on that partition.
   */
  committable(partition: string, horizonOf: (hypervisor: string) => number): string | undefined {
    const last = this.processed.get(partition);
    if (last === undefined) return undefined;
    const list = this.pending.get(partition) ?? [];
    let drop = 0;
    while (drop < list.length && list[drop]!.neededUntilMs < horizonOf(list[drop]!.hypervisor)) drop++;
    if (drop > 0) list.splice(0, drop);
    const first = list[0];
    return String(first ? first.offset : last + 1n);
  }

  /** Records still held per partition (for the metrics). */
  held(partition: string): number {
    return this.pending.get(partition)?.length ?? 0;
  }
}
