import { dirname, join } from 'node:path';
import { stat } from 'node:fs/promises';
import type { Logger } from '../../../shared/logger.js';
import type { MetricsRegistry } from '../../../shared/metrics.js';
import type { InputConfig, ShipperConfig } from '../core/file-config.js';
import { artefactFormatOf } from '../core/artefact-positions.js';
import { fingerprintPrefix, fingerprintSpan } from '../core/fingerprint.js';
import { createFramer, framingFor, type Frame } from '../core/framing.js';
import type { ArtefactPosition } from '../core/artefact-positions.js';
import { missedRotations } from '../core/missed-rotations.js';
import { splitFilePattern } from '../core/name-pattern.js';
import { matchPosition, prunePositions, type JournalPosition, type Position } from '../core/positions.js';
import { createRawRecordBuilder } from '../core/raw-message.js';
import { SendQueue, type OutRecord } from '../core/send-queue.js';
import { buildStatus, type StatusSample } from '../core/status-line.js';
import { decideTail, type TailPolicy } from '../core/tail-decision.js';
import { ArtefactShipping } from './artefact-shipping.js';
import { JournaldShipping } from './journald-shipping.js';
import { findByInode, listRotatedSiblings, scanInput } from './scan-inputs.js';
import { loadPositions, savePositions } from './state-file.js';
import { TailedFile } from './tailed-file.js';

// The shipper's loop: a reader that scans inputs, tails files and queues framed records (pausing when the queue is
// full), and a sender that ships the queue in order and, once Kafka acknowledged a batch, advances and fsyncs the
// read positions (at-least-once: a crash re-sends at most what was not yet acknowledged and saved).

export interface RecordSender {
  send(records: readonly OutRecord[], queued: number): Promise<void>;
  readonly reachable: boolean;
}

export interface ShipperRuntimeOptions {
  readonly config: ShipperConfig;
  readonly sender: RecordSender;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  /** `ship --once`: ship what exists, then resolve `done`. */
  readonly once: boolean;
  readonly spoolPath: (input: InputConfig) => string;
  /** Bytes shipped so far, for a progress bar. */
  readonly onProgress?: (bytes: number) => void;
}

/** A file known by content: its position, open or not. */
interface FileRecord {
  readonly id: number;
  readonly fingerprint: string;
  readonly fpLength: number;
  dev: number;
  ino: number;
  path: string;
  acked: number;
  emitted: number;
  seenAt: number;
  open: TailedFile | null;
}

export class ShipperRuntime {
  private readonly records = new Map<number, FileRecord>();
  private readonly open = new Map<string, TailedFile>();
  /** What each watched path (a `file` input without a glob) held at the last look (`dev:ino`), and when. */
  private readonly watched = new Map<string, { readonly key: string | undefined; readonly at: number }>();
  private readonly queue = new SendQueue();
  private nextId = 1;
  private passes = 0;
  private stopping = false;
  private readerDone = false;
  private lastScanAt = -Infinity;
  private scannedOnce = false;
  private wakeReader: (() => void) | null = null;
  private wakeSender: (() => void) | null = null;
  private readonly policy: TailPolicy;
  private loops: Promise<void>[] = [];
  /** The save of the last acknowledged batch's positions, if still running (at most one). */
  private saving: Promise<void> = Promise.resolve();
  private shippedRecords = 0;
  private shippedBytes = 0;
  private statusTimer: NodeJS.Timeout | null = null;
  private lastSample: StatusSample = { at: Date.now(), records: 0, bytes: 0 };
  private readonly m;
  private readonly artefacts: ArtefactShipping;
  private readonly journals: JournaldShipping;

