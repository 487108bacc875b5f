import { hostWideEvents, ownEvents, round2, type DiagnosisRule } from './rule.js';

// `KVM internal error. Suberror: 1` in the qemu log (or the host kernel's kvm lines): KVM could not emulate
// something the guest did, and the VM stopped.

export const kvmInternalError: DiagnosisRule = {
  code: 'kvm-internal-error',
  description: 'KVM reported an internal error for the domain (or the host) in the window',
  evaluate(ctx) {
    const own = ownEvents(ctx, 'kvm-internal-error');
    const host = hostWideEvents(ctx, 'kvm-internal-error');
    if (own.length === 0 && host.length === 0) return undefined;
    return {
      confidence: round2(own.length > 0 ? 0.85 : 0.5),
      summary: `KVM internal error ${own.length > 0 ? `in ${ctx.domain}'s qemu` : `on ${ctx.hypervisor}`} around the hang`,
      remediation: 'Update the host kernel (kvm module) and QEMU; check nested virtualisation and the CPU model flags; keep the qemu log and register dump for a bug report.',
    };
  },
};
