@preprocessor typescript
@{%
import { lexer } from '../lexers/windbg.js';
// One key line of a WinDbg report -> a plain object; services/parser/core/windows/windbg-report.ts gives it meaning.
const v = (t: any) => t.value as string;
%}
@lexer lexer

line -> header {% id %} | arg {% id %} | summary {% id %} | session {% id %} | uptime {% id %}
      | built {% id %} | machine {% id %} | kernel {% id %} | keyValue {% id %} | frame {% id %}

header -> %name _ %lparen _ %hex _ %rparen _ {% (d) => ({ kind: 'header', name: v(d[0]), code: v(d[4]) }) %}

arg -> %argKey _ %hex _ (%comma _ %value:?):? {% (d) => ({ kind: 'arg', index: Number(v(d[0])), value: v(d[2]), description: d[4]?.[2] ? v(d[4][2]) : undefined }) %}

summary -> %summaryKey _ %hex _ %comma _ %lbrace _ hexList _ %rbrace _ {% (d) => ({ kind: 'summary', code: v(d[2]), parameters: d[8] }) %}
hexList -> %hex (_ %comma _ %hex):* {% (d) => [v(d[0]), ...d[1].map((x: any) => v(x[3]))] %}

session -> %sessionKey _ %word _ %word _ %int _ clockTime _ %int _ %lparen _ zone _ %rparen _
  {% (d) => ({ kind: 'session', month: v(d[4]), day: Number(v(d[6])), time: d[8], year: Number(v(d[10])), zone: d[14] }) %}
clockTime -> %int %colon %int %colon %int (%dot %int):?
  {% (d) => ({ hour: Number(v(d[0])), minute: Number(v(d[2])), second: Number(v(d[4])), fraction: d[5] ? v(d[5][1]) : '' }) %}
zone -> %word (_ %sign _ %int (%colon %int):?):?
  {% (d) => ({ name: v(d[0]), sign: d[1] ? v(d[1][1]) : '+', hours: d[1] ? Number(v(d[1][3])) : 0, minutes: d[1]?.[4] ? Number(v(d[1][4][1])) : 0 }) %}

uptime -> %uptimeKey _ %int _ %word _ clockTime _ {% (d) => ({ kind: 'uptime', days: Number(v(d[2])), time: d[6] }) %}
        | %uptimeKey (_ %word):+ _ {% () => ({ kind: 'uptime' }) %}

built -> %builtKey _ %value:? {% (d) => ({ kind: 'built', value: d[2] ? v(d[2]) : undefined }) %}
machine -> %machineKey _ %value:? {% (d) => ({ kind: 'machine', value: d[2] ? v(d[2]) : undefined }) %}

kernel -> %kernelKey (_ kernelItem):* _ %kernel _ %version _ %num (_ paren):? (_ processors):? (_ kernelItem):* _
  {% (d) => ({ kind: 'kernel', product: d[1].map((x: any) => x[1]).join(' '), version: v(d[7]), servicePack: d[8] ? d[8][1] : undefined, processors: d[9] ? d[9][1] : undefined }) %}
kernelItem -> %word {% (d) => v(d[0]) %} | %num {% (d) => v(d[0]) %}
paren -> %lparen _ (kernelItem _):* %rparen {% (d) => d[2].map((x: any) => x[0]).join(' ') %}
processors -> %mp _ %lparen _ %num _ %procs _ %rparen {% (d) => Number(v(d[4])) %}
            | %up {% () => 1 %}

keyValue -> %key _ %value:? {% (d) => ({ kind: 'kv', key: v(d[0]), value: d[2] ? v(d[2]) : '' }) %}

frame -> %address (_ frameColumn):* _ {% (d) => ({ kind: 'frame', columns: [{ type: 'address', text: v(d[0]) }, ...d[1].map((x: any) => x[1])] }) %}
frameColumn -> (%address | %sep | %symbol) {% (d) => ({ type: d[0][0].type, text: v(d[0][0]) }) %}

_ -> %ws:? {% () => null %}
