import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { HangwatchError } from '../../../shared/errors.js';
import type { Logger } from '../../../shared/logger.js';
import type { MetricsRegistry } from '../../../shared/metrics.js';
import type { InputConfig } from '../core/file-config.js';
import { buildJournalctlArgs, buildJournalRecord, type JournalRecord } from '../core/journal-entry.js';
import type { JournalPosition } from '../core/positions.js';
import type { OutRecord } from '../core/send-queue.js';
import { buildChildEnv } from '../core/child-env.js';

// journald inputs (issue 14): `journalctl -o json [--follow]` per input, resumed with --after-cursor from the cursor
// of the last entry Kafka acknowledged (saved with the file positions after every acknowledged batch). Entries
// are queued in journal order; each carries a sequence number that maps back to its cursor once acknowledged, so
// a crash re-sends at most the unacknowledged batch. When journalctl's output is not taken fast enough (Kafka
// away) its stdout is paused and journalctl blocks on the pipe: backpressure without buffering the journal.
// In follow mode a journalctl that exits is run again after restart_delay_ms from the last entry read.

interface Pending {
  readonly entry: JournalRecord;
}

interface Reader {
  readonly id: number;
  readonly input: InputConfig;
  readonly log: Logger;
  acked: string | undefined;
  /** Cursor of the last entry read from journalctl (where a restarted journalctl continues). */
  lastRead: string | undefined;
  seq: number;
  /** Sequence number -> cursor of queued entries, in order. */
  readonly unacked: Map<number, string>;
  pending: Pending[];
  child: ChildProcess | null;
  lines: Interface | null;
  paused: boolean;
  exited: boolean;
  stderr: string;
  restartTimer: NodeJS.Timeout | null;
  seenAt: number;
}

export interface JournaldShippingOptions {
  readonly inputs: readonly InputConfig[];
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  readonly once: boolean;
  readonly nextId: () => number;
  readonly pushRecord: (record: OutRecord) => void;
  readonly pushMark: (id: number, seq: number) => void;
  /** New entries arrived: wake the reader loop. */
  readonly wake: () => void;
}

/** Entries held per input between journalctl and the send queue before its stdout is paused. */
const PENDING_HIGH = 2_000;

export class JournaldShipping {
  private readonly readers = new Map<number, Reader>();
  private stopped = false;
  private readonly entries;
  /** A journalctl of `ship --once` that failed: the run fails (it could not read its input). */
  failure: HangwatchError | undefined;

  constructor(private readonly options: JournaldShippingOptions) {
    this.entries = options.metrics.counter('hangwatch_shipper_journal_entries_total', 'journald entries read (shipped or skipped: no MESSAGE, other unit)');
    for (const input of options.inputs) {
      const id = options.nextId();
      this.readers.set(id, {
        id,
        input,
        log: options.logger.child({ input: input.name }),
        acked: undefined,
        lastRead: undefined,
        seq: 0,
        unacked: new Map(),
        pending: [],
        child: null,
        lines: null,
        paused: false,
        exited: false,
        stderr: '',
        restartTimer: null,
        seenAt: Date.now(),
      });
    }
  }

  load(saved: readonly JournalPosition[]): void {
    for (const reader of this.readers.values()) {
      const p = saved.find((s) => s.input === reader.input.name && s.file === reader.input.path);
      if (p) {
        reader.acked = p.cursor;
        reader.lastRead = p.cursor;
      }
    }
  }

  start(): void {
    for (const reader of this.readers.values()) this.run(reader);
  }

  /** Some journalctl is still running or entries wait for the queue (what `ship --once` waits for). */
  get active(): boolean {
    for (const r of this.readers.values()) if (!r.exited || r.pending.length > 0) return true;
    return false;
  }

