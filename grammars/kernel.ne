# Linux kernel log line: syslog / journald / dmesg forms (see grammars/lexers/kernel.ts). The line's structure only:
# every rule places tokens (no values computed here), so services/parser/core/formats/kernel.ts runs it with
# grammars/run-shaped-grammar.ts (nearley once per token shape, not once per line); the places are read by
# services/parser/core/kernel/line-shape.ts, the message classified by grammars/kernel-message.ne.
@preprocessor typescript
@{%
import { kernelLineLexer } from '../lexers/kernel.js';
%}
@lexer kernelLineLexer

line -> %pri:? syslogStamp %hostName:? %facLevel:? tag {% (d) => ({ kind: 'syslog', pri: d[0], stamp: d[1], host: d[2], level: d[3], ...d[4] }) %}
      | %rfc5424 %isoStamp %hostName rfcTag {% (d) => ({ kind: 'syslog', pri: d[0], stamp: d[1], host: d[2], ...d[3] }) %}
      | %pri:? %decoded:? dmesgStamp %callerId:? %text:? {% (d) => ({ kind: 'dmesg', pri: d[0], decoded: d[1], stamp: d[2], text: d[4] }) %}
      | %pri:? %uptime %monotonicTag %text:? {% (d) => ({ kind: 'monotonic', pri: d[0], stamp: d[1], host: d[2], text: d[3] }) %}
      | %journalMarker {% (d) => ({ kind: 'marker', text: d[0] }) %}

syslogStamp -> %bsdStamp {% id %} | %isoStamp {% id %} | %ctimeStamp {% id %} | %fullStamp {% id %} | %epochStamp {% id %}

dmesgStamp -> %uptime {% id %} | %wallClock {% id %} | %dmesgIso {% id %} | %reltime {% id %} | %delta {% id %}

tag -> %kernelTag %uptime:? %callerId:? %text:? {% (d) => ({ tag: d[0], uptime: d[1], text: d[3] }) %}
     | %programTag %text:? {% (d) => ({ tag: d[0], text: d[1] }) %}
     | %text:? {% (d) => ({ text: d[0] }) %}

rfcTag -> %rfcKernelApp %uptime:? %callerId:? %text:? {% (d) => ({ tag: d[0], uptime: d[1], text: d[3] }) %}
        | %rfcApp %text:? {% (d) => ({ tag: d[0], text: d[1] }) %}
