import { hostWideEvents, round2, type DiagnosisRule } from './rule.js';

// `INFO: task qemu-system-x86:1234 blocked for more than 120 seconds.`: a host task stuck in uninterruptible
// sleep, usually on storage; a blocked qemu thread freezes the guest's I/O or vCPU.

export const hostHungTask: DiagnosisRule = {
  code: 'host-hung-task',
  description: 'the hypervisor kernel reported a hung (blocked) task in the window',
  evaluate(ctx) {
    const hung = hostWideEvents(ctx, 'hung-task').concat(ctx.events.filter((e) => e.libvirt?.domain?.name === ctx.domain && e.event.action === 'hung-task'));
    if (hung.length === 0) return undefined;
    const tasks = [...new Set(hung.map((e) => e.linux?.kernel?.task).filter((t): t is string => !!t))].sort();
    const vmTask = tasks.some((t) => /qemu|kvm/i.test(t));
    return {
      confidence: round2(0.5 + (vmTask ? 0.15 : 0) + (hung.length > 1 ? 0.05 : 0)),
      summary: `${ctx.hypervisor} reported blocked task(s)${tasks.length ? ` ${tasks.join(', ')}` : ''} around the hang`,
      remediation: "Check the host's storage path for the domain's disks (multipath, NFS/Ceph, disk errors in the host log); consider cache='none' io='native' and moving the image off the slow pool.",
    };
  },
};