  constructor(private readonly options: ShipperRuntimeOptions) {
    const { config, metrics } = options;
    this.artefacts = new ArtefactShipping({
      logger: options.logger,
      metrics,
      once: options.once,
      settleMs: config.read.flushTimeoutMs,
      oversizeHeadBytes: config.read.oversizeHeadBytes,
      nextId: () => this.nextId++,
      pushRecord: (record) => this.queue.pushRecord(record),
      pushMark: (id, records) => this.queue.pushMark(id, records),
    });
    this.journals = new JournaldShipping({
      inputs: config.inputs.filter((i) => i.type === 'journald'),
      logger: options.logger,
      metrics,
      once: options.once,
      nextId: () => this.nextId++,
      pushRecord: (record) => this.queue.pushRecord(record),
      pushMark: (id, seq) => this.queue.pushMark(id, seq),
      wake: () => this.wakeReader?.(),
    });
    this.policy = { rotatedGraceMs: config.read.rotatedGraceMs, flushTimeoutMs: config.read.flushTimeoutMs, final: options.once };
    this.m = {
      records: metrics.counter('hangwatch_shipper_records_total', 'Records acknowledged by Kafka'),
      bytes: metrics.counter('hangwatch_shipper_bytes_total', 'File bytes whose records Kafka acknowledged'),
      oversize: metrics.counter('hangwatch_shipper_oversize_records_total', 'Records longer than read.max_record_bytes, shipped cut for the dead letter'),
      rotations: metrics.counter('hangwatch_shipper_file_events_total', 'Files opened, closed after rotation or deletion, and truncated'),
      files: metrics.gauge('hangwatch_shipper_open_files', 'Files being tailed'),
      lag: metrics.gauge('hangwatch_shipper_lag_bytes', 'Bytes in tailed files not yet acknowledged by Kafka'),
      queued: metrics.gauge('hangwatch_shipper_queued_bytes', 'Bytes read and waiting for Kafka'),
    };
  }

  /** Loads positions and starts the reader and sender; `done` resolves when --once finished or after stop(). */
  async start(): Promise<{ readonly done: Promise<void> }> {
    const now = Date.now();
    const saved = await loadPositions(this.options.config.stateDir, this.options.logger);
    this.artefacts.load(saved.artefacts);
    this.journals.load(saved.journals);
    for (const p of prunePositions(saved.positions, now, this.options.config.state.forgetAfterMs)) {
      const id = this.nextId++;
      this.records.set(id, { id, fingerprint: p.fingerprint, fpLength: p.fpLength, dev: p.dev, ino: p.ino, path: p.path, acked: p.offset, emitted: p.offset, seenAt: p.seenAt, open: null });
    }
    this.rememberWatchedPaths();
    await this.openRotatedSiblings(now);
    if (this.options.config.statusIntervalMs > 0 && !this.options.once) {
      this.statusTimer = setInterval(() => this.logStatus(), this.options.config.statusIntervalMs);
      this.statusTimer.unref();
    }
    this.journals.start();
    this.loops = [this.readLoop(), this.sendLoop()];
    const done = Promise.all(this.loops).then(async () => {
      await this.saveNow();
      for (const file of this.open.values()) await file.close();
      await this.artefacts.close();
      await this.journals.stop();
    });
    return { done };
  }

  /** Stops reading; the sender gets `drainMs` to ship what is queued, then positions are saved. */
  async stop(): Promise<void> {
    this.stopping = true;
    // journalctl is stopped first: what it already printed is queued and gets the drain time like file records.
    await this.journals.stop();
    this.wakeReader?.();
    this.wakeSender?.();
    if (this.statusTimer) clearInterval(this.statusTimer);
  }

  /** A record from a source without a file (host metrics): queued unless the queue is over its budget. */
  offerRecord(record: OutRecord): boolean {
    if (this.stopping || this.queue.bytes >= this.options.config.read.maxBufferedBytes) return false;
    this.queue.pushRecord(record);
    this.wakeSender?.();
    return true;
  }

  get ready(): boolean {
    return this.options.sender.reachable;
  }

  /** Bytes in tailed files not yet acknowledged (the lag of the status line and /metrics). */
  lagBytes(): number {
    let lag = 0;
    for (const file of this.open.values()) {
      const record = file.recordId === undefined ? undefined : this.records.get(file.recordId);
      lag += Math.max(0, file.size - (record?.acked ?? 0));
    }
    return lag;
  }

  /** Total bytes of the files open now (the denominator of `ship --once`'s progress bar). */
  openBytes(): number {
    let total = 0;
    for (const file of this.open.values()) total += file.size;
    return total;
  }

  private async readLoop(): Promise<void> {
    try {
      while (!this.stopping) {
        const now = Date.now();
        if (now - this.lastScanAt >= this.options.config.read.scanIntervalMs) {
          await this.scan(now);
          this.lastScanAt = now;
          this.scannedOnce = true;
        }
        const busy = await this.readPass();
        if (this.journals.failure) throw this.journals.failure;
        if (this.options.once && !busy && this.scannedOnce && !this.journals.active) break;
        if (this.queue.bytes >= this.options.config.read.maxBufferedBytes) await this.waitForReader(this.options.config.read.pollIntervalMs);
        else if (!busy) await this.waitForReader(this.options.config.read.pollIntervalMs);
      }
    } finally {
      this.readerDone = true;
      this.wakeSender?.();
    }
  }

