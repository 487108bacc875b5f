import { open } from 'node:fs/promises';
import type { RawRecord } from '../../../shared/raw-record.js';
import type { Logger } from '../../../shared/logger.js';
import type { MetricsRegistry } from '../../../shared/metrics.js';
import { readArtefactRecords } from '../../parser/adapters/read-artefact-records.js';
import { FINGERPRINT_BYTES, fingerprintHead } from '../core/fingerprint.js';
import { artefactVersionKey, isArtefactSettled, type ArtefactPosition, type ArtefactSighting } from '../core/artefact-positions.js';
import type { InputConfig } from '../core/file-config.js';
import { buildRawRecord } from '../core/raw-message.js';
import type { OutRecord } from '../core/send-queue.js';
import type { FoundFile } from './scan-inputs.js';

// Ships guest artefacts (EVTX files, crash dump headers; issue 10) found by the shipper's inputs: one reading per
// file version (core/artefact-positions.ts), records queued like tailed lines, each saying how many records of
// its version are done once Kafka acknowledged it. Reading is pulled a bounded number of records per pass, so an
// EVTX of 100k records shares the queue with the tailed logs and stops under backpressure like them.

interface Entry {
  readonly id: number;
  readonly key: string;
  readonly fingerprint: string;
  readonly size: number;
  readonly mtimeMs: number;
  path: string;
  acked: number;
  /** Records the reading produced, once it finished. */
  total: number | undefined;
  seenAt: number;
  job: Job | null;
}

interface Job {
  readonly iterator: AsyncGenerator<RawRecord>;
  readonly input: InputConfig;
  /** Records taken from the reader so far (skipped ones included). */
  read: number;
  readonly skip: number;
}

export interface ArtefactShippingOptions {
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  readonly once: boolean;
  readonly settleMs: number;
  readonly oversizeHeadBytes: number;
  readonly nextId: () => number;
  readonly pushRecord: (record: OutRecord) => void;
  readonly pushMark: (id: number, records: number) => void;
}

/** Records taken from one artefact per reader pass (an EVTX record's XML is ~1-4 KiB). */
const RECORDS_PER_STEP = 512;

export class ArtefactShipping {
  private readonly byKey = new Map<string, Entry>();
  private readonly byId = new Map<number, Entry>();
  private readonly sightings = new Map<string, ArtefactSighting & { key?: string }>();
  private readonly shipped;

  constructor(private readonly options: ArtefactShippingOptions) {
    this.shipped = options.metrics.counter('hangwatch_shipper_artefacts_total', 'Guest artefact versions (EVTX, dump) read to their end');
  }

  load(saved: readonly ArtefactPosition[]): void {
    for (const p of saved) {
      const entry: Entry = { ...p, id: this.options.nextId(), key: artefactVersionKey(p), acked: p.records, total: p.done ? p.records : undefined, job: null };
      this.byKey.set(entry.key, entry);
      this.byId.set(entry.id, entry);
    }
  }

  get active(): boolean {
    for (const entry of this.byId.values()) if (entry.job) return true;
    return false;
  }

  /** A file a scan found: starts reading it when its version is new (or unfinished) and it has stopped changing. */
  async consider(found: FoundFile, input: InputConfig, format: 'evtx' | 'dump', now: number): Promise<void> {
    const where = `${found.dev}:${found.ino}`;
    const last = this.sightings.get(where);
    const same = last !== undefined && last.size === found.size && last.mtimeMs === found.mtimeMs;
    const sighting: ArtefactSighting & { key?: string } = same ? last : { size: found.size, mtimeMs: found.mtimeMs, since: now };
    this.sightings.set(where, sighting);
    let key = sighting.key;
    if (key !== undefined) {
      const known = this.byKey.get(key);
      if (known) known.seenAt = now;
      if (known && (known.job || known.total !== undefined)) return;
    }
    if (!isArtefactSettled(sighting, now, this.options.settleMs, this.options.once)) return;
    const fingerprint = await readFingerprint(found.path);
    if (fingerprint === undefined) return;
    key = artefactVersionKey({ fingerprint, size: found.size, mtimeMs: found.mtimeMs });
    sighting.key = key;
    let entry = this.byKey.get(key);
    if (entry && (entry.job || entry.total !== undefined)) {
      entry.seenAt = now;
      return;
    }
    if (!entry) {
      entry = { id: this.options.nextId(), key, fingerprint, size: found.size, mtimeMs: found.mtimeMs, path: found.path, acked: 0, total: undefined, seenAt: now, job: null };
      this.byKey.set(key, entry);
      this.byId.set(entry.id, entry);
    }
    entry.path = found.path;
    entry.seenAt = now;
    const iterator = readArtefactRecords({ path: found.path, host: input.host, created: new Date(now).toISOString(), format });
    entry.job = { iterator, input, read: 0, skip: entry.acked };
    this.options.logger.info({ path: found.path, format, records_done: entry.acked, fingerprint, input: input.name }, `reading guest artefact (${entry.acked > 0 ? 'resumed' : 'new version'})`);
  }

