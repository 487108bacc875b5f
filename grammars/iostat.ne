# One line of `iostat -x` output (see grammars/lexers/iostat.ts). Blank lines never reach the grammar.
@preprocessor typescript
@{%
import { iostatLexer } from '../lexers/iostat.js';
import { buildBanner, buildCpu, buildDevice, buildHeader, buildIsoStamp, buildStamp } from '../../services/parser/core/iostat/line-shape.js';
%}
@lexer iostatLexer

line -> %bannerOs (%ws | %word | %paren | %date):* {% (d) => buildBanner(d[1]) %}
      | %deviceHeader (%ws %column):+ %ws:? {% (d) => buildHeader(d[1]) %}
      | %avgCpu %ws:? %text:? {% () => buildCpu() %}
      | %indent numbers {% () => buildCpu() %}
      | %device %ws numbers {% (d) => buildDevice(d[0], d[2]) %}
      | %slashDate %ws %clock (%ws %meridiem):? %ws:? {% (d) => buildStamp(d[0], d[2], d[3] ? d[3][1] : null) %}
      | %timeLabel %clock (%ws %meridiem):? %ws:? {% (d) => buildStamp(null, d[1], d[2] ? d[2][1] : null) %}
      | %isoStamp %ws:? {% (d) => buildIsoStamp(d[0]) %}

numbers -> %number (%ws %number):* %ws:? {% (d) => [d[0], d[1]] %}