  /** One pass over the open files; true when something was read or changed. Rotated files go first. */
  private async readPass(): Promise<boolean> {
    let busy = false;
    // Rotated files first (finish the old, then the new); otherwise round-robin, so under backpressure the first
    // file does not take every free slot of the queue.
    const all = [...this.open.values()];
    const start = all.length > 0 ? this.passes++ % all.length : 0;
    const files = [...all.slice(start), ...all.slice(0, start)].sort((a, b) => Number(a.reachable) - Number(b.reachable));
    for (const file of files) {
      if (this.stopping) break;
      // Read a file up to 8 chunks per pass so one busy file does not starve the others.
      for (let i = 0; i < 8; i++) {
        if (this.queue.bytes >= this.options.config.read.maxBufferedBytes) return true;
        const acted = await this.step(file);
        if (acted === 'wait') break;
        busy = true;
        if (acted === 'closed') break;
      }
    }
    const full = (): boolean => this.queue.bytes >= this.options.config.read.maxBufferedBytes;
    if (this.journals.step(full)) {
      busy = true;
      this.wakeSender?.();
    }
    if (!this.stopping && (await this.artefacts.step(full))) {
      busy = true;
      this.wakeSender?.();
    }
    this.m.files.set(undefined, this.open.size);
    this.m.queued.set(undefined, this.queue.bytes);
    return busy;
  }

  private async step(file: TailedFile): Promise<'wait' | 'acted' | 'closed'> {
    const now = Date.now();
    let seen;
    try {
      seen = await file.observe(now);
    } catch (error) {
      this.options.logger.warn({ path: file.path, err: error }, 'cannot stat an open file; closing it');
      await this.closeFile(file);
      return 'closed';
    }
    const record = file.recordId === undefined ? undefined : this.records.get(file.recordId);
    const action = decideTail(
      { readOffset: file.readOffset, lastGrowthAt: file.lastGrowthAt, hasFingerprint: record !== undefined, buffered: file.buffered, framing: file.framing },
      seen,
      this.policy,
    );
    switch (action.kind) {
      case 'wait':
        return 'wait';
      case 'truncated': {
        this.options.logger.info({ path: file.path, size: seen.size, offset: file.readOffset }, 'file truncated or rewritten in place (copytruncate); reading it again from the start');
        this.m.rotations.inc({ kind: 'truncated' });
        if (record) record.open = null;
        file.reset(now);
        return 'acted';
      }
      case 'fingerprint': {
        const head = await file.readHead();
        const span = fingerprintSpan(head, action.complete);
        if (!span) return 'wait';
        this.identify(file, head, span.fingerprint, span.length, now);
        return 'acted';
      }
      case 'read': {
        // A fresh Buffer per read, sized to what the file holds beyond the read offset: line frames are views of it
        // (no copy per line), and a queued record keeps alive no more than the bytes read with it.
        const into = Buffer.allocUnsafeSlow(Math.max(1, Math.min(this.options.config.read.chunkBytes, seen.size - file.readOffset)));
        const chunk = await file.readChunk(into, now);
        if (chunk.length === 0) return 'wait';
        this.enqueue(file, record as FileRecord, (file.framer as NonNullable<TailedFile['framer']>).push(chunk));
        return 'acted';
      }
      case 'flush': {
        const frames = file.framer?.end() ?? [];
        // At the end of `ship --once` what end() gives is the file's unfinished tail (a last line without its
        // newline, an event or report not closed yet). It is shipped; but when the file changed within
        // flush_timeout_ms its writer may not be done, so the saved position stays at the tail's first byte and the
        // next run reads it again whole (same offset, same event id: the complete record replaces the partial one)
        // instead of shipping its rest as a record of its own. A settled file's tail is its end.
        const writing = this.policy.final && frames.length > 0 && now - Date.parse(file.mtime) < this.policy.flushTimeoutMs;
        this.enqueue(file, record as FileRecord, frames, writing ? (frames[0] as Frame).offset : undefined);
        return 'wait';
      }
      case 'close':
        if (record && file.framer) this.enqueue(file, record, file.framer.end());
        this.options.logger.info({ path: file.path, offset: file.readOffset }, 'rotated or deleted file read to its end; closed');
        this.m.rotations.inc({ kind: 'closed' });
        await this.closeFile(file);
        return 'closed';
    }
  }

