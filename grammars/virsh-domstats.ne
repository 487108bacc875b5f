# A record of host CPU samples (see grammars/lexers/virsh-domstats.ts): lines of `virsh domstats` output and of the
# /proc CPU files, each ended by a newline but the last. Lines are assembled into samples by
# services/parser/core/domstats/assemble.ts; this grammar only says what each line is.
@preprocessor typescript
@{%
import { domstatsLexer } from '../lexers/virsh-domstats.js';
import { buildBlank, buildDomain, buildLoadavg, buildPressure, buildProcNumbers, buildSection, buildStamp, buildStat, collectLines } from '../../services/parser/core/domstats/line-shape.js';
%}
@lexer domstatsLexer

record -> (line:? %newline):* line:? {% (d) => collectLines(d[0], d[1]) %}

line -> %stamp %ws:? {% (d) => buildStamp(d[0]) %}
      | %domain %ws:? {% (d) => buildDomain(d[0]) %}
      | %section %ws:? {% (d) => buildSection(d[0]) %}
      | %indent %key %eq %value:? {% (d) => buildStat(d[1], d[3]) %}
      | %pressure (%ws %field):+ %ws:? {% (d) => buildPressure(d[0], d[1]) %}
      | %procLabel (%ws %number):+ %ws:? {% (d) => buildProcNumbers(d[0], d[1]) %}
      | %loadavg %ws:? {% (d) => buildLoadavg(d[0]) %}
      | %blank {% () => buildBlank() %}
