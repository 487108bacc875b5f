@preprocessor typescript
@{%
import { lexer } from '../lexers/windbg.js';
// One key line of a WinDbg report -> a plain object; services/parser/core/windows/windbg-report.ts gives it
// meaning. The lexer drops whitespace, so rules list tokens only.
const v = (t: any) => t.value as string;
%}
@lexer lexer

line -> header {% id %} | arg {% id %} | summary {% id %} | fatal {% id %} | fatalArgs {% id %} | bugcheckCode {% id %}
      | argumentList {% id %} | loading {% id %} | session {% id %} | uptime {% id %} | built {% id %} | machine {% id %}
      | kernel {% id %} | keyValue {% id %} | frame {% id %}

# CLOCK_WATCHDOG_TIMEOUT (101)   |   Unknown bugcheck code (19c)
header -> %name %lparen %hex %rparen {% (d) => ({ kind: 'header', name: v(d[0]), code: v(d[2]) }) %}
        | %unknownKey %lparen %hex %rparen {% (d) => ({ kind: 'header', code: v(d[2]) }) %}

# Arg3: ffffa38a`1c2e3180, The PRCB address of the hung processor.   |   Arg2: 0000000000000002   <-- note
arg -> %argKey %hex %comma:? %value:? {% (d) => ({ kind: 'arg', index: Number(v(d[0])), value: v(d[1]), description: d[3] ? v(d[3]) : undefined }) %}

# BugCheck 101, {61, 0, 807a3120, 1}
summary -> %summaryKey %hex %comma %lbrace hexList %rbrace {% (d) => ({ kind: 'summary', code: v(d[1]), parameters: d[4] }) %}
hexList -> %hex (%comma %hex):* {% (d) => [v(d[0]), ...d[1].map((x: any) => v(x[1]))] %}

# *** Fatal System Error: 0x00000050 (0xFFFFF80000000000,0x0000000000000000,0xFFFFF80000000000,0x0000000000000002)
fatal -> %fatalKey %hex parenList:? {% (d) => ({ kind: 'fatal', code: v(d[1]), parameters: d[2] ?? undefined }) %}
#                        (0xFFFFF78000001000,0x0000000000000000,0xFFFFF80528F293CB,0x0000000000000002)
fatalArgs -> parenList {% (d) => ({ kind: 'fatalArgs', parameters: d[0] }) %}
parenList -> %lparen hexList %rparen {% (d) => d[1] %}

# Bugcheck code 0000009F   |   Arguments 00000000`00000003 ffff948f`e9be4060 ffffe381`3d0ef040 ffff948f`ee90eba0
bugcheckCode -> %bugcheckCodeKey %hex {% (d) => ({ kind: 'bugcheckCode', code: v(d[1]) }) %}
argumentList -> %argumentsKey %hex:+ {% (d) => ({ kind: 'argumentList', parameters: d[1].map(v) }) %}

# Loading Dump File [C:\Windows\Minidump\042025-74062-01.dmp]
loading -> %loadingKey %value {% (d) => ({ kind: 'loading', path: v(d[1]).replace(/^\[|\]$/g, '') }) %}

# Debug session time: Wed Mar 15 13:11:54.777 2017 (GMT+8)   |   ... 2023 (UTC + 8:00)   |   Fri Jun 11 10:22:46 2004
session -> %sessionKey %word %word %int clockTime %int (%lparen zone %rparen):?
  {% (d) => ({ kind: 'session', month: v(d[2]), day: Number(v(d[3])), time: d[4], year: Number(v(d[5])), zone: d[6] ? d[6][1] : undefined }) %}
clockTime -> %int %colon %int %colon %int (%dot %int):?
  {% (d) => ({ hour: Number(v(d[0])), minute: Number(v(d[2])), second: Number(v(d[4])), fraction: d[5] ? v(d[5][1]) : '' }) %}
zone -> %word (%sign %int (%colon %int):?):?
  {% (d) => ({ name: v(d[0]), sign: d[1] ? v(d[1][0]) : '+', hours: d[1] ? Number(v(d[1][1])) : 0, minutes: d[1]?.[2] ? Number(v(d[1][2][1])) : 0 }) %}

# System Uptime: 0 days 5:00:52.740   |   System Uptime: not available
uptime -> %uptimeKey %int %word clockTime {% (d) => ({ kind: 'uptime', days: Number(v(d[1])), time: d[3] }) %}
        | %uptimeKey %word:+ {% () => ({ kind: 'uptime' }) %}

built -> %builtKey %value:? {% (d) => ({ kind: 'built', value: d[1] ? v(d[1]) : undefined }) %}
machine -> %machineKey %value:? {% (d) => ({ kind: 'machine', value: d[1] ? v(d[1]) : undefined }) %}

# Windows 7 Kernel Version 7601 (Service Pack 1) MP (2 procs) Free x86 compatible
kernel -> %kernelKey kernelItem:* %kernel %version %num paren:? processors:? kernelItem:*
  {% (d) => ({ kind: 'kernel', product: d[1].join(' '), version: v(d[4]), servicePack: d[5] ?? undefined, processors: d[6] ?? undefined }) %}
kernelItem -> %word {% (d) => v(d[0]) %} | %num {% (d) => v(d[0]) %}
paren -> %lparen kernelItem:* %rparen {% (d) => d[1].join(' ') %}
processors -> %mp %lparen %num %procs %rparen {% (d) => Number(v(d[2])) %}
            | %up {% () => 1 %}

# PROCESS_NAME:  System
keyValue -> %key %value:? {% (d) => ({ kind: 'kv', key: v(d[0]), value: d[1] ? v(d[1]) : '' }) %}

# 807fc5e4 83c8e117 00000101 00000061 00000000 nt!KeBugCheckEx+0x1e
# ffffd001`d4e5dc88 fffff805`75e3a4a2 : 00000000`00000101 ... : nt!KeBugCheckEx
frame -> %address frameColumn:* {% (d) => ({ kind: 'frame', columns: [{ type: 'address', text: v(d[0]) }, ...d[1]] }) %}
frameColumn -> (%address | %sep | %symbol) {% (d) => ({ type: d[0][0].type, text: v(d[0][0]) }) %}
