// Records read but not yet acknowledged, in read order, with the positions they complete (issue 4: a read
// position advances only after Kafka acknowledged everything before it). Each record says where its file resumes
// once it is acknowledged, and marks ride in the queue for progress without records (blank lines), so
// acknowledging a batch yields exactly the positions that are now safe to checkpoint: a crash re-sends at most
// the unacknowledged batch, not a whole read chunk.
// Pure and bounded: the reader stops when `bytes` exceeds its budget (backpressure).

export interface OutRecord {
  /** The hypervisor host: records of a host and its guests share a partition (DESIGN.md section 2). */
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  /** Bytes this record costs in a request (value + headers + key), for batch and memory limits. */
  readonly cost: number;
  /** The file it came from and where reading resumes once it is acknowledged (the next record's first byte). */
  readonly fileId?: number;
  readonly resumeAt?: number;
}

/** Progress of a file without a record (blank lines). Records are queued as they are, without a wrapper object. */
class Mark {
  constructor(
    readonly fileId: number,
    readonly offset: number,
  ) {}
}

type Item = OutRecord | Mark;

export interface Batch {
  readonly records: readonly OutRecord[];
  readonly bytes: number;
  /** file id -> offset that becomes safe once the batch is acknowledged (the last mark per file). */
  readonly positions: ReadonlyMap<number, number>;
  /** Number of queue items the batch covers (records and marks). */
  readonly items: number;
}

export class SendQueue {
  private items: Item[] = [];
  private head = 0;
  private queuedBytes = 0;
  private queuedRecords = 0;

  get bytes(): number {
    return this.queuedBytes;
  }

  get records(): number {
    return this.queuedRecords;
  }

  get isEmpty(): boolean {
    return this.head >= this.items.length;
  }

  pushRecord(record: OutRecord): void {
    this.items.push(record);
    this.queuedBytes += record.cost;
    this.queuedRecords++;
  }

  /** Everything of `fileId` before `offset` has been pushed. */
  pushMark(fileId: number, offset: number): void {
    this.items.push(new Mark(fileId, offset));
  }

  /**
   * The next batch from the front: at most `maxRecords` records and `maxBytes` bytes (at least one record, so
   * a single big record still goes), plus the marks up to the next record. Not removed until `acknowledge`.
   */
  peekBatch(maxRecords: number, maxBytes: number): Batch {
    const records: OutRecord[] = [];
    const positions = new Map<number, number>();
    let bytes = 0;
    let lastFile: number | undefined;
    let lastOffset = 0;
    let i = this.head;
    for (; i < this.items.length; i++) {
      const item = this.items[i] as Item;
      if (!(item instanceof Mark)) {
        if (records.length >= maxRecords || (records.length > 0 && bytes + item.cost > maxBytes)) break;
        records.push(item);
        bytes += item.cost;
        // The last position per file wins: set when the file changes, not per record (a Map.set per line).
        if (item.fileId !== undefined && item.resumeAt !== undefined) {
          if (item.fileId !== lastFile && lastFile !== undefined) positions.set(lastFile, lastOffset);
          lastFile = item.fileId;
          lastOffset = item.resumeAt;
        }
      } else {
        if (lastFile !== undefined && lastFile !== item.fileId) positions.set(lastFile, lastOffset);
        lastFile = item.fileId;
        lastOffset = item.offset;
      }
    }
    if (lastFile !== undefined) positions.set(lastFile, lastOffset);
    return { records, bytes, positions, items: i - this.head };
  }

  /** Removes an acknowledged batch (the one `peekBatch` returned). */
  acknowledge(batch: Batch): void {
    this.head += batch.items;
    this.queuedBytes -= batch.bytes;
    this.queuedRecords -= batch.records.length;
    // Compact now and then rather than shift() per item (O(n) each).
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
