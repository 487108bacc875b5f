import { createRng } from './prng.js';
import type { CleanShutdownPlan, FleetPlan, HangPlan, HostPlan, VmPlan } from './types.js';

// One VM's life over the window, derived from the plan: the qemu processes (sessions) and the Windows boots.
// Writers for qemu, kernel and guest logs all read this, so a restart shows up consistently everywhere.

export type SessionEndReason = 'shutdown' | 'destroyed' | 'crashed';

export interface QemuSession {
  startMs: number;
  pid: number;
  pts: number;
  end?: { atMs: number; reason: SessionEndReason; hang?: HangPlan };
}

export interface GuestBoot {
  bootMs: number;
  cause: 'initial' | 'clean' | 'hang';
  hang?: HangPlan;
  /** Boot time of the Windows session this boot ends (for uptimes). */
  previousBootMs?: number;
}

export interface VmTimeline {
  host: HostPlan;
  vm: VmPlan;
  vmIndex: number;
  sessions: QemuSession[];
  boots: GuestBoot[];
  hangs: HangPlan[];
  shutdowns: CleanShutdownPlan[];
}

const GUEST_BOOT_DELAY_MS = 30_000;

export function buildVmTimeline(plan: FleetPlan, host: HostPlan, vmIndex: number): VmTimeline {
  const vm = host.vms[vmIndex] as VmPlan;
  const rng = createRng(plan.options.seed).fork(`timeline-${host.name}-${vm.domain}`);
  const newSession = (startMs: number): QemuSession => ({ startMs, pid: rng.int(2000, 32_000), pts: rng.int(0, 9) });
  const hangs = plan.hangs.filter((h) => h.hypervisor === host.name && h.domain === vm.domain);
  const shutdowns = plan.cleanShutdowns.filter((c) => c.hypervisor === host.name && c.domain === vm.domain);
  const changes = [
    ...hangs.map((h) => ({ t: h.hangMs, hang: h as HangPlan | undefined, clean: undefined as CleanShutdownPlan | undefined })),
    ...shutdowns.map((c) => ({ t: c.shutdownMs, hang: undefined, clean: c as CleanShutdownPlan | undefined })),
  ].sort((a, b) => a.t - b.t);

  const sessions: QemuSession[] = [newSession(vm.initialStartMs)];
  const boots: GuestBoot[] = [{ bootMs: vm.initialStartMs + GUEST_BOOT_DELAY_MS, cause: 'initial' }];
  const current = (): QemuSession => sessions[sessions.length - 1] as QemuSession;
  const lastBoot = (): number => (boots[boots.length - 1] as GuestBoot).bootMs;
  for (const change of changes) {
    if (change.clean) {
      const c = change.clean;
      current().end = { atMs: c.shutdownMs + rng.int(2_000, 5_000), reason: 'shutdown' };
      sessions.push(newSession(c.restartMs));
      boots.push({ bootMs: c.restartMs + GUEST_BOOT_DELAY_MS, cause: 'clean', previousBootMs: lastBoot() });
      continue;
    }
    const h = change.hang as HangPlan;
    if (h.kind === 'qemu-exit') current().end = { atMs: h.hangMs + rng.int(200, 900), reason: 'crashed', hang: h };
    else if (h.destroyMs !== undefined) current().end = { atMs: h.destroyMs, reason: 'destroyed', hang: h };
    if (h.restartMs !== undefined) sessions.push(newSession(h.restartMs));
    boots.push({ bootMs: h.bootMs, cause: 'hang', hang: h, previousBootMs: lastBoot() });
  }
  return { host, vm, vmIndex, sessions, boots, hangs, shutdowns };
}

export function buildHostTimelines(plan: FleetPlan, host: HostPlan): VmTimeline[] {
  return host.vms.map((_, i) => buildVmTimeline(plan, host, i));
}
