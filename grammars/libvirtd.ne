# libvirt's own log line: the line-level structure only; messages are classified by typed code
# (services/parser/core/libvirtd/classify-message.ts), syslog/journal prefixes are read by typed code before
# (services/parser/core/libvirtd/syslog-prefix.ts). See grammars/lexers/libvirtd.ts for the forms.
@preprocessor typescript
@{%
import { lexer } from '../lexers/libvirtd.js';
// Post-processors only place tokens: services/parser/core/libvirtd/line.ts turns them into a line model, so the
// result is a plan of token positions that grammars/run-shaped-grammar.ts can cache per line shape.
%}
@lexer lexer

line -> (%stamp | %clock) %thread:? %level origin:? {% (d) => ({ stamp: d[0][0], thread: d[1], level: d[2], ...d[3] }) %}
      | %thread:? %level origin:? {% (d) => ({ thread: d[0], level: d[1], ...d[2] }) %}

origin -> %origin %rest:? {% (d) => ({ origin: d[0], message: d[1] }) %}
        | %rest {% (d) => ({ message: d[0] }) %}
