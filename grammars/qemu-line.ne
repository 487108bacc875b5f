# qemu domain log line: an optional time stamp (libvirt's or qemu's -msg timestamp=on), an optional program
# prefix, then the message. See grammars/lexers/qemu-line.ts for the forms and why the message is one token.
@preprocessor typescript
@{%
import { lexer } from '../lexers/qemu-line.js';
%}
@lexer lexer

line -> stamp:? %program:? %text:? {% (d) => ({ stamp: d[0], program: d[1], text: d[2] }) %}

stamp -> %libvirtStamp {% id %} | %isoStamp {% id %}
