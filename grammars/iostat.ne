# One line of iostat output (see grammars/lexers/iostat.ts). Blank lines never reach the grammar.
# The post-processors return tokens only (no values computed from their text), so the line's parse depends on
# its token types alone and grammars/run-shaped-grammar.ts can keep it per shape: a device table is one shape.
@preprocessor typescript
@{%
import { iostatLexer } from '../lexers/iostat.js';
import { buildBanner, buildEpochStamp, buildHeader, buildIsoStamp, buildRow, buildStamp } from '../../services/parser/core/iostat/line-shape.js';
%}
@lexer iostatLexer

line -> %bannerOs %ws:? %release (%ws bannerItem):* %ws:? {% (d) => buildBanner(d[2], d[3]) %}
      | %avgCpu (%ws %column):* %ws:? {% (d) => buildHeader('avg-cpu', d[1]) %}
      | %deviceHeader (%ws %column):* %ws:? {% (d) => buildHeader('device', d[1]) %}
      | %stampDate stampTail {% (d) => buildStamp(d[0], d[1]) %}
      | %timeLabel stampTail {% (d) => buildStamp(null, d[1]) %}
      | %isoStamp %ws:? {% (d) => buildIsoStamp(d[0]) %}
      | %epochStamp %ws:? {% (d) => buildEpochStamp(d[0]) %}
      | %indent rowItems {% (d) => buildRow(true, d[1]) %}
      | rowItems {% (d) => buildRow(false, d[0]) %}

bannerItem -> %paren {% id %} | %date {% id %} | %word {% id %}

# The meridiem may precede the clock (zh_TW "下午 02時55分32秒") or follow it (en_US "02:55:32 PM").
stampTail -> (%ws %meridiem):? %ws %clock (%ws %meridiem):? %ws:? {% (d) => [d[0] ? d[0][1] : null, d[2], d[3] ? d[3][1] : null] %}

rowItems -> rowItem (%ws rowItem):* %ws:? {% (d) => [d[0], ...d[1].map((p: unknown[]) => p[1])] %}
rowItem -> %number {% id %} | %word {% id %}
