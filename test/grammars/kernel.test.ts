import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import type { RawRecord } from '../../shared/raw-record.js';
import { parseZone } from '../../shared/time.js';
import { kernelParser } from '../../services/parser/core/formats/kernel.js';
import { parseRecord, SourceStates } from '../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../services/parser/core/registry.js';
import { assertGolden, listFixtures, parseFile, registryOf } from './golden.js';

const dir = join(import.meta.dirname, 'fixtures', 'kernel');
const registry = registryOf(kernelParser);
const shanghai = parseZone('Asia/Shanghai');
const fileOptions = { format: 'kernel', framing: 'lines', host: 'sc7', path: '/var/log/kern.log', parseOptions: { maxRecordBytes: 1 << 20, hostZone: shanghai } } as const;

for (const file of listFixtures(dir)) {
  test(`kernel golden: ${file.split('/').pop()}`, () => {
    assertGolden(file, parseFile(file, registry, fileOptions));
  });
}

for (const file of listFixtures(join(dir, 'invalid'))) {
  test(`kernel invalid input is a dead letter: ${file.split('/').pop()}`, () => {
    const outcome = parseFile(file, registry, fileOptions);
    assert.equal(outcome.events.length, 0);
    assert.ok(outcome.deadletters.length > 0);
    for (const letter of outcome.deadletters) {
      assert.equal(letter.hangwatch.stage, 'parse');
      assert.match(letter.error.code, /^HW_(PARSE_NO_MATCH|TIME_INVALID)$/);
      assert.equal(letter.hangwatch.grammar, 'kernel');
      assert.equal(letter.hangwatch.original.sha256.length, 64);
    }
  });
}

/** Feeds lines of one source through parseRecord, as the shipper would. */
function parseLines(lines: readonly string[], opts: { mtime?: string; hostZone?: string } = {}) {
  const states = new SourceStates();
  const options = { maxRecordBytes: 1 << 20, validate: true, ...(opts.hostZone ? { hostZone: parseZone(opts.hostZone) } : {}) };
  let offset = 0;
  return lines.map((line) => {
    const record: RawRecord = {
      bytes: Buffer.from(line, 'utf8'),
      host: 'sc7',
      path: '/var/log/kern.log',
      format: 'kernel',
      fingerprint: 'test',
      offset,
      created: '2017-03-20T00:00:00.000Z',
      ...(opts.mtime ? { mtime: opts.mtime } : {}),
    };
    offset += line.length + 1;
    return parseRecord(record, registry, states, options);
  });
}

const LOCKUP = 'Mar 15 13:05:01 sc7 kernel: [18012.345678] NMI watchdog: BUG: soft lockup - CPU#3 stuck for 22s! [qemu-system-x86:4573]';

test('a soft lockup carries cpu, seconds, task and the stuck process', () => {
  const [out] = parseLines([LOCKUP], { mtime: '2017-03-16T00:00:00.000Z', hostZone: 'Asia/Shanghai' });
  assert.equal(out?.deadletters.length, 0);
  const e = out?.events[0];
  assert.equal(e?.event.action, 'soft-lockup');
  assert.equal(e?.event.dataset, 'linux.kernel');
  assert.deepEqual(e?.linux?.kernel, { uptime_s: 18012.345678, cpu: 3, stuck_s: 22, task: 'qemu-system-x86:4573' });
  assert.deepEqual(e?.process, { name: 'qemu-system-x86', pid: 4573 });
  assert.equal(e?.host?.name, 'sc7');
  assert.equal(e?.libvirt?.hypervisor, 'sc7');
  assert.equal(e?.['@timestamp'], '2017-03-15T05:05:01.000Z');
  assert.deepEqual(e?.hangwatch.time, { basis: 'zone', zone: 'Asia/Shanghai', year: 'file-mtime' });
});

test('without a configured zone syslog times are read as UTC and still say basis zone', () => {
  const [out] = parseLines([LOCKUP], { mtime: '2017-03-16T00:00:00.000Z' });
  assert.equal(out?.events[0]?.['@timestamp'], '2017-03-15T13:05:01.000Z');
  assert.deepEqual(out?.events[0]?.hangwatch.time, { basis: 'zone', zone: '+00:00', year: 'file-mtime' });
});

