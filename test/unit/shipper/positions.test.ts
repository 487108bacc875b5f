import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { matchPosition, parsePositions, prunePositions, serializePositions, type Position } from '../../../services/shipper/core/positions.js';
import { fingerprintHead, fingerprintPrefix, fingerprintSpan } from '../../../services/shipper/core/fingerprint.js';

const fp = (text: string, length: number): string | undefined => fingerprintPrefix(Buffer.from(text), length);
const first = 'first line\n';
const saved: Position = { fingerprint: fp(first, first.length) as string, fpLength: first.length, dev: 1, ino: 10, path: '/var/log/app.log', offset: 500, seenAt: 0 };
const candidate = (ino: number, text: string, size = 1_000) => ({ dev: 1, ino, size, fingerprintOf: (n: number) => fp(text, n) });

test('the fingerprint covers the first 1024 bytes (a shorter file only once settled), the same as event ids use', () => {
  const long = Buffer.from(`${first}${'x'.repeat(2000)}\n`);
  const span = fingerprintSpan(long, false);
  assert.equal(span?.length, 1024);
  assert.equal(fingerprintHead(long, false), span?.fingerprint);
  assert.equal(fingerprintSpan(Buffer.from(`${first}second\n`), false), undefined, 'a short growing file waits');
  assert.equal(fingerprintSpan(Buffer.from('no newline yet'), true)?.length, 14);
  // Files that share a first line (every WinDbg report starts with the same banner) are different files.
  const banner = 'Microsoft (R) Windows Debugger Version 6.11.0001.404 X86\n';
  const a = fingerprintHead(Buffer.from(`${banner}Debug session time: Wed Mar 15 13:11:54.777 2017 (GMT+8)\n`), true);
  const b = fingerprintHead(Buffer.from(`${banner}Debug session time: Thu Mar 16 09:00:00.000 2017 (GMT+8)\n`), true);
  assert.notEqual(a, b);
});

test('same inode and same first bytes: resume at the saved offset', () => {
  assert.deepEqual(matchPosition([saved], candidate(10, `${first}more`), new Set()), { position: saved, how: 'inode', startAt: 500 });
});

test('a reused inode with other content is a new file', () => {
  assert.equal(matchPosition([saved], candidate(10, 'another file\n'), new Set()), undefined);
});

test('same content under another inode (a copy, a restored file): resume by content', () => {
  assert.deepEqual(matchPosition([saved], candidate(99, `${first}more`), new Set()), { position: saved, how: 'content', startAt: 500 });
});

test('the inode match wins over a content match', () => {
  const copy = { ...saved, ino: 99, offset: 100 };
  assert.equal(matchPosition([copy, saved], candidate(10, `${first}x`), new Set())?.position, saved);
});

test('a file now shorter than its saved offset (truncated while the shipper was stopped) starts from 0', () => {
  assert.equal(matchPosition([saved], candidate(10, first, 300), new Set())?.startAt, 0);
});

test('positions taken by an open file are not matched again', () => {
  assert.equal(matchPosition([saved], candidate(10, first), new Set([saved])), undefined);
});

test('positions round-trip through the file; damage is refused; old ones are forgotten', () => {
  assert.deepEqual(parsePositions(serializePositions([saved]), 'x'), [saved]);
  assert.throws(() => parsePositions('{"version":1', 'x'), /HW_INPUT_UNREADABLE|not JSON/);
  assert.throws(() => parsePositions('{"version":2,"positions":[]}', 'x'), /version 1/);
  assert.deepEqual(prunePositions([saved, { ...saved, seenAt: 10_000 }], 10_000, 5_000), [{ ...saved, seenAt: 10_000 }]);
  assert.equal(createHash('sha256').update(first).digest('hex').slice(0, 16), saved.fingerprint);
});
