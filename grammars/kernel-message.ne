# The message of a kernel log line (after stamp and uptime): the messages a hang investigation needs,
# everything else `other`. Lexer: grammars/lexers/kernel-message.ts (message texts and kernel sources there).
# Every rule places tokens (no values computed here), so services/parser/core/kernel/classify-message.ts runs it
# with grammars/run-shaped-grammar.ts (nearley once per token shape); services/parser/core/kernel/message-shape.ts
# reads the places.
@preprocessor typescript
@{%
import { kernelMessageLexer } from '../lexers/kernel-message.js';
%}
@lexer kernelMessageLexer

message -> %softLockup %int %stuckFor %int %secondsTask %taskPid %taskEnd %text:? {% (d) => ({ kind: 'soft-lockup', cpu: d[1], stuck: d[3], task: d[5] }) %}
         | %hardLockup %int %text:? {% (d) => ({ kind: 'hard-lockup', cpu: d[1] }) %}
         | %hungTask %taskPid %blockedFor %int %seconds %text:? {% (d) => ({ kind: 'hung-task', task: d[1], seconds: d[3] }) %}
         | %rcuStall rcuCpu:? %text:? {% (d) => ({ kind: 'rcu-stall', cpu: d[1] }) %}
         | %kvmInternal %text:? {% () => ({ kind: 'kvm-internal-error' }) %}
         | kvmHead kvmBody {% (d) => ({ kind: 'kvm', head: d[0], ...d[1] }) %}
         | %ioError %device %text:? {% (d) => ({ kind: 'disk-error', device: d[1] }) %}
         | %taskState %text {% (d) => ({ kind: 'task-state', rest: d[1] }) %}
         | %oldTaskState %text {% (d) => ({ kind: 'old-task-state', head: d[0], rest: d[1] }) %}
         | %text:? {% () => ({ kind: 'other' }) %}

rcuCpu -> %cpuList {% id %} | %cpuNumber {% id %}

kvmHead -> %kvmPid {% id %} | %kvmColon {% id %}

# The head carries the qemu pid; the body what the vCPU did.
kvmBody -> %vcpu %guestRip:? %space msrAccess %text:? {% (d) => ({ vcpu: d[0], access: d[3][0], msr: d[3][1] }) %}
         | %emulationFailure %text:? {% () => ({ emulationFailure: true }) %}
         | %text:? {% () => ({}) %}

# old: "unhandled wrmsr: 0x40000101 data 0x0"; 5.x+: "Unhandled WRMSR(0xc0010115) = 0x0"
msrAccess -> %msrAccess %hex (%dataIs %hex):? {% (d) => [d[0], d[1]] %}
           | %msrCall %hex %msrCallEnd (%dataIs %hex):? {% (d) => [d[0], d[1]] %}