  /** Moves read entries into the send queue while it has room; true when something moved. */
  step(full: () => boolean): boolean {
    let moved = false;
    for (const reader of this.readers.values()) {
      while (reader.pending.length > 0 && !full()) {
        const batch = reader.pending.splice(0, 256);
        for (const { entry } of batch) {
          const seq = ++reader.seq;
          reader.unacked.set(seq, entry.cursor);
          if (entry.record) this.options.pushRecord({ ...entry.record, fileId: reader.id, resumeAt: seq });
          else this.options.pushMark(reader.id, seq);
        }
        moved = true;
      }
      if (reader.paused && reader.pending.length < PENDING_HIGH / 2) {
        reader.paused = false;
        reader.lines?.resume();
      }
    }
    return moved;
  }

  /** Kafka acknowledged the entries of reader `id` up to `seq`; false when `id` is not a journald input. */
  acknowledge(id: number, seq: number): boolean {
    const reader = this.readers.get(id);
    if (!reader) return false;
    for (const [n, cursor] of reader.unacked) {
      if (n > seq) break;
      reader.acked = cursor;
      reader.unacked.delete(n);
    }
    return true;
  }

  snapshot(now: number): JournalPosition[] {
    const out: JournalPosition[] = [];
    for (const r of this.readers.values()) {
      r.seenAt = now;
      if (r.acked) out.push({ input: r.input.name, file: r.input.path, cursor: r.acked, seenAt: now });
    }
    return out;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const exits: Promise<void>[] = [];
    for (const r of this.readers.values()) {
      if (r.restartTimer) clearTimeout(r.restartTimer);
      const child = r.child;
      if (child && child.exitCode === null && child.signalCode === null) {
        exits.push(new Promise((resolve) => child.once('close', () => resolve())));
        child.kill('SIGTERM');
      }
    }
    await Promise.all(exits);
  }

  private run(reader: Reader): void {
    if (this.stopped) return;
    const [program, ...args] = buildJournalctlArgs({
      command: reader.input.journalctl,
      ...(reader.input.path ? { file: reader.input.path } : {}),
      units: reader.input.units,
      kernel: reader.input.kernel,
      follow: !this.options.once,
      ...(reader.lastRead ? { cursor: reader.lastRead } : {}),
    });
    reader.log.info({ command: [program, ...args].join(' ') }, reader.lastRead ? 'reading the journal after the saved cursor' : 'reading the journal from its start');
    reader.exited = false;
    reader.stderr = '';
    const child = spawn(program as string, args, { stdio: ['ignore', 'pipe', 'pipe'], env: buildChildEnv(process.env, { SYSTEMD_COLORS: '0' }) });
    reader.child = child;
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    reader.lines = lines;
    lines.on('line', (line) => {
      if (line === '') return;
      const entry = buildJournalRecord(line, reader.input.host, new Date().toISOString());
      if (!entry) {
        reader.log.warn({ line: line.slice(0, 200) }, 'journalctl printed a line that is not a JSON entry; skipped');
        return;
      }
      this.entries.inc();
      reader.lastRead = entry.cursor;
      reader.pending.push({ entry });
      if (!reader.paused && reader.pending.length >= PENDING_HIGH) {
        reader.paused = true;
        lines.pause();
      }
      this.options.wake();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      reader.stderr = (reader.stderr + chunk.toString('utf8')).slice(-2_000);
    });
    child.on('error', (error) => {
      reader.stderr += `\n${error.message}`;
    });
    child.on('close', (code, signal) => {
      reader.child = null;
      reader.lines = null;
      reader.paused = false;
      reader.exited = true;
      this.options.wake();
      if (this.stopped) return;
      const stderr = reader.stderr.trim();
      if (this.options.once) {
        if (code !== 0) this.failure = new HangwatchError('HW_INPUT_UNREADABLE', [reader.input.name, `journalctl exited with ${code ?? signal}${stderr ? `: ${stderr}` : ''}`]);
        return;
      }
      reader.log.warn({ code, signal, stderr: stderr.slice(-500), restart_in_ms: reader.input.restartDelayMs }, 'journalctl exited; running it again after the last entry read');
      reader.restartTimer = setTimeout(() => this.run(reader), reader.input.restartDelayMs);
    });
  }
}
