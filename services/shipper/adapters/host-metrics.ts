import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildDomstatsRecords, buildHostCpuRecord, type HostMetricsKind } from '../core/host-metrics-records.js';

// The host metrics input (issue 15): every `intervalMs`, runs `virsh domstats --vcpu --cpu-total --raw` and reads
// /proc/pressure/cpu, /proc/stat and /proc/loadavg, and hands their text to `emit` as records of format
// `domstats` (one per domain block, one for the host). The parser turns two consecutive samples into rates, so
// the records of one kind must reach it through one source (one hw-path per kind). A failing virsh (libvirtd
// down, no permission) or a missing /proc file costs that part of one round, never the input: the error is
// reported through `onError` and the next round tries again.

export interface HostMetricsOptions {
  readonly intervalMs: number;
  /** The virsh command line; default `virsh -c qemu:///system domstats --vcpu --cpu-total --raw`. */
  readonly virsh?: readonly string[];
  /** Root of the proc files (tests point it at a folder). */
  readonly procRoot?: string;
  /** A virsh run longer than this is killed (its round emits no domstats records). */
  readonly commandTimeoutMs?: number;
  /** Sampling clock; Date.now by default. */
  readonly now?: () => number;
  readonly onError?: (what: string, error: unknown) => void;
}

export const DEFAULT_VIRSH = ['virsh', '-c', 'qemu:///system', 'domstats', '--vcpu', '--cpu-total', '--raw'] as const;

export interface HostMetricsInput {
  /** Runs one round now (also what the timer runs); resolves when its records were emitted. */
  sampleOnce(): Promise<void>;
  stop(): Promise<void>;
}

function run(command: readonly string[], timeoutMs: number): Promise<string> {
  const [file, ...args] = command;
  return new Promise((resolve, reject) => {
    execFile(file ?? 'virsh', args, { timeout: timeoutMs, maxBuffer: 64 << 20, encoding: 'utf8' }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
}

async function readOptional(path: string, onError: (what: string, error: unknown) => void): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    // ENOENT / EOPNOTSUPP on /proc/pressure/cpu is a kernel without PSI: expected, not worth a report.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EOPNOTSUPP') onError(`read ${path}`, error);
    return undefined;
  }
}

/** `sampledMs` is the round's sampling instant (the stamp the record starts with). */
export function startHostMetricsInput(options: HostMetricsOptions, emit: (record: string, kind: HostMetricsKind, sampledMs: number) => void): HostMetricsInput {
  if (!(options.intervalMs >= 1000)) throw new RangeError(`host metrics intervalMs must be at least 1000, got ${options.intervalMs}`);
  const now = options.now ?? Date.now;
  const procRoot = options.procRoot ?? '/proc';
  const virsh = options.virsh ?? DEFAULT_VIRSH;
  const timeoutMs = options.commandTimeoutMs ?? Math.max(1000, options.intervalMs - 500);
  const onError = options.onError ?? (() => undefined);
  let running: Promise<void> | undefined;
  let stopped = false;

  const round = async (): Promise<void> => {
    const sampledMs = now();
    const [domstats, pressure, stat, loadavg] = await Promise.all([
      run(virsh, timeoutMs).catch((error: unknown) => {
        onError('virsh domstats', error);
        return undefined;
      }),
      readOptional(join(procRoot, 'pressure', 'cpu'), onError),
      readOptional(join(procRoot, 'stat'), onError),
      readOptional(join(procRoot, 'loadavg'), onError),
    ]);
    if (stopped) return;
    const host = buildHostCpuRecord(sampledMs, { ...(pressure !== undefined ? { pressure } : {}), ...(stat !== undefined ? { stat } : {}), ...(loadavg !== undefined ? { loadavg } : {}) });
    if (host) emit(host, 'host-cpu', sampledMs);
    if (domstats !== undefined) for (const record of buildDomstatsRecords(sampledMs, domstats)) emit(record, 'domstats', sampledMs);
  };

  const sampleOnce = (): Promise<void> => {
    // Rounds never overlap: a slow virsh delays the next round rather than stacking processes.
    running ??= round().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => void sampleOnce(), options.intervalMs);
  timer.unref();
  void sampleOnce();
  return {
    sampleOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
