import { ownEvents, round2, type DiagnosisRule } from './rule.js';

// The qemu process went away while the guest should have been running: a kill signal nobody asked for,
// reason=crashed, or an EOF on the monitor that the guest's next boot confirms as an unexpected shutdown.

export const qemuProcessExit: DiagnosisRule = {
  code: 'qemu-process-exit',
  description: 'the qemu process exited abnormally (or unexpectedly) at the hang',
  evaluate(ctx) {
    const exits = ownEvents(ctx, 'vm-terminated-signal', 'vm-shutdown', 'monitor-eof').filter((e) => ctx.signals.includes(e));
    if (ctx.kind !== 'qemu-exit' && exits.length === 0) return undefined;
    const signal = exits.map((e) => e.qemu?.signal?.number).find((n) => n !== undefined);
    const reason = exits.map((e) => e.qemu?.shutdown?.reason).find((r) => r !== undefined);
    const how = signal !== undefined ? `killed by signal ${signal}` : reason ? `shut down with reason=${reason}` : 'exited (monitor EOF)';
    return {
      confidence: round2(ctx.kind === 'qemu-exit' ? 0.6 : 0.4),
      summary: `${ctx.domain}'s qemu process ${how} while the guest was running`,
      remediation: 'Find who ended the process: the host OOM killer (dmesg), an operator or tool (virsh destroy, audit log for the sending pid), or a qemu crash (core dump, abrt/systemd-coredump).',
    };
  },
};
