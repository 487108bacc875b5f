# qemu command line: env assignments, the binary, then options and their values as shell words (one token each,
# whitespace dropped by the lexer: see grammars/lexers/qemu-cmdline.ts). Pairing an option with its value and reading option values (keyval,
# JSON) is typed code: services/parser/core/qemu/command-line.ts.
# Lists are cons cells, flattened by the typed code after the parse: nearley's EBNF `:*` copies the array at
# every step, and the top rule completes at every word boundary (its trailing `_` is nullable), so any
# flattening here made a 1 MB command line quadratic (measured: 440 KB took 4.3 s, then 8 s).
@preprocessor typescript
@{%
import { lexer } from '../lexers/qemu-cmdline.js';
%}
@lexer lexer

# A command line whose head is missing (a log or paste that starts inside one: `-device ... \`) or that was cut
# right after its env assignments still parses: without a program, marked by its absence.
cmdline -> envs %word items {% (d) => ({ env: d[0], program: d[1].value, items: d[2] }) %}
         | envs {% (d) => ({ env: d[0], items: null }) %}
         | envs %option items {% (d) => ({ env: d[0], firstOption: d[1].value, items: d[2] }) %}

envs -> null {% () => null %}
      | envs %assign {% (d) => [d[0], d[1].value] %}

items -> null {% () => null %}
       | items item {% (d) => [d[0], d[1]] %}

item -> %option {% (d) => ({ option: d[0].value }) %}
      | %word {% (d) => ({ value: d[0].value }) %}
      | %assign {% (d) => ({ value: d[0].value }) %}
