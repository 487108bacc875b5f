import type { EcsEvent } from '../../../../shared/schema/event.js';
import { WATCHDOG_BUGCHECKS } from '../../../../shared/vocabulary.js';
import type { DiagnosisRule, Finding, RuleContext } from './rule.js';

// The seed's real trigger (issue 15): a vCPU that the host does not schedule. Windows' clock watchdog bugchecks
// (0x101 CLOCK_WATCHDOG_TIMEOUT) when a secondary processor misses its clock interrupts for `timeout_ticks`
// (parameter 1: 0x61 = 97 ticks, ~1.5 s at the 15.6 ms tick); DPC_WATCHDOG_VIOLATION (0x133) is the same story for a
// DPC queue. A vCPU thread that sits in the host's run queue is such a processor. `virsh domstats` reports that
// queue time as vcpu.<n>.delay; the parser turns it into ms per second of wall time, so 1000 would be a vCPU that
// never ran. Averages hide bursts: 200 ms/s over a 10 s interval is 2 s of waiting, more than the watchdog's
// 1.5 s if it came at once; 500 ms/s means the vCPU was off its CPU half the time. Host-wide, PSI `some avg10`
// is the share of the last 10 s in which some runnable task waited for a CPU: above 40 % the host is short of
// CPUs; steal above 10 % means this host is itself a starved guest (nested virtualization).
//
// Ranking with `missing-hyperv-enlightenments` (0.6..0.9): both usually hold. The delay is the trigger; a missing
// hv_relaxed is why Windows bugchecks instead of waiting. A measured delay on the domain's own vCPU at the
// critical level right before the hang ranks first (0.95); below it, or host-wide pressure only, ranks after.

export interface CpuContentionThresholds {
  /** vCPU run-queue delay, ms per second of wall time, that counts as contention. */
  readonly vcpuDelayMsPerS: number;
  /** vCPU delay at which the watchdog is likely to fire on its own. */
  readonly vcpuDelayCriticalMsPerS: number;
  /** Host PSI cpu `some avg10`, percent. */
  readonly pressureSomeAvg10Pct: number;
  /** Host steal, percent of CPU time. */
  readonly stealPct: number;
  /** How long before the hang a sample counts ("the minutes before"). */
  readonly lookbackMs: number;
}

export const DEFAULT_CPU_CONTENTION_THRESHOLDS: CpuContentionThresholds = {
  vcpuDelayMsPerS: 200,
  vcpuDelayCriticalMsPerS: 500,
  pressureSomeAvg10Pct: 40,
  stealPct: 10,
  lookbackMs: 5 * 60_000,
};

const CONFIDENCE = { critical: 0.95, domain: 0.85, hostSevere: 0.7, host: 0.6 } as const;
/** A hang that is not a watchdog bugcheck (hard hang, qemu exit): contention is context, not the explanation. */
const NON_WATCHDOG_FACTOR = 0.5;

/** Samples whose interval began before the hang and ended no earlier than the lookback: they saw the run-up. */
function inRunUp(e: EcsEvent, hangMs: number, lookbackMs: number, intervalMs: number | undefined): boolean {
  const t = Date.parse(e['@timestamp']);
  return t >= hangMs - lookbackMs && t - (intervalMs ?? 0) <= hangMs;
}

function worst<T>(items: readonly T[], by: (x: T) => number): T | undefined {
  let best: T | undefined;
  for (const x of items) if (best === undefined || by(x) > by(best)) best = x;
  return best;
}

function secondsBefore(e: EcsEvent, hangMs: number): string {
  const s = Math.round((hangMs - Date.parse(e['@timestamp'])) / 1000);
  return s >= 0 ? `${s} s before the hang` : `in the interval that held the hang`;
}

/** Overrides the correlator may pass in ctx.thresholds (optional keys beside the iostat ones). */
function thresholdsOf(ctx: RuleContext, base: CpuContentionThresholds): CpuContentionThresholds {
  const given = ctx.thresholds as Partial<CpuContentionThresholds>;
  return {
    vcpuDelayMsPerS: given.vcpuDelayMsPerS ?? base.vcpuDelayMsPerS,
    vcpuDelayCriticalMsPerS: given.vcpuDelayCriticalMsPerS ?? base.vcpuDelayCriticalMsPerS,
    pressureSomeAvg10Pct: given.pressureSomeAvg10Pct ?? base.pressureSomeAvg10Pct,
    stealPct: given.stealPct ?? base.stealPct,
    lookbackMs: given.lookbackMs ?? base.lookbackMs,
  };
}

