import { isoUtc } from '../../../../shared/time.js';
import type { EventAction } from '../../../../shared/vocabulary.js';
import type { EventDraft } from '../event-draft.js';
import type { Classified } from './classify-message.js';
import type { KernelMessage } from './message-shape.js';
import type { ResolvedTime } from './resolve-time.js';

// A classified kernel line as an ECS draft (DESIGN.md section 4). Mapping choices:
// - RCU stalls and hard lockups are `soft-lockup` (flags `rcu-stall` / `hard-lockup`): all three mean a host CPU
//   stopped scheduling for many seconds, which is what starves a guest's vCPU thread and makes Windows see a
//   hung processor (CLOCK_WATCHDOG_TIMEOUT); the correlator's `host-soft-lockup` diagnosis wants all of them.
// - block-layer I/O errors are `disk-error` (vocabulary extension), evidence for `host-io-stall`.

type KernelFields = NonNullable<NonNullable<EventDraft['linux']>['kernel']>;
type ProcessFields = NonNullable<EventDraft['process']>;

export interface KernelLineFacts {
  readonly time: ResolvedTime;
  readonly hostName: string;
  readonly message: string;
  readonly uptimeMs?: number;
  /** Syslog program of a non-kernel line ("libvirtd"), with its pid. */
  readonly program?: string;
  readonly pid?: number;
  /** Absent for non-kernel lines, which are not classified. */
  readonly classified?: Classified;
  /** Severity the line carries (`kern.warn`, `<4>`, dmesg -x). */
  readonly level?: string;
  /** Parse flags of the line's form (`after-shell-prompt`, `wall-broadcast`). */
  readonly flags?: readonly string[];
}

const ERROR_ACTIONS: ReadonlySet<EventAction> = new Set(['soft-lockup', 'hung-task', 'kvm-internal-error', 'disk-error']);

/** "qemu-system-x86:4573" -> name and pid (the comm may itself contain ':' as in "kworker/3:1:123"). */
function splitTask(task: string): ProcessFields {
  const colon = task.lastIndexOf(':');
  return { name: task.slice(0, colon), pid: Number(task.slice(colon + 1)) };
}

function describe(m: KernelMessage): { action: EventAction; kernel: KernelFields; process?: ProcessFields; flag?: string } {
  switch (m.kind) {
    case 'soft-lockup':
      return { action: 'soft-lockup', kernel: { cpu: m.cpu, stuck_s: m.stuckS, task: m.task }, process: splitTask(m.task) };
    case 'hard-lockup':
      return { action: 'soft-lockup', kernel: { cpu: m.cpu }, flag: 'hard-lockup' };
    case 'rcu-stall':
      return { action: 'soft-lockup', kernel: m.cpu !== undefined ? { cpu: m.cpu } : {}, flag: 'rcu-stall' };
    case 'hung-task':
      return { action: 'hung-task', kernel: { task: m.task, stuck_s: m.blockedS }, process: splitTask(m.task) };
    case 'blocked-task':
      // The state line of a D-state task in a task dump (after `INFO: task ... blocked`, or sysrq-w's list of
      // blocked tasks): the same evidence, without the seconds; flagged so the two are told apart.
      return { action: 'hung-task', kernel: { task: m.task }, process: splitTask(m.task), flag: 'task-dump' };
    case 'kvm-msr':
      return { action: 'kvm-msr', kernel: { msr: m.msr, ...(m.vcpu !== undefined ? { vcpu: m.vcpu } : {}) }, ...(m.pid !== undefined ? { process: { pid: m.pid } } : {}) };
    case 'kvm-internal-error':
      return { action: 'kvm-internal-error', kernel: {}, ...(m.pid !== undefined ? { process: { pid: m.pid } } : {}) };
    case 'kvm-other':
      return { action: 'other', kernel: {}, ...(m.pid !== undefined ? { process: { pid: m.pid } } : {}) };
    case 'disk-error':
      return { action: 'disk-error', kernel: { device: m.device } };
    case 'other':
      return { action: 'other', kernel: {} };
  }
}

export function buildKernelDraft(facts: KernelLineFacts): EventDraft {
  const flags: string[] = facts.flags ? [...facts.flags] : [];
  let action: EventAction = 'other';
  let kernel: KernelFields = {};
  let proc: ProcessFields | undefined;
  if (facts.classified) {
    const d = describe(facts.classified.message);
    action = d.action;
    kernel = d.kernel;
    proc = d.process;
    if (d.flag) flags.push(d.flag);
    if (facts.classified.unrecognized) flags.push('kernel-message-unrecognized');
  } else if (facts.program !== undefined) {
    proc = { name: facts.program, ...(facts.pid !== undefined ? { pid: facts.pid } : {}) };
  }
  // Through integer microseconds so 18012.345678 stays 18012.345678 (not ...677999998).
  if (facts.uptimeMs !== undefined) kernel = { uptime_s: Math.round(facts.uptimeMs * 1000) / 1e6, ...kernel };
  const { time } = facts;
  const draft: EventDraft = {
    '@timestamp': isoUtc(time.ms),
    event: {
      dataset: 'linux.kernel',
      kind: 'event',
      category: ['host'],
      type: [ERROR_ACTIONS.has(action) ? 'error' : 'info'],
      action,
    },
    message: facts.message,
    host: { name: facts.hostName },
    hangwatch: {
      time: { basis: time.basis, ...(time.zone !== undefined ? { zone: time.zone } : {}), ...(time.year !== undefined ? { year: time.year } : {}) },
      parse: { grammar: 'kernel', ...(flags.length > 0 ? { flags } : {}) },
    },
  };
  if (proc) draft.process = proc;
  if (facts.level !== undefined) draft.log = { level: facts.level };
  if (Object.keys(kernel).length > 0) draft.linux = { kernel };
  return draft;
}
