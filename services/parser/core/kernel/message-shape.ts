import type { Token } from 'moo';

// What a kernel message says, as plain data, built from the tokens grammars/kernel-message.ne places.

export type KernelMessage =
  | { readonly kind: 'soft-lockup'; readonly cpu: number; readonly stuckS: number; readonly task: string }
  | { readonly kind: 'hard-lockup'; readonly cpu: number }
  | { readonly kind: 'hung-task'; readonly task: string; readonly blockedS: number }
  /** A task dump's state line of a task in uninterruptible sleep (D): what the hung-task detector reports. */
  | { readonly kind: 'blocked-task'; readonly task: string }
  | { readonly kind: 'rcu-stall'; readonly cpu?: number }
  | { readonly kind: 'kvm-msr'; readonly pid?: number; readonly vcpu?: number; readonly msr: string; readonly access: 'rdmsr' | 'wrmsr' }
  | { readonly kind: 'kvm-internal-error'; readonly pid?: number }
  | { readonly kind: 'kvm-other'; readonly pid?: number }
  | { readonly kind: 'disk-error'; readonly device: string }
  | { readonly kind: 'other' };

export const OTHER_MESSAGE: KernelMessage = { kind: 'other' };

/** The grammar's placement of a message's tokens (grammars/kernel-message.ne). */
export interface PlacedMessage {
  readonly kind: 'soft-lockup' | 'hard-lockup' | 'hung-task' | 'rcu-stall' | 'kvm-internal-error' | 'kvm' | 'disk-error' | 'task-state' | 'old-task-state' | 'other';
  readonly cpu?: Token | null;
  readonly stuck?: Token;
  readonly task?: Token;
  readonly seconds?: Token;
  readonly head?: Token;
  readonly vcpu?: Token;
  readonly access?: Token;
  readonly msr?: Token;
  readonly emulationFailure?: boolean;
  readonly device?: Token;
  readonly rest?: Token;
}

const int = (t: Token | null | undefined): number => Number.parseInt(t?.text ?? '', 10);

function kvmPid(head: Token | undefined): number | undefined {
  const m = head ? /\[(\d+)\]/.exec(head.text) : null;
  return m?.[1] ? Number(m[1]) : undefined;
}

export function buildKernelMessage(p: PlacedMessage): KernelMessage {
  switch (p.kind) {
    case 'soft-lockup':
      return { kind: 'soft-lockup', cpu: int(p.cpu), stuckS: int(p.stuck), task: p.task?.text ?? '' };
    case 'hard-lockup':
      return { kind: 'hard-lockup', cpu: int(p.cpu) };
    case 'hung-task':
      return { kind: 'hung-task', task: p.task?.text ?? '', blockedS: int(p.seconds) };
    case 'rcu-stall': {
      const m = p.cpu ? /\d+/.exec(p.cpu.text) : null;
      return m ? { kind: 'rcu-stall', cpu: Number(m[0]) } : { kind: 'rcu-stall' };
    }
    case 'kvm-internal-error':
      return { kind: 'kvm-internal-error' };
    case 'kvm':
      return kvmMessage(p);
    case 'disk-error':
      return { kind: 'disk-error', device: p.device?.text ?? '' };
    case 'task-state':
      return taskState(p.rest?.text ?? '');
    case 'old-task-state':
      return oldTaskState(p.head?.text ?? '', p.rest?.text ?? '');
    case 'other':
      return OTHER_MESSAGE;
  }
}

function kvmMessage(p: PlacedMessage): KernelMessage {
  const pid = kvmPid(p.head);
  const withPid = pid !== undefined ? { pid } : {};
  if (p.vcpu && p.msr && p.access) {
    return {
      kind: 'kvm-msr',
      ...withPid,
      vcpu: Number(p.vcpu.text.slice(4)),
      // MSR numbers as the kernel prints them, lowercased: "0x40000101".
      msr: p.msr.text.toLowerCase(),
      access: /rdmsr/i.test(p.access.text) ? 'rdmsr' : 'wrmsr',
    };
  }
  return { kind: p.emulationFailure ? 'kvm-internal-error' : 'kvm-other', ...withPid };
}

/** "kworker/u32:2   state:D stack:13032 pid:  113 ppid:     2 flags:0x00004000" (after "task:"). */
function taskState(rest: string): KernelMessage {
  const m = /^(.+?) +state:(\w) .*?\bpid: *(\d+)/.exec(rest);
  if (!m || m[2] !== 'D') return OTHER_MESSAGE;
  return { kind: 'blocked-task', task: `${m[1] as string}:${m[3] as string}` };
}

/** "hhvm            D ffff8800b5103ca8     0  1577   1371 0x00000000": comm, state D, [pc,] free stack, pid, ppid, flags. */
function oldTaskState(head: string, rest: string): KernelMessage {
  const m = /^ *(?:[0-9a-f]{8,16} +)?\d+ +(\d+) /.exec(rest);
  const comm = head.slice(0, -3).trimEnd();
  return m ? { kind: 'blocked-task', task: `${comm}:${m[1] as string}` } : OTHER_MESSAGE;
}
