import type { PreviousDomain, VcpuCounters } from './domstats-memo.js';

// Per-interval vCPU rates from two `virsh domstats --vcpu` samples (libvirt qemuDomainGetStatsVcpu):
//   vcpu.<n>.time   CPU time the vCPU thread ran (ns)
//   vcpu.<n>.wait   time it wanted to run but waited (ns; from /proc/<pid>/task/<tid>/sched wait_sum, 0 unless
//                   the host has kernel.sched_schedstats=1)
//   vcpu.<n>.delay  time it sat runnable in the run queue (ns; schedstat run_delay, libvirt >= 7.9; always there)
// A rate is the counter's growth in ms per second of wall time. A counter that went backwards (the domain was
// restarted, its threads are new) gives no rate for that vCPU: the next interval starts from the new value.

export interface VcpuRate {
  readonly id: number;
  readonly state?: number;
  readonly counters: VcpuCounters;
  readonly timeMsPerS?: number;
  readonly waitMsPerS?: number;
  readonly delayMsPerS?: number;
}

const VCPU_KEY = /^vcpu\.(\d+)\.(state|time|wait|delay)$/;

function bigOf(text: string): bigint | undefined {
  return /^\d+$/.test(text) ? BigInt(text) : undefined;
}

/** The vCPU counters of one domain sample, by vCPU number. */
export function readVcpuCounters(stats: ReadonlyMap<string, string>): Map<number, VcpuCounters> {
  const out = new Map<number, { state?: number; time?: bigint; wait?: bigint; delay?: bigint }>();
  for (const [key, value] of stats) {
    const m = VCPU_KEY.exec(key);
    if (!m) continue;
    const id = Number(m[1]);
    let entry = out.get(id);
    if (!entry) out.set(id, (entry = {}));
    const field = m[2] as 'state' | 'time' | 'wait' | 'delay';
    if (field === 'state') {
      const n = Number(value);
      if (Number.isInteger(n)) entry.state = n;
      continue;
    }
    const big = bigOf(value);
    if (big !== undefined) entry[field] = big;
  }
  return out;
}

/** ns of growth per second of `intervalMs`, as ms/s with two decimals; undefined when not comparable. */
export function msPerSecond(previous: bigint | undefined, current: bigint | undefined, intervalMs: number): number | undefined {
  if (previous === undefined || current === undefined || current < previous || intervalMs <= 0) return undefined;
  // ns -> ms is /1e6, per second of interval is *1000/intervalMs: delta / (1000 * intervalMs). Kept in bigint
  // until the delta, which fits a double exactly for any interval shorter than ~104 days.
  const delta = Number(current - previous);
  return Math.round((delta / (1000 * intervalMs)) * 100) / 100;
}

export function computeVcpuRates(previous: PreviousDomain, current: ReadonlyMap<number, VcpuCounters>, intervalMs: number): VcpuRate[] {
  const out: VcpuRate[] = [];
  for (const [id, now] of [...current].sort((a, b) => a[0] - b[0])) {
    const before = previous.vcpus.get(id);
    if (!before) continue;
    // Any counter that went backwards means new vCPU threads: no rate this time.
    if ((['time', 'wait', 'delay'] as const).some((k) => before[k] !== undefined && now[k] !== undefined && (now[k] as bigint) < (before[k] as bigint))) continue;
    const timeMsPerS = msPerSecond(before.time, now.time, intervalMs);
    const waitMsPerS = msPerSecond(before.wait, now.wait, intervalMs);
    const delayMsPerS = msPerSecond(before.delay, now.delay, intervalMs);
    if (timeMsPerS === undefined && waitMsPerS === undefined && delayMsPerS === undefined) continue;
    out.push({
      id,
      ...(now.state !== undefined ? { state: now.state } : {}),
      counters: now,
      ...(timeMsPerS !== undefined ? { timeMsPerS } : {}),
      ...(waitMsPerS !== undefined ? { waitMsPerS } : {}),
      ...(delayMsPerS !== undefined ? { delayMsPerS } : {}),
    });
  }
  return out;
}