test('year rollover: a Dec 31 line in a file modified on Jan 1 belongs to the old year', () => {
  const outs = parseLines(['Dec 31 23:59:58 sc7 kernel: [100.000000] before midnight', 'Jan  1 00:00:02 sc7 kernel: [104.000000] after midnight'], {
    mtime: '2018-01-01T00:00:30.000Z',
  });
  assert.equal(outs[0]?.events[0]?.['@timestamp'], '2017-12-31T23:59:58.000Z');
  assert.equal(outs[1]?.events[0]?.['@timestamp'], '2018-01-01T00:00:02.000Z');
});

test('Feb 29 goes to the closest leap year before the file time', () => {
  const [out] = parseLines(['Feb 29 10:00:00 sc7 kernel: leap'], { mtime: '2017-03-01T00:00:00.000Z' });
  assert.equal(out?.events[0]?.['@timestamp'], '2016-02-29T10:00:00.000Z');
});

test('without mtime the year comes from the record creation time', () => {
  const [out] = parseLines(['Mar 19 10:00:00 sc7 kernel: hello']);
  assert.equal(out?.events[0]?.['@timestamp'], '2017-03-19T10:00:00.000Z');
});

test('dmesg uptime stamps: ingest first, inherited next, uptime once a -T pair gives the boot time', () => {
  const outs = parseLines(
    [
      '[18012.345678] first line, nothing known',
      '[18013.000000] second line',
      '[18014.000000] NMI watchdog: BUG: soft lockup - CPU#3 stuck for 22s! [qemu-system-x86:4573]',
      '[Wed Mar 15 13:05:01 2017] NMI watchdog: BUG: soft lockup - CPU#3 stuck for 22s! [qemu-system-x86:4573]',
      '[18143.004411] INFO: task qemu-system-x86:4573 blocked for more than 120 seconds.',
    ],
    { hostZone: '+08:00' },
  );
  const times = outs.map((o) => [o.events[0]?.['@timestamp'], o.events[0]?.hangwatch.time.basis]);
  assert.deepEqual(times[0], ['2017-03-20T00:00:00.000Z', 'ingest']);
  assert.deepEqual(times[1], ['2017-03-20T00:00:00.000Z', 'inherited']);
  assert.deepEqual(times[3], ['2017-03-15T05:05:01.000Z', 'zone']);
  // boot = 05:05:01 - 18014 s; + 18143.004411 s = 05:07:10.004
  assert.deepEqual(times[4], ['2017-03-15T05:07:10.004Z', 'uptime']);
  assert.equal(outs[4]?.events[0]?.event.action, 'hung-task');
});

test('a syslog line with wall clock and [uptime] teaches the boot time to later dmesg lines; a reboot forgets it', () => {
  const outs = parseLines([LOCKUP, '[18022.345678] ten seconds later', '-- Reboot --', '[5.000000] after the reboot'], {
    mtime: '2017-03-16T00:00:00.000Z',
  });
  // The boot time rests on a syslog stamp whose year came from the file's mtime: the uptime line says so too.
  assert.deepEqual(outs[1]?.events[0]?.hangwatch.time, { basis: 'uptime', year: 'file-mtime' });
  assert.equal(outs[1]?.events[0]?.['@timestamp'], '2017-03-15T13:05:11.000Z');
  assert.equal(outs[2]?.events.length, 0);
  assert.equal(outs[2]?.deadletters.length, 0);
  assert.equal(outs[3]?.events[0]?.hangwatch.time.basis, 'inherited');
});

