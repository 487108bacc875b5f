@preprocessor typescript
@{%
import { lexer } from '../lexers/eventlog-6008.js';
// A 6008 time field, date field, or the whole message holding both (either order: de-DE puts the date first).
// Numbers are never prose (`filler`), so the time and date are found in exactly one way.
const v = (t: any) => t.value as string;
%}
@lexer lexer

main -> _ time _ {% (d) => ({ time: d[1] }) %}
      | _ date _ {% (d) => ({ date: d[1] }) %}
      | _ (filler _):* time _ (filler _):* date _ (filler _):* {% (d) => ({ time: d[2], date: d[5] }) %}
      | _ (filler _):* date _ (filler _):* time _ (filler _):* {% (d) => ({ date: d[2], time: d[5] }) %}

time -> clock (_ %meridiem):? {% (d) => ({ ...d[0], meridiem: d[1] ? v(d[1][1]) : undefined }) %}
      | %meridiem _ clock {% (d) => ({ ...d[2], meridiem: v(d[0]) }) %}
clock -> %num %colon %num (%colon %num):? {% (d) => ({ hour: v(d[0]), minute: v(d[2]), second: d[3] ? v(d[3][1]) : '0' }) %}

date -> %num %sep %num %sep %num {% (d) => ({ parts: [v(d[0]), v(d[2]), v(d[4])], sep: v(d[1]) }) %}

filler -> %word | %sep | %colon

_ -> %ws:? {% () => null %}
