import type { Token } from 'moo';

// Post-processors of grammars/kernel-message.ne: what a kernel message says, as plain data.

export type KernelMessage =
  | { readonly kind: 'soft-lockup'; readonly cpu: number; readonly stuckS: number; readonly task: string }
  | { readonly kind: 'hard-lockup'; readonly cpu: number }
  | { readonly kind: 'hung-task'; readonly task: string; readonly blockedS: number }
  | { readonly kind: 'rcu-stall'; readonly cpu?: number }
  | { readonly kind: 'kvm-msr'; readonly pid?: number; readonly vcpu?: number; readonly msr: string; readonly access: 'rdmsr' | 'wrmsr' }
  | { readonly kind: 'kvm-internal-error'; readonly pid?: number }
  | { readonly kind: 'kvm-other'; readonly pid?: number }
  | { readonly kind: 'disk-error'; readonly device: string }
  | { readonly kind: 'other' };

const int = (t: Token): number => Number.parseInt(t.text, 10);

/** MSR numbers as the kernel prints them, lowercased: "0x40000101". */
function msrText(t: Token): string {
  return t.text.toLowerCase();
}

function kvmPid(head: Token): number | undefined {
  const m = /\[(\d+)\]/.exec(head.text);
  return m?.[1] ? Number(m[1]) : undefined;
}

export function buildSoftLockup(cpu: Token, stuck: Token, task: Token): KernelMessage {
  return { kind: 'soft-lockup', cpu: int(cpu), stuckS: int(stuck), task: task.text };
}

export function buildHardLockup(cpu: Token): KernelMessage {
  return { kind: 'hard-lockup', cpu: int(cpu) };
}

export function buildHungTask(task: Token, seconds: Token): KernelMessage {
  return { kind: 'hung-task', task: task.text, blockedS: int(seconds) };
}

export function buildRcuStall(cpu: Token | null): KernelMessage {
  const m = cpu ? /\d+/.exec(cpu.text) : null;
  return m ? { kind: 'rcu-stall', cpu: Number(m[0]) } : { kind: 'rcu-stall' };
}

export function buildKvmMsr(head: Token, vcpu: Token, access: Token, msr: Token): KernelMessage {
  const pid = kvmPid(head);
  return {
    kind: 'kvm-msr',
    ...(pid !== undefined ? { pid } : {}),
    vcpu: Number(vcpu.text.slice(4)),
    msr: msrText(msr),
    access: /rdmsr/i.test(access.text) ? 'rdmsr' : 'wrmsr',
  };
}

export function buildKvmOther(head: Token, emulationFailure: boolean): KernelMessage {
  const pid = kvmPid(head);
  return { kind: emulationFailure ? 'kvm-internal-error' : 'kvm-other', ...(pid !== undefined ? { pid } : {}) };
}

export function buildKvmInternalError(): KernelMessage {
  return { kind: 'kvm-internal-error' };
}

export function buildDiskError(device: Token): KernelMessage {
  return { kind: 'disk-error', device: device.text };
}

export const OTHER_MESSAGE: KernelMessage = { kind: 'other' };
