import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { buildDeadLetter, DEADLETTER_MAX_ORIGINAL_BYTES } from '../../../shared/deadletter.js';
import { HangwatchError } from '../../../shared/errors.js';
import { fileEventId, incidentId, normalizeMac, windowsEventId } from '../../../shared/identity.js';
import { listEventProblems } from '../../../shared/schema/event.js';
import { DeadLetterSchema } from '../../../shared/schema/deadletter.js';

const valid = {
  '@timestamp': '2017-03-15T05:11:54.777Z',
  event: { id: 'abc', dataset: 'windows.windbg', kind: 'event', action: 'bugcheck', code: '0x00000101' },
  windows: { bugcheck: { code: '0x00000101', name: 'CLOCK_WATCHDOG_TIMEOUT', parameters: ['0x61', '0x0', '0x807a3120', '0x1'] } },
  hangwatch: { time: { basis: 'explicit' }, parse: { grammar: 'windbg' } },
};

test('the event schema accepts a valid event and names every problem of an invalid one', () => {
  assert.deepEqual(listEventProblems(valid), []);
  const bad = { ...valid, '@timestamp': '2017-03-15 05:11:54', event: { ...valid.event, action: 'exploded' }, windows: { bugcheck: { code: '0x101' } } };
  const problems = listEventProblems(bad);
  assert.ok(problems.some((p) => p.startsWith('@timestamp')));
  assert.ok(problems.some((p) => p.startsWith('event.action')));
  assert.ok(problems.some((p) => p.startsWith('windows.bugcheck.code')));
});

test('dead letters keep at most 64 KiB, with the full length and SHA-256, base64 when not UTF-8', () => {
  const big = Buffer.alloc(100_000, 0x61);
  const letter = buildDeadLetter({ stage: 'parse', error: new HangwatchError('HW_RECORD_TOO_LARGE', [100000, 65536]), original: big, at: '2026-01-01T00:00:00.000Z', source: { hostName: 'sc7', path: '/p', offset: 10 } });
  assert.equal(letter.event.original.length, DEADLETTER_MAX_ORIGINAL_BYTES);
  assert.deepEqual(letter.hangwatch.original, { encoding: 'utf8', length: 100_000, sha256: createHash('sha256').update(big).digest('hex'), truncated: true });
  assert.equal(letter.error.code, 'HW_RECORD_TOO_LARGE');
  assert.equal(letter.log?.offset, 10);
  assert.ok(DeadLetterSchema.safeParse(letter).success);

  const binary = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
  const b = buildDeadLetter({ stage: 'parse', error: new Error('x'), original: binary, at: '2026-01-01T00:00:00.000Z' });
  assert.equal(b.hangwatch.original.encoding, 'base64');
  assert.equal(Buffer.from(b.event.original, 'base64').equals(binary), true);
  assert.equal(b.hangwatch.original.truncated, false);
});

test('ids are deterministic, distinct per input, and the same Windows record has one id whatever path it took', () => {
  assert.equal(fileEventId('sc7', 'fp', 10), fileEventId('sc7', 'fp', 10));
  assert.notEqual(fileEventId('sc7', 'fp', 10), fileEventId('sc7', 'fp', 11));
  assert.notEqual(fileEventId('sc7', 'fp', 10), fileEventId('sc8', 'fp', 10));
  assert.equal(windowsEventId('VM113-PC', 'System', '4711'), windowsEventId('vm113-pc', 'system', '4711'));
  assert.match(incidentId('sc7', 'vm113', 'e1'), /^[0-9a-f]{32}$/);
  assert.equal(normalizeMac('52-54-00-A6-3A-68'), '52:54:00:a6:3a:68');
});
