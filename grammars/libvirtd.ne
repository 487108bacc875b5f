# libvirtd log line: the line-level structure only; messages are classified by typed code
# (services/parser/core/libvirtd/classify-message.ts). See grammars/lexers/libvirtd.ts for the forms.
@preprocessor typescript
@{%
import { lexer } from '../lexers/libvirtd.js';
// Post-processors only place tokens: services/parser/core/libvirtd/line.ts turns them into a line model, so the
// result is a plan of token positions that grammars/run-shaped-grammar.ts can cache per line shape.
const place = (syslog, parts) => ({ syslog, ...parts });
%}
@lexer lexer

line -> syslog:? prefixed {% (d) => place(d[0], d[1]) %}
      | syslog %rest {% (d) => place(d[0], { message: d[1] }) %}
      | syslog %thread:? %level origin:? {% (d) => place(d[0], { thread: d[1], level: d[2], ...d[3] }) %}

syslog -> %syslog {% id %} | %isoSyslog {% id %}

prefixed -> (%stamp | %clock) %thread:? %level origin:? {% (d) => ({ stamp: d[0][0], thread: d[1], level: d[2], ...d[3] }) %}

origin -> %origin %rest:? {% (d) => ({ origin: d[0], message: d[1] }) %}
        | %rest {% (d) => ({ message: d[0] }) %}