  /** Reads some records of every active artefact; false when none is active. `full` says the queue is full. */
  async step(full: () => boolean): Promise<boolean> {
    let busy = false;
    for (const entry of this.byId.values()) {
      const job = entry.job;
      if (!job) continue;
      busy = true;
      for (let n = 0; n < RECORDS_PER_STEP && !full(); n++) {
        let next: IteratorResult<RawRecord>;
        try {
          next = await job.iterator.next();
        } catch (error) {
          // An unreadable artefact (deleted meanwhile, permission) costs only itself; the next scan tries again.
          this.options.logger.warn({ path: entry.path, err: error }, 'cannot read a guest artefact; will try again at the next scan');
          entry.job = null;
          this.forgetSighting(entry.key);
          break;
        }
        if (next.done) {
          entry.total = job.read;
          entry.job = null;
          this.shipped.inc();
          this.options.pushMark(entry.id, job.read);
          this.options.logger.info({ path: entry.path, records: job.read, skipped: job.skip }, 'guest artefact read to its end');
          break;
        }
        job.read++;
        if (job.read <= job.skip) continue;
        const record = next.value;
        const meta = { host: record.host, path: record.path, format: record.format, fingerprint: record.fingerprint, mtime: record.mtime ?? new Date(entry.mtimeMs).toISOString() };
        this.options.pushRecord(buildRawRecord(meta, { offset: record.offset, bytes: Buffer.from(record.bytes.buffer, record.bytes.byteOffset, record.bytes.byteLength) }, record.created, this.options.oversizeHeadBytes, { fileId: entry.id, resumeAt: job.read }));
      }
    }
    return busy;
  }

  /** Kafka acknowledged records of artefact `id` up to `records`; false when `id` is not an artefact. */
  acknowledge(id: number, records: number): boolean {
    const entry = this.byId.get(id);
    if (!entry) return false;
    entry.acked = Math.max(entry.acked, records);
    return true;
  }

  snapshot(now: number, forgetAfterMs: number): ArtefactPosition[] {
    const out: ArtefactPosition[] = [];
    for (const [id, e] of this.byId) {
      if (e.job) e.seenAt = now;
      if (now - e.seenAt > forgetAfterMs) {
        this.byId.delete(id);
        this.byKey.delete(e.key);
        continue;
      }
      out.push({ fingerprint: e.fingerprint, size: e.size, mtimeMs: e.mtimeMs, path: e.path, records: e.acked, done: e.total !== undefined && e.acked >= e.total, seenAt: e.seenAt });
    }
    return out;
  }

  async close(): Promise<void> {
    for (const entry of this.byId.values()) {
      if (!entry.job) continue;
      const job = entry.job;
      entry.job = null;
      await job.iterator.return(undefined).catch(() => undefined);
    }
  }

  private forgetSighting(key: string): void {
    for (const [where, s] of this.sightings) if (s.key === key) this.sightings.delete(where);
  }
}

async function readFingerprint(path: string): Promise<string | undefined> {
  try {
    const handle = await open(path, 'r');
    try {
      const head = Buffer.alloc(FINGERPRINT_BYTES);
      const { bytesRead } = await handle.read(head, 0, FINGERPRINT_BYTES, 0);
      // Same rule as readArtefactRecords, so the version key and the records' fingerprint agree.
      return fingerprintHead(head.subarray(0, bytesRead), true) ?? 'empty';
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}
