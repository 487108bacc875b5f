@preprocessor typescript
@{%
import { lexer } from '../lexers/wer-1001.js';
// `... 0xCODE (0xP1, 0xP2, 0xP3, 0xP4) ...` anywhere in prose: the only hex run is the bugcheck, so prose
// (`filler`) never holds a hex token and the parse is unambiguous.
const v = (t: any) => t.value as string;
%}
@lexer lexer

text -> _ (filler _):* bugcheck (_ filler):* _ {% (d) => d[2] %}

bugcheck -> %hex (_ arguments):? {% (d) => ({ code: v(d[0]), parameters: d[1] ? d[1][1] : [] }) %}
arguments -> %lparen _ %hex (_ %comma _ %hex):* _ %rparen {% (d) => [v(d[2]), ...d[3].map((x: any) => v(x[3]))] %}

filler -> %text | %comma | %lparen | %rparen

_ -> %ws:? {% () => null %}
