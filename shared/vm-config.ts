import type { EcsEvent } from './schema/event.js';

// A qemu command line cut before its `-cpu` (a log copied while libvirt wrote it, a paste cut short) is a
// `vm-config` flagged `partial-command-line` with no `qemu.cpu` and no `qemu.hyperv`: what its enlightenments are
// is unknown, not "none". Reading it as "none" would diagnose missing Hyper-V enlightenments, or report a domain
// as exposed, from a file that never showed its CPU. The correlator and the audit both ask this first.

/** True when the vm-config says which CPU (and so which Hyper-V enlightenments) the domain ran with. */
export function configShowsCpu(event: EcsEvent): boolean {
  if (event.qemu?.cpu !== undefined || event.qemu?.hyperv !== undefined) return true;
  return !(event.hangwatch.parse.flags ?? []).includes('partial-command-line');
}