test('kvm MSR lines, old and new wording', () => {
  const outs = parseLines([
    'Mar 15 12:58:30 sc7 kernel: [17621.004512] kvm [4573]: vcpu0 unhandled rdmsr: 0x34',
    'Mar 15 12:58:31 sc7 kernel: kvm [1234]: vcpu1, guest rIP: 0xfffff80002a3b5c0 unhandled wrmsr: 0x40000101 data 0x0',
    'Mar 15 12:58:31 sc7 kernel: kvm: vcpu0, guest rIP: 0xfffff80002a3b5c0 ignored rdmsr: 0x1C9',
    'Sep  4 22:56:17 PC kernel: kvm_amd: kvm [67539]: vcpu3, guest rIP: 0xfffff8547ad7624d Unhandled WRMSR(0xc0010115) = 0x0',
  ]);
  const got = outs.map((o) => [o.events[0]?.event.action, o.events[0]?.linux?.kernel?.msr, o.events[0]?.linux?.kernel?.vcpu, o.events[0]?.process?.pid]);
  assert.deepEqual(got, [
    ['kvm-msr', '0x34', 0, 4573],
    ['kvm-msr', '0x40000101', 1, 1234],
    ['kvm-msr', '0x1c9', 0, undefined],
    ['kvm-msr', '0xc0010115', 3, 67539],
  ]);
});

test('classification of the other messages that matter', () => {
  const outs = parseLines([
    'Mar 15 13:06:30 sc7 kernel: [18101.512345] INFO: rcu_sched self-detected stall on CPU { 3}  (t=60000 jiffies g=1 c=0 q=9)',
    'Mar 15 13:06:31 sc7 kernel: rcu: INFO: rcu_sched detected stalls on CPUs/tasks:',
    'Mar 15 13:08:40 sc7 kernel: [18231.120000] blk_update_request: I/O error, dev sdb, sector 123',
    'Mar 15 13:09:04 sc7 kernel: KVM internal error. Suberror: 1',
    'Mar 15 13:09:05 sc7 kernel: kvm: emulation failure',
    'Mar 15 13:09:06 sc7 kernel: kvm: exiting hardware virtualization',
    'Mar 15 13:09:07 sc7 kernel: INFO: task that the grammar does not know',
    'Mar 15 13:09:08 sc7 libvirtd[2417]: internal error: End of file from monitor',
  ]);
  const got = outs.map((o) => {
    const e = o.events[0];
    return [e?.event.action, e?.hangwatch.parse.flags, e?.linux?.kernel?.cpu ?? e?.linux?.kernel?.device ?? e?.process?.name];
  });
  assert.deepEqual(got, [
    ['soft-lockup', ['rcu-stall'], 3],
    ['soft-lockup', ['rcu-stall'], undefined],
    ['disk-error', undefined, 'sdb'],
    ['kvm-internal-error', undefined, undefined],
    ['kvm-internal-error', undefined, undefined],
    ['other', undefined, undefined],
    ['other', ['kernel-message-unrecognized'], undefined],
    ['other', undefined, 'libvirtd'],
  ]);
  assert.equal(outs[7]?.events[0]?.process?.pid, 2417);
});

test('NUL padding before a good line is skipped and flagged; blank lines emit nothing', () => {
  const outs = parseLines([`\u0000\u0000\u0000${LOCKUP}`, '', '   ']);
  assert.equal(outs[0]?.events[0]?.event.action, 'soft-lockup');
  assert.deepEqual(outs[0]?.events[0]?.hangwatch.parse.flags, ['nul-bytes']);
  assert.deepEqual([outs[1]?.events.length, outs[1]?.deadletters.length, outs[2]?.events.length, outs[2]?.deadletters.length], [0, 0, 0, 0]);
});

test('an impossible date is a dead letter that says why', () => {
  const [out] = parseLines(['Feb 30 13:05:01 sc7 kernel: [1.0] x']);
  assert.equal(out?.events.length, 0);
  assert.equal(out?.deadletters[0]?.error.code, 'HW_TIME_INVALID');
  assert.match(out?.deadletters[0]?.error.message ?? '', /Feb 30/);
});

test('a syslog line without a host field: the tag is not a host, the hung task is kept', () => {
  const [out] = parseLines(['Jun  2 10:11:12 kernel: [ 123.456] INFO: task qemu-kvm:4573 blocked for more than 120 seconds.'], { mtime: '2017-07-01T00:00:00.000Z' });
  const e = out?.events[0];
  assert.equal(e?.host?.name, 'sc7');
  assert.equal(e?.event.action, 'hung-task');
  assert.deepEqual(e?.linux?.kernel, { uptime_s: 123.456, task: 'qemu-kvm:4573', stuck_s: 120 });
  assert.equal(e?.['@timestamp'], '2017-06-02T10:11:12.000Z');
});

