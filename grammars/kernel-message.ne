# The message of a kernel log line (after stamp and uptime): the messages a hang investigation needs,
# everything else `other`. Lexer: grammars/lexers/kernel-message.ts (message texts and kernel sources there).
@preprocessor typescript
@{%
import { kernelMessageLexer } from '../lexers/kernel-message.js';
import {
  OTHER_MESSAGE, buildDiskError, buildHardLockup, buildHungTask, buildKvmInternalError, buildKvmMsr, buildKvmOther,
  buildRcuStall, buildSoftLockup,
} from '../../services/parser/core/kernel/message-shape.js';
%}
@lexer kernelMessageLexer

message -> %softLockup %int %stuckFor %int %secondsTask %taskPid %taskEnd %text:? {% (d) => buildSoftLockup(d[1], d[3], d[5]) %}
         | %hardLockup %int %text:? {% (d) => buildHardLockup(d[1]) %}
         | %hungTask %taskPid %blockedFor %int %seconds %text:? {% (d) => buildHungTask(d[1], d[3]) %}
         | %rcuStall rcuCpu:? %text:? {% (d) => buildRcuStall(d[1]) %}
         | %kvmInternal %text:? {% () => buildKvmInternalError() %}
         | kvmHead kvmBody {% (d) => d[1](d[0]) %}
         | %ioError %device %text:? {% (d) => buildDiskError(d[1]) %}
         | %text:? {% () => OTHER_MESSAGE %}

rcuCpu -> %cpuList {% id %} | %cpuNumber {% id %}

kvmHead -> %kvmPid {% id %} | %kvmColon {% id %}

# kvmBody returns a function of the head token (the head carries the qemu pid).
kvmBody -> %vcpu %guestRip:? %space msrAccess %text:? {% (d) => (head) => buildKvmMsr(head, d[0], d[3][0], d[3][1]) %}
         | %emulationFailure %text:? {% () => (head) => buildKvmOther(head, true) %}
         | %text:? {% () => (head) => buildKvmOther(head, false) %}

# old: "unhandled wrmsr: 0x40000101 data 0x0"; 5.x+: "Unhandled WRMSR(0xc0010115) = 0x0"
msrAccess -> %msrAccess %hex (%dataIs %hex):? {% (d) => [d[0], d[1]] %}
           | %msrCall %hex %msrCallEnd (%dataIs %hex):? {% (d) => [d[0], d[1]] %}
