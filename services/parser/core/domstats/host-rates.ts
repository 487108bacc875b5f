import type { HostCounters } from './domstats-memo.js';
import type { HostSample } from './samples.js';

// Host CPU figures from two samples of /proc/pressure/cpu, /proc/stat and /proc/loadavg:
//   PSI (Documentation/accounting/psi.rst): `some` = share of wall time at least one runnable task waited for a
//     CPU; avg10/60/300 are the kernel's own running averages (percent), `total` a stall counter in us, here
//     turned into ms of stall per second of the interval. RHEL 8 kernels ship PSI off (boot with psi=1).
//   /proc/stat `cpu` (proc(5)): user nice system idle iowait irq softirq steal guest guest_nice, in jiffies;
//     guest time is already inside user, so the total is the first eight. steal_pct = steal / total: non-zero
//     only when this host is itself a guest (nested virtualization, a cloud instance).
//   /proc/loadavg: the fourth field's numerator is the number of runnable scheduling entities now: the run queue.

export interface HostFigures {
  usage?: number;
  steal_pct?: number;
  pressure_some_avg10?: number;
  pressure_some_avg60?: number;
  pressure_some_avg300?: number;
  pressure_full_avg10?: number;
  pressure_some_ms_per_s?: number;
  runqueue?: number;
  count?: number;
  load_1?: number;
  interval_ms?: number;
}

function bigs(numbers: readonly string[] | undefined): bigint[] {
  return (numbers ?? []).map((n) => BigInt(n));
}

export function readHostCounters(sample: HostSample): HostCounters {
  const total = sample.pressure.some?.total;
  const cpu = bigs(sample.proc.get('cpu'));
  let counters: HostCounters = { timeMs: sample.time.ms, ...(total !== undefined ? { psiSomeTotalUs: BigInt(Math.round(total)) } : {}) };
  if (cpu.length >= 4) {
    const first8 = cpu.slice(0, 8);
    const sum = first8.reduce((a, b) => a + b, 0n);
    const idle = (cpu[3] ?? 0n) + (cpu[4] ?? 0n);
    counters = { ...counters, cpu: { total: sum, idle, steal: cpu[7] ?? 0n } };
  }
  return counters;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

export function computeHostFigures(previous: HostCounters, current: HostCounters, sample: HostSample): HostFigures {
  const intervalMs = current.timeMs - previous.timeMs;
  const out: HostFigures = { interval_ms: intervalMs };
  const some = sample.pressure.some;
  if (some?.avg10 !== undefined) out.pressure_some_avg10 = some.avg10;
  if (some?.avg60 !== undefined) out.pressure_some_avg60 = some.avg60;
  if (some?.avg300 !== undefined) out.pressure_some_avg300 = some.avg300;
  if (sample.pressure.full?.avg10 !== undefined) out.pressure_full_avg10 = sample.pressure.full.avg10;
  if (previous.psiSomeTotalUs !== undefined && current.psiSomeTotalUs !== undefined && current.psiSomeTotalUs >= previous.psiSomeTotalUs) {
    // us of stall -> ms (/1000), per second of interval (*1000/intervalMs): delta / intervalMs.
    out.pressure_some_ms_per_s = round2(Number(current.psiSomeTotalUs - previous.psiSomeTotalUs) / intervalMs);
  }
  if (previous.cpu && current.cpu && current.cpu.total > previous.cpu.total) {
    const dTotal = Number(current.cpu.total - previous.cpu.total);
    const dIdle = Number(current.cpu.idle - previous.cpu.idle);
    const dSteal = Number(current.cpu.steal - previous.cpu.steal);
    out.usage = Math.round(Math.min(1, Math.max(0, (dTotal - dIdle) / dTotal)) * 1000) / 1000;
    out.steal_pct = round2(Math.max(0, (dSteal / dTotal) * 100));
  }
  const cpus = [...sample.proc.keys()].filter((k) => /^cpu\d+$/.test(k)).length;
  if (cpus > 0) out.count = cpus;
  const running = sample.loadavg?.running ?? Number(sample.proc.get('procs_running')?.[0] ?? NaN);
  if (Number.isInteger(running)) out.runqueue = running;
  if (sample.loadavg) out.load_1 = sample.loadavg.load1;
  return out;
}