test('month names of the common locales, and an unknown one is not read as a month', () => {
  const outs = parseLines(['Mär 15 13:05:01 sc7 kernel: de', 'févr. 15 13:05:01 sc7 kernel: fr', 'мар 15 13:05:01 sc7 kernel: ru', ' 3月 15 13:05:01 sc7 kernel: ja', 'Foo 15 13:05:01 sc7 kernel: x'], { mtime: '2017-03-20T00:00:00.000Z' });
  assert.deepEqual(
    outs.slice(0, 4).map((o) => o.events[0]?.['@timestamp']),
    ['2017-03-15T13:05:01.000Z', '2017-02-15T13:05:01.000Z', '2017-03-15T13:05:01.000Z', '2017-03-15T13:05:01.000Z'],
  );
  assert.equal(outs[4]?.deadletters[0]?.error.code, 'HW_TIME_INVALID');
  assert.match(outs[4]?.deadletters[0]?.error.message ?? '', /no month name of a known locale/);
});

/** Lines of several formats and files of one host through one SourceStates, as analyze feeds them. */
function parseHostFiles(files: ReadonlyArray<{ path: string; format: 'kernel' | 'libvirtd'; mtime: string; lines: readonly string[] }>, yearReferenceMs?: number) {
  const states = new SourceStates();
  const options = { maxRecordBytes: 1 << 20, validate: true, ...(yearReferenceMs !== undefined ? { yearReferenceMs } : {}) };
  return files.map((file) =>
    file.lines.flatMap((line, i) => {
      const record: RawRecord = { bytes: Buffer.from(line), host: 'sc7', path: file.path, format: file.format, fingerprint: file.path, offset: i * 200, created: '2026-01-01T00:00:00.000Z', mtime: file.mtime };
      return parseRecord(record, FORMAT_PARSERS, states, options).events;
    }),
  );
}

const LIBVIRTD_LINE = '2017-03-15 05:09:01.123+0000: 2417: error : qemuMonitorIO:689 : internal error: End of file from monitor';

test('years: the same host\'s dated records win over a fresh file mtime (nearest year, either side)', () => {
  const [, kernel] = parseHostFiles([
    { path: '/var/log/libvirt/libvirtd.log', format: 'libvirtd', mtime: '2026-01-01T00:00:00.000Z', lines: [LIBVIRTD_LINE] },
    { path: '/var/log/kern.log', format: 'kernel', mtime: '2026-01-01T00:00:00.000Z', lines: ['Mar 15 05:08:40 sc7 kernel: [18231.1] blk_update_request: I/O error, dev sdb, sector 0', 'Sep  1 00:00:00 sc7 kernel: in the months after the reference', 'Dec 31 23:00:00 sc7 kernel: before it'] },
  ]);
  assert.deepEqual(
    kernel?.map((e) => [e['@timestamp'], e.hangwatch.time.year]),
    [
      ['2017-03-15T05:08:40.000Z', 'host-records'],
      ['2017-09-01T00:00:00.000Z', 'host-records'],
      ['2016-12-31T23:00:00.000Z', 'host-records'],
    ],
  );
});

test('years: --year-reference wins over the host\'s records and over dates inside the file', () => {
  const [, kernel] = parseHostFiles(
    [
      { path: '/var/log/libvirt/libvirtd.log', format: 'libvirtd', mtime: '2026-01-01T00:00:00.000Z', lines: [LIBVIRTD_LINE] },
      { path: '/var/log/kern.log', format: 'kernel', mtime: '2026-01-01T00:00:00.000Z', lines: ['Mar 15 13:06:03 sc7 kernel: [101.0] audit: type=1400 audit(1426395963.000:42): apparmor="STATUS"', 'Mar 15 13:06:04 sc7 kernel: next'] },
    ],
    Date.parse('2019-06-01T00:00:00Z'),
  );
  assert.deepEqual(
    kernel?.map((e) => [e['@timestamp'].slice(0, 4), e.hangwatch.time.year]),
    [
      ['2019', 'reference'],
      ['2019', 'reference'],
    ],
  );
});

