# Linux kernel log line: syslog / journald / dmesg forms (see grammars/lexers/kernel.ts). The line's
# structure only; the message is classified by grammars/kernel-message.ne.
@preprocessor typescript
@{%
import { kernelLineLexer } from '../lexers/kernel.js';
import { buildDmesgLine, buildKernelTag, buildMarkerLine, buildProgramTag, buildSyslogLine, buildUntagged } from '../../services/parser/core/kernel/line-shape.js';
%}
@lexer kernelLineLexer

line -> %pri:? stamp %hostName tag {% (d) => buildSyslogLine(d[1], d[2], d[3]) %}
      | %pri:? dmesgStamp %callerId:? %text:? {% (d) => buildDmesgLine(d[1], d[3]) %}
      | %journalMarker {% (d) => buildMarkerLine(d[0]) %}

stamp -> %bsdStamp {% id %} | %isoStamp {% id %}

dmesgStamp -> %uptime {% id %} | %wallClock {% id %}

tag -> %kernelTag %uptime:? %callerId:? %text:? {% (d) => buildKernelTag(d[1], d[3]) %}
     | %programTag %text:? {% (d) => buildProgramTag(d[0], d[1]) %}
     | %text:? {% (d) => buildUntagged(d[0]) %}
