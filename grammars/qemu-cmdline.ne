# qemu command line: env assignments, the binary, then options and their values as shell words.
# Pairing an option with its value and reading option values (keyval, JSON) is typed code:
# services/parser/core/qemu/command-line.ts.
@preprocessor typescript
@{%
import { lexer } from '../lexers/qemu-cmdline.js';
const join = (pieces: Array<{ value: string }>) => pieces.map((p) => p.value).join('');
%}
@lexer lexer

cmdline -> _ (env __):* program (__ item):* _ {% (d) => ({ env: d[1].map((x) => x[0]), program: d[2], items: d[3].map((x) => x[1]) }) %}

env -> %assign piece:* {% (d) => ({ name: d[0].value.slice(0, -1), value: join(d[1]) }) %}

program -> head piece:* {% (d) => join([d[0], ...d[1]]) %}

item -> %option {% (d) => ({ option: d[0].value.replace(/^--?/, '') }) %}
      | %option piece:+ {% (d) => ({ value: join([d[0], ...d[1]]) }) %}
      | head piece:* {% (d) => ({ value: join([d[0], ...d[1]]) }) %}
      | %assign piece:* {% (d) => ({ value: join([d[0], ...d[1]]) }) %}

head -> %word {% id %} | %squoted {% id %} | %dquoted {% id %} | %escaped {% id %}

piece -> %word {% id %} | %squoted {% id %} | %dquoted {% id %} | %escaped {% id %} | %assign {% id %} | %option {% id %}

_ -> %ws:?
__ -> %ws
