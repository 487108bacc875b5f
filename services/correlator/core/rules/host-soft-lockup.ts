import { hostWideEvents, round2, type DiagnosisRule } from './rule.js';

// The host kernel's watchdog saw a CPU stuck (`watchdog: BUG: soft lockup - CPU#3 stuck for 22s! [qemu-kvm:1234]`):
// vCPU threads on that CPU could not run, which a guest sees as a hung processor.

export const hostSoftLockup: DiagnosisRule = {
  code: 'host-soft-lockup',
  description: 'the hypervisor kernel reported a soft lockup in the window',
  evaluate(ctx) {
    const lockups = hostWideEvents(ctx, 'soft-lockup').concat(ctx.events.filter((e) => e.libvirt?.domain?.name === ctx.domain && e.event.action === 'soft-lockup'));
    if (lockups.length === 0) return undefined;
    const vmTask = lockups.some((e) => /qemu|kvm/i.test(e.linux?.kernel?.task ?? ''));
    const longest = Math.max(...lockups.map((e) => e.linux?.kernel?.stuck_s ?? 0));
    const cpus = [...new Set(lockups.map((e) => e.linux?.kernel?.cpu).filter((c) => c !== undefined))].sort((a, b) => a - b);
    return {
      confidence: round2(0.6 + (lockups.length > 1 ? 0.1 : 0) + (vmTask ? 0.1 : 0)),
      summary: `${ctx.hypervisor} reported ${lockups.length} soft lockup(s)${cpus.length ? ` on CPU ${cpus.join(', ')}` : ''}${longest ? `, up to ${longest}s` : ''} around the hang`,
      remediation: 'Find what held the host CPU (host kernel log, perf, IRQ storms, firmware/SMI); reduce overcommit or pin vCPUs (vcpupin) away from busy host CPUs; update the host kernel.',
    };
  },
};