  /** Queues frames; `holdAt`: reading resumes there however far they reach (an unfinished tail, see 'flush'). */
  private enqueue(file: TailedFile, record: FileRecord, frames: readonly Frame[], holdAt?: number): void {
    const framer = file.framer;
    if (!framer) return;
    if (frames.length > 0) {
      const meta = { host: file.input.host, path: file.path, format: file.input.format, fingerprint: record.fingerprint, mtime: file.mtime };
      const build = createRawRecordBuilder(meta, new Date().toISOString(), this.options.config.read.oversizeHeadBytes);
      for (let i = 0; i < frames.length; i++) {
        const frame = frames[i] as Frame;
        if (frame.oversize) this.m.oversize.inc();
        // Everything before the next record's first byte is emitted once this one is (blank lines in between too).
        const resumeAt = holdAt ?? frames[i + 1]?.offset ?? framer.committedOffset;
        this.queue.pushRecord(build(frame, record.id, resumeAt));
      }
      record.emitted = holdAt ?? framer.committedOffset;
    } else if (framer.committedOffset !== record.emitted) {
      record.emitted = framer.committedOffset;
      this.queue.pushMark(record.id, framer.committedOffset);
    }
    this.wakeSender?.();
  }

  /** Gives a newly fingerprinted file its position: saved (same inode or same content), a live copy, or 0. */
  private identify(file: TailedFile, head: Buffer, fingerprint: string, fpLength: number, now: number): void {
    const candidate = { dev: file.dev, ino: file.ino, size: file.size, fingerprintOf: (length: number) => fingerprintPrefix(head, length) };
    // Matching uses what was emitted: records already queued will be delivered, so a reopened or copied file
    // continues after them rather than sending them twice.
    const dormant = [...this.records.values()].filter((r) => r.open === null);
    const dormantPositions = dormant.map((r) => positionOf(r, r.emitted));
    const match = matchPosition(dormantPositions, candidate, new Set());
    const reused = match && !(match.startAt === 0 && match.position.offset > 0) ? dormant[dormantPositions.indexOf(match.position)] : undefined;
    let record: FileRecord;
    let how: string;
    if (match && reused) {
      record = reused;
      record.dev = file.dev;
      record.ino = file.ino;
      record.path = file.path;
      how = `resumed by ${match.how}`;
    } else {
      // A copy of a file that is open right now (copytruncate's copy): continue where the original's reading is.
      const live = [...this.records.values()].filter((r) => r.open !== null);
      const copy = match ? undefined : matchPosition(live.map((r) => positionOf(r, r.emitted)), candidate, new Set());
      const start = copy ? copy.startAt : 0;
      record = { id: this.nextId++, fingerprint, fpLength, dev: file.dev, ino: file.ino, path: file.path, acked: start, emitted: start, seenAt: now, open: null };
      this.records.set(record.id, record);
      how = match ? 'shorter than its saved position: from the start' : copy ? `copy of ${copy.position.path}` : 'new';
    }
    record.open = file;
    record.seenAt = now;
    file.recordId = record.id;
    file.fingerprint = record.fingerprint;
    file.fpLength = record.fpLength;
    file.readOffset = record.emitted;
    file.framer = createFramer(file.framing, this.options.config.read.maxRecordBytes, record.emitted, true);
    this.m.rotations.inc({ kind: 'opened' });
    this.options.logger.info({ path: file.path, offset: record.emitted, fingerprint: record.fingerprint, input: file.input.name }, `following file (${how})`);
  }