test('years: a kernel log with no dated record of its host falls back to its mtime (closest before), then to the read time', () => {
  const [kernel] = parseHostFiles([{ path: '/var/log/kern.log', format: 'kernel', mtime: '2018-01-01T00:00:30.000Z', lines: ['Dec 31 23:59:58 sc7 kernel: before midnight', 'Jan  1 00:00:02 sc7 kernel: after'] }]);
  assert.deepEqual(
    kernel?.map((e) => [e['@timestamp'], e.hangwatch.time.year]),
    [
      ['2017-12-31T23:59:58.000Z', 'file-mtime'],
      ['2018-01-01T00:00:02.000Z', 'file-mtime'],
    ],
  );
  const [out] = parseLines(['Mar 19 10:00:00 sc7 kernel: hello']);
  assert.equal(out?.events[0]?.hangwatch.time.year, 'ingest');
});

test('years: Feb 29 takes the nearest leap year to the host\'s records', () => {
  const [, kernel] = parseHostFiles([
    { path: '/var/log/libvirt/libvirtd.log', format: 'libvirtd', mtime: '2026-01-01T00:00:00.000Z', lines: ['2017-01-10 05:09:01.123+0000: 2417: info : x:1 : y'] },
    { path: '/var/log/kern.log', format: 'kernel', mtime: '2026-01-01T00:00:00.000Z', lines: ['Feb 29 10:00:00 sc7 kernel: leap'] },
  ]);
  assert.equal(kernel?.[0]?.['@timestamp'], '2016-02-29T10:00:00.000Z');
});

test('an inferred year never dates the host: kernel lines do not become the reference of other kernel files', () => {
  const [first, second] = parseHostFiles([
    { path: '/var/log/kern.log.1', format: 'kernel', mtime: '2017-03-20T00:00:00.000Z', lines: ['Mar 15 13:05:01 sc7 kernel: from mtime'] },
    { path: '/var/log/kern.log', format: 'kernel', mtime: '2020-03-20T00:00:00.000Z', lines: ['Mar 15 13:05:01 sc7 kernel: from its own mtime'] },
  ]);
  assert.equal(first?.[0]?.['@timestamp'].slice(0, 4), '2017');
  assert.deepEqual([second?.[0]?.['@timestamp'].slice(0, 4), second?.[0]?.hangwatch.time.year], ['2020', 'file-mtime']);
});

test('dead letters of what is no log record say what it is', () => {
  const outs = parseLines(['root@sc7:~# dmesg -T', '[root@node14 ~]# ', '...', '13:05:01 sc7 kernel: a time alone']);
  assert.deepEqual(
    outs.map((o) => o.deadletters[0]?.error.message),
    [
      'no grammar accepted the record: not a log record: a shell prompt and command ("root@sc7:~# dmesg -T")',
      'no grammar accepted the record: not a log record: a shell prompt ("[root@node14 ~]#")',
      'no grammar accepted the record: not a log record: an elision or a markdown fence ("...")',
      'no grammar accepted the record: a time stamp in a form no kernel log writer uses: "13:05:01 sc7 kernel: a time alone"',
    ],
  );
});

test('a wall broadcast: host and time from its header, the message line is the event', () => {
  const outs = parseLines(['\r\u0007Message from syslogd@plot-071 at Jun 17 13:06:42 ...', ' kernel:[405108.698255] watchdog: BUG: soft lockup - CPU#2 stuck for 22s! [chia_plot:29632]'], { mtime: '2021-07-01T00:00:00.000Z' });
  assert.deepEqual([outs[0]?.events.length, outs[0]?.deadletters.length], [0, 0]);
  const e = outs[1]?.events[0];
  assert.equal(e?.['@timestamp'], '2021-06-17T13:06:42.000Z');
  assert.equal(e?.host?.name, 'plot-071');
  assert.equal(e?.event.action, 'soft-lockup');
  assert.deepEqual(e?.linux?.kernel, { uptime_s: 405108.698255, cpu: 2, stuck_s: 22, task: 'chia_plot:29632' });
  assert.deepEqual(e?.hangwatch.time, { basis: 'zone', zone: '+00:00', year: 'file-mtime' });
});
