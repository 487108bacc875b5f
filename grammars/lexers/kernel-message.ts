import moo from 'moo';

// Lexer for the message of a kernel line (after the stamp and "[uptime] "). The `head` state recognizes the
// messages that matter to a hang investigation by their fixed leading words; every state ends with a `text`
// fallback so lexing never fails: a known head followed by an unexpected body makes the grammar fail, and the
// parser then keeps the line as `other` with the flag `kernel-message-unrecognized` (a line is never lost
// because the kernel reworded a message). Message texts, from the kernel sources:
//   kernel/watchdog.c       "BUG: soft lockup - CPU#%d stuck for %us! [%s:%d]" (prefix "NMI watchdog: " < 4.15,
//                           "watchdog: " after), "Watchdog detected hard LOCKUP on cpu %d"
//   kernel/hung_task.c      "INFO: task %s:%d blocked for more than %ld seconds."
//   kernel/rcu/tree_stall.h "INFO: %s self-detected stall on CPU", "INFO: %s detected stalls on CPUs/tasks:"
//                           (pr_fmt "rcu: " since 4.19; 3.x: "INFO: rcu_sched_state detected stall on CPU %d")
//   arch/x86/kvm            "kvm [%i]: vcpu%i, guest rIP: 0x%lx unhandled rdmsr: 0x%x" (vcpu_unimpl, < 5.x
//                           without the rIP), 5.x+: "kvm_amd: kvm [%i]: vcpu%i, guest rIP: 0x%lx Unhandled WRMSR(0x%x) = 0x%llx"
//   block/blk-core.c        "blk_update_request: I/O error, dev %s, sector %llu" (4.14-4.19 "print_req_error:",
//                           < 3.17 "end_request:", 5.x+ no prefix), fs/buffer.c "Buffer I/O error on dev %s, ..."
//   kernel/sched/core.c     sched_show_task(), printed for each blocked task by the hung-task detector and sysrq-w:
//                           5.10+ "task:%-15.15s state:%c stack:%5lu pid:%5d ppid:%6d flags:0x%08lx";
//                           before, "%-15.15s %c" then [" %016lx" (3.x)] "%5lu %5d %6d 0x%08lx" (2.6.32: "%-13.13s")
//   kernel/rcu/tree_exp.h   "INFO: %s detected expedited stalls on CPUs/tasks: {"

const text = { match: /[^]+/, lineBreaks: true };
const hex = /0x[0-9a-fA-F]+/;

export const kernelMessageLexer = moo.states({
  head: {
    softLockup: { match: /(?:(?:NMI )?watchdog: )?BUG: soft lockup - CPU#/, next: 'softLockup' },
    hardLockup: { match: /(?:(?:NMI )?watchdog: )?Watchdog detected hard LOCKUP on cpu /, next: 'cpu' },
    hungTask: { match: /INFO: task /, next: 'hungTask' },
    rcuStall: { match: /(?:rcu: )?INFO: rcu_\w+ (?:self-)?detected (?:expedited )?stalls? on (?:CPUs\/tasks:|CPU|tasks:)/, next: 'rcu' },
    // The state line of a task dump: only a task in uninterruptible sleep (D) is a hung task (rcu stall reports dump
    // their idle kthread the same way, `state:I`); the post-processor reads the fields.
    taskState: { match: 'task:', next: 'message' },
    // Old layout: the comm padded to exactly 15 (2.6.32: 13) columns, then the state letter.
    oldTaskState: { match: /[^\n]{13}(?:[^\n]{2})? D (?= *(?:[0-9a-f]{8,16} +)?\d+ +\d+ +\d+ 0x[0-9a-f]+\s*$)/, next: 'message' },
    kvmInternal: { match: /KVM internal error/, next: 'message' },
    // 5.x+ prefixes the module ("kvm_amd: kvm [67539]: ..."); other kvm_intel:/kvm_amd: lines stay text.
    // 6.x prints kvm.ko's own messages with its pr_fmt too ("kvm: kvm [1234]: vcpu0, ...").
    kvmPid: { match: /(?:kvm(?:_intel|_amd)?: )?kvm \[\d+\]: /, next: 'kvm' },
    kvmColon: { match: /kvm: /, next: 'kvm' },
    ioError: { match: /(?:(?:blk_update_request|print_req_error|end_request): )?I\/O error, dev |Buffer I\/O error on dev /, next: 'ioError' },
    text,
  },
  softLockup: {
    int: /\d+/,
    stuckFor: ' stuck for ',
    secondsTask: { match: 's! [', next: 'task' },
    text,
  },
  task: {
    taskPid: /[^\]]*:\d+(?=\])/,
    taskEnd: { match: ']', next: 'message' },
    text,
  },
  cpu: {
    int: { match: /\d+/, next: 'message' },
    text,
  },
  hungTask: {
    taskPid: /.+?:\d+(?= blocked for more than )/,
    blockedFor: ' blocked for more than ',
    int: /\d+/,
    seconds: { match: ' seconds.', next: 'message' },
    text,
  },
  rcu: {
    cpuList: { match: /\s*\{[\s\d]*\}/, next: 'message' },
    cpuNumber: { match: / \d+/, next: 'message' },
    text,
  },
  kvm: {
    vcpu: /vcpu\d+/,
    guestRip: /, guest rIP: 0x[0-9a-fA-F]+/,
    space: ' ',
    msrAccess: { match: /(?:unhandled|ignored|unimplemented perfctr|disabled perfctr) (?:rdmsr|wrmsr): /, next: 'msr' },
    msrCall: { match: /(?:Unhandled|Ignored) (?:RDMSR|WRMSR)\(/, next: 'msr' },
    emulationFailure: { match: 'emulation failure', next: 'message' },
    text,
  },
  msr: {
    hex: { match: hex, next: 'msrTail' },
    text,
  },
  // After the MSR number: the written value (" data 0x0" / ") = 0x0"), then anything as text.
  msrTail: {
    msrCallEnd: ')',
    dataIs: / data | = /,
    hex,
    text,
  },
  ioError: {
    device: { match: /[^\s,]+/, next: 'message' },
    text,
  },
  message: { text },
});
