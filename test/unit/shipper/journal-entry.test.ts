import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildJournalctlArgs, buildJournalRecord } from '../../../services/shipper/core/journal-entry.js';
import { RAW_HEADERS } from '../../../shared/topics.js';

const CURSOR = 's=7b85f47e25a84893a944b29e118c8386;i=1a;b=0123456789abcdef0123456789abcdef;m=3e8;t=54abddf0081a0;x=be49f81bd95222b0';

test('journalctl: JSON, the units ORed, the kernel transport ORed in with +, all entries after the cursor', () => {
  assert.deepEqual(buildJournalctlArgs({ command: ['journalctl'], units: ['libvirtd', 'virtqemud.service'], kernel: true, follow: true, cursor: CURSOR, file: '/j/test.journal' }), [
    'journalctl',
    '-o',
    'json',
    '--no-pager',
    '--file',
    '/j/test.journal',
    '--follow',
    '--no-tail',
    '--after-cursor',
    CURSOR,
    '_SYSTEMD_UNIT=libvirtd.service',
    '_SYSTEMD_UNIT=virtqemud.service',
    '+',
    '_TRANSPORT=kernel',
  ]);
  assert.deepEqual(buildJournalctlArgs({ command: ['/usr/bin/journalctl', '-q'], units: [], kernel: true, follow: false }), ['/usr/bin/journalctl', '-q', '-o', 'json', '--no-pager', '--no-tail', '_TRANSPORT=kernel']);
});

test('a libvirtd entry: MESSAGE with its CODE_FUNC, the journal time in hw-time, the cursor as source id', () => {
  const line = JSON.stringify({
    __CURSOR: CURSOR,
    __REALTIME_TIMESTAMP: '1489554234180999',
    _SYSTEMD_UNIT: 'libvirtd.service',
    MESSAGE: 'internal error: End of file from qemu monitor',
    CODE_FUNC: 'qemuMonitorIO',
    CODE_LINE: '697',
  });
  const out = buildJournalRecord(line, 'hv-sc7', '2026-01-01T00:00:00.000Z');
  assert.equal(out?.cursor, CURSOR);
  const r = out?.record;
  assert.ok(r);
  assert.equal(r.value.toString(), 'qemuMonitorIO:697 : internal error: End of file from qemu monitor');
  assert.equal(r.key, 'hv-sc7');
  assert.equal(r.headers[RAW_HEADERS.format], 'libvirtd');
  assert.equal(r.headers[RAW_HEADERS.path], 'journald/libvirtd.service');
  assert.equal(r.headers[RAW_HEADERS.time], '2017-03-15T05:03:54.180Z');
  assert.equal(r.headers[RAW_HEADERS.sourceId], CURSOR);
  assert.equal(r.headers[RAW_HEADERS.offset], String(0x1a));
});

test('a kernel entry is format kernel; a byte-array MESSAGE is kept as bytes; other units and entries without MESSAGE are skipped', () => {
  const kernel = buildJournalRecord(JSON.stringify({ __CURSOR: CURSOR, _TRANSPORT: 'kernel', MESSAGE: [0x6b, 0xff, 0x0a] }), 'h', 'c')?.record;
  assert.equal(kernel?.headers[RAW_HEADERS.format], 'kernel');
  assert.deepEqual([...(kernel?.value ?? [])], [0x6b, 0xff, 0x0a]);
  assert.equal(kernel?.headers[RAW_HEADERS.time], undefined);
  assert.deepEqual(buildJournalRecord(JSON.stringify({ __CURSOR: CURSOR, _SYSTEMD_UNIT: 'sshd.service', MESSAGE: 'x' }), 'h', 'c'), { cursor: CURSOR });
  assert.deepEqual(buildJournalRecord(JSON.stringify({ __CURSOR: CURSOR, _SYSTEMD_UNIT: 'virtlogd.service' }), 'h', 'c'), { cursor: CURSOR });
  assert.equal(buildJournalRecord('not json', 'h', 'c'), undefined);
  assert.equal(buildJournalRecord('{"MESSAGE":"no cursor"}', 'h', 'c'), undefined);
});