  private async scan(now: number): Promise<void> {
    const seen = new Set<string>();
    for (const input of this.options.config.inputs) {
      const files = await scanInput(input, this.options.spoolPath);
      await this.catchMissedRotations(input, files, now);
      for (const found of files) {
        const key = `${found.dev}:${found.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const artefact = artefactFormatOf(input, found.path);
        if (artefact) {
          await this.artefacts.consider(found, input, artefact, now);
          continue;
        }
        const existing = this.open.get(key);
        if (existing) {
          if (existing.path !== found.path) this.options.logger.info({ from: existing.path, to: found.path }, 'file renamed');
          existing.path = found.path;
          existing.reachable = true;
          continue;
        }
        await this.openFile(found.path, found.dev, found.ino, input, now);
      }
    }
    for (const [key, file] of this.open) if (!seen.has(key)) file.reachable = false;
  }

  /** Watched paths start from what the saved positions say was there (a rotation while stopped is caught too). */
  private rememberWatchedPaths(): void {
    for (const input of this.options.config.inputs) {
      if (!isWatchedPath(input)) continue;
      let latest: FileRecord | undefined;
      for (const record of this.records.values()) if (record.path === input.path && (!latest || record.seenAt > latest.seenAt)) latest = record;
      if (latest) this.watched.set(input.path, { key: `${latest.dev}:${latest.ino}`, at: latest.seenAt });
    }
  }

  /**
   * A watched path whose file changed since the last look may have held files in between that were created and
   * renamed away before this look (core/missed-rotations.ts): they are opened as rotated files and read to their end.
   */
  private async catchMissedRotations(input: InputConfig, files: readonly { readonly dev: number; readonly ino: number }[], now: number): Promise<void> {
    if (!isWatchedPath(input)) return;
    const current = files[0] ? `${files[0].dev}:${files[0].ino}` : undefined;
    const before = this.watched.get(input.path);
    this.watched.set(input.path, { key: current, at: now });
    if (!before || before.key === current) return;
    const { folder, pattern } = splitFilePattern(input.path);
    const siblings = await listRotatedSiblings(folder, pattern);
    for (const missed of missedRotations(pattern, siblings, (dev, ino) => this.open.has(`${dev}:${ino}`), before.at)) {
      const file = await this.openFile(missed.path, missed.dev, missed.ino, input, now);
      if (!file) continue;
      file.reachable = false;
      this.m.rotations.inc({ kind: 'missed' });
      this.options.logger.info({ path: missed.path, watched: input.path }, 'found a file rotated away between two scans; reading it to its end');
    }
  }

  private async openFile(path: string, dev: number, ino: number, input: InputConfig, now: number): Promise<TailedFile | undefined> {
    const file = await TailedFile.open(path, dev, ino, input, framingFor(input.format, path), now);
    if (file) this.open.set(`${dev}:${ino}`, file);
    return file;
  }

  /**
   * A file renamed while the shipper was down (libvirtd.log -> libvirtd.log.1) is outside the watched paths now;
   * find it by inode next to where it was and finish it, as if the shipper had seen the rotation.
   */
  private async openRotatedSiblings(now: number): Promise<void> {
    for (const record of this.records.values()) {
      const atPath = await stat(record.path).catch(() => undefined);
      if (atPath && atPath.dev === record.dev && atPath.ino === record.ino) continue;
      const sibling = await findByInode(dirname(record.path), record.dev, record.ino);
      if (!sibling || this.open.has(`${record.dev}:${record.ino}`)) continue;
      const input = this.options.config.inputs.find((i) =>
        i.type === 'folder' ? record.path.startsWith(`${i.path}/`) : i.type === 'file' ? dirname(i.path) === dirname(record.path) : this.options.spoolPath(i) === record.path,
      );
      if (!input) continue;
      const file = await this.openFile(sibling, record.dev, record.ino, input, now);
      if (file) {
        file.reachable = false;
        this.options.logger.info({ path: sibling, was: record.path }, 'found a file rotated while the shipper was stopped; reading it to its end');
      }
    }
  }

  private async closeFile(file: TailedFile): Promise<void> {
    const record = file.recordId === undefined ? undefined : this.records.get(file.recordId);
    if (record) {
      record.open = null;
      record.seenAt = Date.now();
    }
    this.open.delete(`${file.dev}:${file.ino}`);
    await file.close();
  }

  private async sendLoop(): Promise<void> {
    try {
      await this.sendBatches();
    } finally {
      await this.saving;
    }
  }

  private async sendBatches(): Promise<void> {
    const { kafka } = this.options.config;
    for (;;) {
      if (this.queue.isEmpty) {
        if (this.readerDone || this.stopping) return;
        await this.waitForSender(1_000);
        continue;
      }
      // Linger: let a partial batch fill up a little, unless reading is over.
      if (!this.readerDone && !this.stopping && this.queue.records < kafka.batchMaxRecords && this.queue.bytes < kafka.batchMaxBytes && kafka.lingerMs > 0) {
        await sleep(kafka.lingerMs);
      }
      const batch = this.queue.peekBatch(kafka.batchMaxRecords, kafka.batchMaxBytes);
      try {
        await this.options.sender.send(batch.records, this.queue.records);
      } catch (error) {
        if (this.stopping) return;
        throw error;
      }
      this.queue.acknowledge(batch);
      let bytes = 0;
      for (const [id, offset] of batch.positions) {
        // Artefact positions count records, not bytes: they stay out of the byte figures.
        if (this.artefacts.acknowledge(id, offset) || this.journals.acknowledge(id, offset)) continue;
        const record = this.records.get(id);
        if (!record) continue;
        bytes += Math.max(0, offset - record.acked);
        record.acked = offset;
      }
      this.shippedRecords += batch.records.length;
      this.shippedBytes += bytes;
      this.m.records.inc(undefined, batch.records.length);
      this.m.bytes.inc(undefined, bytes);
      this.options.onProgress?.(bytes);
      this.wakeReader?.();
      // state.save_while_sending: the positions are fsynced while the next batch goes out, and that batch's
      // positions are saved only after this save finished, so a crash re-sends at most two batches (the one being
      // sent and the one being saved); off, they are saved before the next batch goes out and a crash re-sends at
      // most the unacknowledged batch. Measured on the 1M-line bench: a save (two fsyncs) took 60-120 ms under
      // load, about as long as sending a batch. Saving without a bound let the saved position trail by five batches.
      await this.saving;
      this.saving = this.saveAfterAck();
      if (!this.options.config.state.saveWhileSending) await this.saving;
    }
  }

  private async saveAfterAck(): Promise<void> {
    try {
      await savePositions(this.options.config.stateDir, this.positions(), this.extraPositions());
    } catch (error) {
      this.options.logger.error({ err: error }, 'cannot save read positions; will retry after the next batch');
    }
  }

  private async saveNow(): Promise<void> {
    await savePositions(this.options.config.stateDir, this.positions(), this.extraPositions());
  }

  private extraPositions(): { artefacts: ArtefactPosition[]; journals: JournalPosition[] } {
    const now = Date.now();
    return { artefacts: this.artefacts.snapshot(now, this.options.config.state.forgetAfterMs), journals: this.journals.snapshot(now) };
  }

  private positions(): Position[] {
    const now = Date.now();
    const out: Position[] = [];
    for (const record of this.records.values()) {
      if (record.open) record.seenAt = now;
      out.push(positionOf(record, record.acked));
    }
    const kept = prunePositions(out, now, this.options.config.state.forgetAfterMs);
    if (kept.length < out.length) {
      const keep = new Set(kept.map((p) => `${p.dev}:${p.ino}:${p.fingerprint}:${p.path}`));
      for (const [id, record] of this.records) if (!record.open && !keep.has(`${record.dev}:${record.ino}:${record.fingerprint}:${record.path}`)) this.records.delete(id);
    }
    return kept;
  }

  private logStatus(): void {
    const sample = { at: Date.now(), records: this.shippedRecords, bytes: this.shippedBytes };
    const lag = this.lagBytes();
    this.m.lag.set(undefined, lag);
    const fields = buildStatus(this.lastSample, sample, this.open.size, lag, this.queue.records, this.options.sender.reachable);
    this.lastSample = sample;
    this.options.logger.info(fields, `shipping: ${fields.files} files, ${fields.lines_per_s} lines/s, lag ${fields.lag_bytes} bytes`);
  }

  private waitForReader(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeReader = () => {
        this.wakeReader = null;
        done();
      };
    });
  }

  private waitForSender(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSender = () => {
        this.wakeSender = null;
        done();
      };
    });
  }
}

/** A `file` input naming one path (no glob): the only kind whose rotations can fall between two scans unseen. */
function isWatchedPath(input: InputConfig): input is InputConfig & { readonly type: 'file'; readonly path: string } {
  return input.type === 'file' && !/[*?]/.test(splitFilePattern(input.path).pattern);
}

function positionOf(record: FileRecord, offset: number): Position {
  return { fingerprint: record.fingerprint, fpLength: record.fpLength, dev: record.dev, ino: record.ino, path: record.path, offset, seenAt: record.seenAt };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function defaultSpoolPath(stateDir: string): (input: InputConfig) => string {
  return (input) => join(stateDir, 'spool', `${input.name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80)}.log`);
}
