import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseFailure } from '../../services/parser/core/parse-failure.js';
import { decodeShutdownBinary, formatLocalDateTime, parseShutdownText } from '../../services/parser/core/windows/shutdown-time.js';
import { parseWerBugcheck } from '../../services/parser/core/windows/wer-bugcheck.js';

// The small grammars of the Windows paths: EventLog 6008 locale times (grammars/eventlog-6008.ne) and the WER
// 1001 bugcheck text (grammars/wer-1001.ne), in the locales DESIGN.md section 6 names.

const LRM = '\u200e';
const local = (time?: string, date?: string, message?: string): string => formatLocalDateTime(parseShutdownText(time, date, message));

test('6008 data fields: en-US, zh-CN, de-DE, with bidi marks', () => {
  assert.equal(local('1:11:54 PM', `${LRM}3/${LRM}15/${LRM}2017`), '2017-03-15T13:11:54');
  assert.equal(local('12:05:00 AM', '3/15/2017'), '2017-03-15T00:05:00');
  assert.equal(local('13:11:54', `${LRM}2017/${LRM}3/${LRM}15`), '2017-03-15T13:11:54');
  assert.equal(local('下午 1:11:54', '2017/3/15'), '2017-03-15T13:11:54');
  assert.equal(local('13:11:54', `${LRM}15.${LRM}03.${LRM}2017`), '2017-03-15T13:11:54');
  assert.equal(local('07:27:32', '16/02/2011'), '2011-02-16T07:27:32');
});

test('6008 message text when the data fields are missing: en-US, zh-CN, de-DE', () => {
  assert.equal(local(undefined, undefined, `The previous system shutdown at 1:11:54 PM on ${LRM}3/${LRM}15/${LRM}2017 was unexpected.`), '2017-03-15T13:11:54');
  assert.equal(local(undefined, undefined, `上一次系统的 13:11:54 在 ${LRM}2017/${LRM}3/${LRM}15 上的关闭是意外的。`), '2017-03-15T13:11:54');
  assert.equal(local(undefined, undefined, 'Das System wurde zuvor am 15.03.2017 um 13:11:54 unerwartet heruntergefahren.'), '2017-03-15T13:11:54');
});

test('6008 text that is not a time is a ParseFailure naming the grammar', () => {
  assert.throws(() => parseShutdownText('soon', 'today', undefined), (e: unknown) => e instanceof ParseFailure && e.grammar === 'eventlog-6008');
  assert.throws(() => parseShutdownText('25:61:00', '2017/3/15', undefined), /invalid time/);
});

test('6008 <Binary>: local and UTC SYSTEMTIMEs give the offset', () => {
  const b = decodeShutdownBinary('E107030003000F000D000B0036000903E107030003000F0005000B0036000903');
  assert.deepEqual(b && { local: formatLocalDateTime(b.local), utc: new Date(b.utcMs).toISOString(), offset: b.offsetMinutes }, {
    local: '2017-03-15T13:11:54',
    utc: '2017-03-15T05:11:54.777Z',
    offset: 480,
  });
  assert.equal(decodeShutdownBinary('E1070300'), undefined);
  assert.equal(decodeShutdownBinary(undefined), undefined);
});

test('WER 1001 text: short param1, en-US and zh-CN sentences', () => {
  const expected = { code: '0x00000101', name: 'CLOCK_WATCHDOG_TIMEOUT', parameters: ['0x61', '0x0', '0xfffff880009b2180', '0x1'], arguments: { timeout_ticks: 97, prcb: '0xfffff880009b2180', processor: 1 } };
  assert.deepEqual(parseWerBugcheck('0x00000101 (0x0000000000000061, 0x0000000000000000, 0xfffff880009b2180, 0x0000000000000001)'), expected);
  assert.deepEqual(
    parseWerBugcheck(
      'The computer has rebooted from a bugcheck.  The bugcheck was: 0x00000101 (0x0000000000000061, 0x0000000000000000, 0xfffff880009b2180, 0x0000000000000001). A dump was saved in: C:\\Windows\\MEMORY.DMP. Report Id: 031517-12345-01.',
    ),
    expected,
  );
  assert.deepEqual(
    parseWerBugcheck('计算机已经从检测错误后重新启动。检测错误: 0x00000101 (0x0000000000000061, 0x0000000000000000, 0xfffff880009b2180, 0x0000000000000001)。已将转储的数据保存在: C:\\Windows\\MEMORY.DMP。报告 ID: 031517-12345-01。'),
    expected,
  );
});

test('WER 1001 text without a bugcheck is a ParseFailure', () => {
  assert.throws(() => parseWerBugcheck('The computer has rebooted.'), (e: unknown) => e instanceof ParseFailure && e.grammar === 'wer-1001');
});