export function evaluateCpuContention(ctx: RuleContext, limits: CpuContentionThresholds): Finding | undefined {
  const delayed = ctx.events.filter(
    (e) =>
      e.event.action === 'vcpu-stats' &&
      e.libvirt?.domain?.name === ctx.domain &&
      (e.libvirt.vcpu?.delay_ms_per_s ?? 0) >= limits.vcpuDelayMsPerS &&
      inRunUp(e, ctx.hangMs, limits.lookbackMs, e.libvirt.vcpu?.interval_ms),
  );
  const pressed = ctx.events.filter((e) => {
    const cpu = e.host?.cpu;
    if (e.event.action !== 'host-cpu-pressure' || !cpu || e.libvirt?.domain?.name) return false;
    const over = (cpu.pressure_some_avg10 ?? 0) >= limits.pressureSomeAvg10Pct || (cpu.steal_pct ?? 0) >= limits.stealPct;
    return over && inRunUp(e, ctx.hangMs, limits.lookbackMs, cpu.interval_ms);
  });
  if (delayed.length === 0 && pressed.length === 0) return undefined;

  const worstVcpu = worst(delayed, (e) => e.libvirt!.vcpu!.delay_ms_per_s!);
  const worstHost = worst(pressed, (e) => Math.max(e.host!.cpu!.pressure_some_avg10 ?? 0, e.host!.cpu!.steal_pct ?? 0));
  const worstDelay = worstVcpu?.libvirt?.vcpu?.delay_ms_per_s ?? 0;
  const worstPsi = Math.max(0, ...pressed.map((e) => e.host!.cpu!.pressure_some_avg10 ?? 0));
  let confidence: number = worstVcpu
    ? worstDelay >= limits.vcpuDelayCriticalMsPerS
      ? CONFIDENCE.critical
      : CONFIDENCE.domain
    : worstPsi >= 2 * limits.pressureSomeAvg10Pct
      ? CONFIDENCE.hostSevere
      : CONFIDENCE.host;
  const watchdog = ctx.bugcheck?.code !== undefined && (WATCHDOG_BUGCHECKS as readonly string[]).includes(ctx.bugcheck.code);
  if (!watchdog) confidence = Math.round(confidence * NON_WATCHDOG_FACTOR * 100) / 100;

  const said: string[] = [];
  if (worstVcpu) {
    const v = worstVcpu.libvirt!.vcpu!;
    said.push(`vCPU ${v.id} of ${ctx.domain} waited ${worstDelay} ms per second for a host CPU ${secondsBefore(worstVcpu, ctx.hangMs)} (${delayed.length} sample(s) at or above ${limits.vcpuDelayMsPerS} ms/s)`);
  }
  if (worstHost) {
    const c = worstHost.host!.cpu!;
    const figures = [c.pressure_some_avg10 !== undefined ? `PSI cpu some avg10 ${c.pressure_some_avg10}%` : '', c.steal_pct ? `steal ${c.steal_pct}%` : '', c.runqueue !== undefined ? `run queue ${c.runqueue}${c.count ? ` on ${c.count} CPUs` : ''}` : '']
      .filter(Boolean)
      .join(', ');
    said.push(`${ctx.hypervisor} was short of CPU (${figures}) ${secondsBefore(worstHost, ctx.hangMs)}`);
  }
  const hang = ctx.bugcheck ? `${ctx.bugcheck.code}${ctx.bugcheck.name ? ` ${ctx.bugcheck.name}` : ''}` : ctx.kind;
  const relaxed = ctx.config?.qemu?.hyperv?.some((h) => h.replace(/^hv[_-]/, '') === 'relaxed');
  return {
    confidence,
    summary: `${hang}: ${said.join('; ')}`,
    remediation:
      `Give ${ctx.domain}'s vCPUs CPU time: reduce overcommit on ${ctx.hypervisor} (sum of running vCPUs against host threads), move busy neighbours away, ` +
      `pin the guest's vCPUs to dedicated host CPUs (<cputune><vcpupin vcpu='0' cpuset='...'/></cputune>) or raise its <cputune><shares>; ` +
      (relaxed === false || relaxed === undefined
        ? `and add <features><hyperv><relaxed state='on'/></hyperv></features> so Windows waits out a late vCPU instead of bugchecking.`
        : `hv_relaxed is on, so a delay long enough to fire the watchdog anyway means the vCPU was off its CPU for seconds.`),
  };
}

export function createHostCpuContentionRule(limits: CpuContentionThresholds = DEFAULT_CPU_CONTENTION_THRESHOLDS): DiagnosisRule {
  return {
    code: 'host-cpu-contention',
    description: 'vCPU run-queue delay (virsh domstats) or host CPU pressure (PSI, steal) above the thresholds in the minutes before the hang',
    evaluate: (ctx) => evaluateCpuContention(ctx, thresholdsOf(ctx, limits)),
  };
}

export const hostCpuContention: DiagnosisRule = createHostCpuContentionRule();
