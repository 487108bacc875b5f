import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import type { EcsEvent } from '../../shared/schema/event.js';
import type { RawRecord } from '../../shared/raw-record.js';
import { parseZone } from '../../shared/time.js';
import { detectFormat } from '../../services/parser/core/detect-format.js';
import type { ParseOptions } from '../../services/parser/core/event-draft.js';
import { libvirtdParser } from '../../services/parser/core/formats/libvirtd.js';
import { parseRecord, SourceStates, type ParseOutcome } from '../../services/parser/core/parse-record.js';
import { assertGolden, listFixtures, parseFile, registryOf } from './golden.js';

const dir = join(import.meta.dirname, 'fixtures', 'libvirtd');
const registry = registryOf(libvirtdParser);

for (const file of listFixtures(dir)) {
  test(`libvirtd golden: ${file.split('/').pop()}`, () => {
    assertGolden(file, parseFile(file, registry, { format: 'libvirtd', framing: 'lines', host: 'sc7', path: '/var/log/libvirt/libvirtd.log' }));
  });
}

for (const file of listFixtures(join(dir, 'invalid'))) {
  test(`libvirtd invalid input is a dead letter: ${file.split('/').pop()}`, () => {
    const outcome = parseFile(file, registry, { format: 'libvirtd', framing: 'lines' });
    assert.equal(outcome.events.length, 0);
    assert.ok(outcome.deadletters.length > 0);
    for (const letter of outcome.deadletters) {
      assert.equal(letter.hangwatch.stage, 'parse');
      assert.match(letter.error.code, /^HW_(PARSE_NO_MATCH|TIME_INVALID)$/);
      assert.equal(letter.hangwatch.original.sha256.length, 64);
    }
  });
}

test('the seed libvirtd log: every line parses, monitor EOFs and busy log files are recognized', () => {
  const { events, deadletters } = parseFile(join(dir, 'seed-sc7.log'), registry, { format: 'libvirtd', framing: 'lines', host: 'sc7' });
  assert.equal(deadletters.length, 0);
  assert.equal(events.length, 18);
  const actions = events.map((e) => e.event.action);
  assert.equal(actions.filter((a) => a === 'monitor-eof').length, 3);
  assert.equal(actions.filter((a) => a === 'migration-failed').length, 3);
  assert.equal(actions.filter((a) => a === 'storage-permission').length, 6);
  const busy = events.filter((e) => e.event.action === 'log-open-busy').map((e) => e.libvirt?.domain?.name);
  assert.deepEqual(busy, ['vm105', 'vm102', 'vm105', 'vm113']);
  const eof = events.find((e) => e.event.action === 'monitor-eof');
  assert.equal(eof?.['@timestamp'], '2017-03-15T06:03:48.180Z');
  assert.equal(eof?.process?.thread?.id, 13914);
  assert.equal(eof?.log?.origin?.function, 'qemuMonitorIO');
  assert.equal(eof?.log?.origin?.file?.line, 689);
  const version = events.find((e) => e.event.action === 'daemon-start');
  assert.equal(version?.libvirt?.version, '1.3.1');
  assert.equal(events.find((e) => e.event.action === 'daemon-info')?.host?.name, 'sc7');
});

test('invalid UTF-8 is replaced, flagged and parsed like any other line', () => {
  const { events } = parseFile(join(dir, 'invalid-utf8.log'), registry, { format: 'libvirtd', framing: 'lines' });
  assert.equal(events.length, 1);
  assert.equal(events[0]?.event.action, 'monitor-eof');
  assert.deepEqual(events[0]?.hangwatch.parse.flags, ['invalid-utf8']);
  assert.ok(events[0]?.event.original?.includes('\uFFFD'));
});

test('event ids are deterministic and distinct per offset', () => {
  const a = parseFile(join(dir, 'seed-sc7.log'), registry, { format: 'libvirtd', framing: 'lines', host: 'sc7' });
  const b = parseFile(join(dir, 'seed-sc7.log'), registry, { format: 'libvirtd', framing: 'lines', host: 'sc7' });
  assert.deepEqual(a.events.map((e) => e.event.id), b.events.map((e) => e.event.id));
  assert.equal(new Set(a.events.map((e) => e.event.id)).size, a.events.length);
});

test('a hyper-v panic line carries the normalized bugcheck', () => {
  const { events } = parseFile(join(dir, 'variants.log'), registry, { format: 'libvirtd', framing: 'lines' });
  const panic = events.find((e) => e.event.action === 'guest-panic');
  assert.deepEqual(panic?.windows?.bugcheck, {
    code: '0x00000101',
    name: 'CLOCK_WATCHDOG_TIMEOUT',
    parameters: ['0x61', '0x0', '0x807a3120', '0x1'],
    arguments: { timeout_ticks: 97, prcb: '0x807a3120', processor: 1 },
  });
});

// The shapes hosts write libvirt in, beyond the golden files: each test states the fact a diagnosis relies on.

interface LineOptions {
  readonly host?: string;
  readonly mtime?: string;
  readonly parseOptions?: Partial<ParseOptions>;
  readonly time?: string;
}

function parseLines(lines: readonly string[], options: LineOptions = {}): ParseOutcome {
  const states = new SourceStates();
  const events: ParseOutcome['events'] = [];
  const deadletters: ParseOutcome['deadletters'] = [];
  let offset = 0;
  for (const line of lines) {
    const bytes = Buffer.from(line);
    const record: RawRecord = {
      bytes,
      host: options.host ?? 'kvm01',
      path: '/var/log/journal-libvirtd.txt',
      format: 'libvirtd',
      fingerprint: 'lines',
      offset,
      created: '2026-01-01T00:00:00.000Z',
      mtime: options.mtime ?? '2025-12-31T00:00:00.000Z',
      ...(options.time ? { time: options.time } : {}),
    };
    offset += bytes.length + 1;
    const outcome = parseRecord(record, registry, states, { maxRecordBytes: 1 << 20, validate: true, ...options.parseOptions });
    events.push(...outcome.events);
    deadletters.push(...outcome.deadletters);
  }
  return { events, deadletters };
}

function only(lines: readonly string[], options?: LineOptions): EcsEvent {
  const { events, deadletters } = parseLines(lines, options);
  assert.deepEqual(deadletters.map((d) => d.error.message), []);
  assert.equal(events.length, lines.length);
  return events[events.length - 1] as EcsEvent;
}

test('syslog month names of the common glibc locales give the right month', () => {
  const months: Array<[string, string]> = [
    ['Mar', '03'], ['Mär', '03'], ['mars', '03'], ['févr.', '02'], ['ene', '01'], ['gen', '01'], ['fev', '02'], ['mrt', '03'],
    ['мар', '03'], ['дек', '12'], [' 3月', '03'], ['12月', '12'], ['Okt', '10'], ['dic', '12'], ['mai', '05'], ['out', '10'],
  ];
  for (const [name, month] of months) {
    const e = only([`${name} 15 06:03:48 kvm01 virtqemud[1234]: internal error: End of file from qemu monitor (vm='win10')`]);
    assert.equal(e['@timestamp'], `2025-${month}-15T06:03:48.000Z`, name);
    assert.equal(e.event.action, 'monitor-eof', name);
    assert.equal(e.libvirt?.domain?.name, 'win10', name);
  }
});

test('syslog and journalctl prefixes: pid or not, host or not, PRI, RFC 3339, short-full, short-unix, short-precise', () => {
  const cases: Array<[string, string, Partial<{ host: string; pid: number; program: string; basis: string }>]> = [
    ['Mar 15 06:03:48 kvm01 libvirtd[13914]: msg', '2025-03-15T06:03:48.000Z', { host: 'kvm01', pid: 13914, program: 'libvirtd', basis: 'zone' }],
    ['Mar 15 06:03:48 kvm01 virtqemud: msg', '2025-03-15T06:03:48.000Z', { host: 'kvm01', program: 'virtqemud' }],
    ['Mar 15 06:03:48 virtproxyd[77]: msg', '2025-03-15T06:03:48.000Z', { pid: 77, program: 'virtproxyd' }],
    ['<27>Mar 15 06:03:48 kvm01 virtnetworkd[5]: msg', '2025-03-15T06:03:48.000Z', { host: 'kvm01', program: 'virtnetworkd' }],
    ['Mar 15 06:03:48.123456 kvm01 virtstoraged[6]: msg', '2025-03-15T06:03:48.123Z', { program: 'virtstoraged' }],
    ['2024-01-05T10:20:30.123456+01:00 kvm01 virtnodedevd[7]: msg', '2024-01-05T09:20:30.123Z', { basis: 'explicit', program: 'virtnodedevd' }],
    ['2024-01-05T10:20:30+0100 kvm01 virtsecretd[8]: msg', '2024-01-05T09:20:30.000Z', { basis: 'explicit' }],
    ['Fri 2024-01-05 10:20:30 CET kvm01 virtinterfaced[9]: msg', '2024-01-05T09:20:30.000Z', { basis: 'explicit', program: 'virtinterfaced' }],
    ['1704446430.250000 kvm01 virtnwfilterd[10]: msg', '2024-01-05T09:20:30.250Z', { basis: 'explicit' }],
    ['Mar 15 06:03:48 kvm01 /usr/sbin/virtlogd[11]: msg', '2025-03-15T06:03:48.000Z', { program: 'virtlogd' }],
    ['Mar 15 06:03:48 kvm01 virtlockd[12]: msg', '2025-03-15T06:03:48.000Z', { program: 'virtlockd' }],
    ['<30>1 2024-01-05T10:20:30.123+01:00 kvm01 virtqemud 2200 - - msg', '2024-01-05T09:20:30.123Z', { host: 'kvm01', pid: 2200, program: 'virtqemud', basis: 'explicit' }],
    ['<30>1 2024-01-05T10:20:31Z kvm01 libvirtd - ID47 [a@1 b="c\\]"][d@2 e="f"] msg', '2024-01-05T10:20:31.000Z', { program: 'libvirtd' }],
  ];
  for (const [line, ts, want] of cases) {
    const e = only([line]);
    assert.equal(e['@timestamp'], ts, line);
    assert.equal(e.message, 'msg', line);
    assert.equal(e.event.dataset, 'libvirt.daemon', line);
    if (want.host) assert.equal(e.host?.name, want.host, line);
    if (want.pid !== undefined) assert.equal(e.process?.pid, want.pid, line);
    if (want.program) assert.equal(e.process?.name, want.program, line);
    if (want.basis) assert.equal(e.hangwatch.time.basis, want.basis, line);
  }
});

test('a year-less syslog line: year by the context rule, zone from configuration else UTC', () => {
  const bare = 'Dec 31 23:30:00 kvm01 libvirtd[1]: internal error: End of file from qemu monitor';
  const byMtime = only([bare], { mtime: '2026-01-02T00:00:00.000Z' });
  assert.equal(byMtime['@timestamp'], '2025-12-31T23:30:00.000Z');
  assert.deepEqual(byMtime.hangwatch.time, { basis: 'zone', zone: '+00:00', year: 'file-mtime' });
  const byHost = only(['2019-06-20 08:29:48.733+0000: 27612: error : qemuMonitorIO:718 : internal error: End of file from qemu monitor', bare]);
  assert.equal(byHost['@timestamp'], '2018-12-31T23:30:00.000Z');
  assert.equal(byHost.hangwatch.time.year, 'host-records');
  const zoned = only([bare], { parseOptions: { hostZone: parseZone('Asia/Shanghai') } });
  assert.equal(zoned['@timestamp'], '2025-12-31T15:30:00.000Z');
  assert.equal(zoned.hangwatch.time.zone, 'Asia/Shanghai');
  const referenced = only([bare], { parseOptions: { yearReferenceMs: Date.parse('2021-06-01T00:00:00Z') } });
  assert.equal(referenced['@timestamp'], '2020-12-31T23:30:00.000Z');
  assert.equal(referenced.hangwatch.time.year, 'reference');
});

test("libvirt's UTC stamp behind a syslog prefix wins, and its offset dates the same host's stampless lines", () => {
  const { events } = parseLines([
    'Oct 19 12:37:11 dom0 libvirtd[8423]: 2017-10-19 10:37:11.280+0000: 8455: error : virConnectOpenInternal:1118 : no connection driver available for qemu:///system',
    'Oct 19 12:37:12 dom0 systemd[1]: Stopping Virtualization daemon...',
    'Oct 19 12:37:13 other libvirtd[99]: internal error: End of file from qemu monitor',
  ]);
  assert.equal(events[0]?.['@timestamp'], '2017-10-19T10:37:11.280Z');
  assert.equal(events[0]?.hangwatch.time.basis, 'explicit');
  assert.equal(events[0]?.process?.thread?.id, 8455);
  assert.equal(events[0]?.process?.pid, 8423);
  assert.equal(events[1]?.['@timestamp'], '2017-10-19T10:37:12.000Z');
  assert.deepEqual(events[1]?.hangwatch.time, { basis: 'zone', zone: '+02:00', year: 'host-records' });
  // Another host field of the same file learned nothing.
  assert.equal(events[2]?.['@timestamp'], '2017-10-19T12:37:13.000Z');
  const configured = parseLines(
    ['Oct 19 12:37:11 dom0 libvirtd[8423]: 2017-10-19 10:37:11.280+0000: 8455: info : hostname: dom0', 'Oct 19 12:37:12 dom0 systemd[1]: Stopped Virtualization daemon.'],
    { parseOptions: { hostZone: parseZone('+05:00') } },
  );
  assert.equal(configured.events[1]?.['@timestamp'], '2017-10-19T07:37:12.000Z', 'configuration wins over learning');
});

test("systemd's lines about the libvirt daemons' units are daemon events, the journal's markers dead letters with a reason", () => {
  const lines: Array<[string, string]> = [
    ["Sep 01 06:24:33 h systemd[1]: libvirtd.service: Main process exited, code=dumped, status=6/ABRT", 'daemon-crash'],
    ["Sep 01 06:24:33 h systemd[1]: libvirtd.service: Failed with result 'core-dump'.", 'daemon-crash'],
    ['Sep 01 06:24:33 h systemd[1]: virtqemud.service: Main process exited, code=killed, status=11/SEGV', 'daemon-crash'],
    ['Sep 01 06:24:33 h systemd[1]: virtqemud.service: Main process exited, code=killed, status=15/TERM', 'daemon-stop'],
    ['Sep 01 06:24:33 h systemd[1]: libvirtd.service: Main process exited, code=exited, status=0/SUCCESS', 'daemon-stop'],
    ['Sep 01 06:24:33 h systemd[1]: libvirtd.service: Main process exited, code=exited, status=1/FAILURE', 'daemon-crash'],
    ['Sep 01 06:24:33 h systemd[1]: Unit libvirtd.service entered failed state.', 'daemon-crash'],
    ['Sep 01 06:24:33 h systemd[1]: Stopping Virtualization daemon...', 'daemon-stop'],
    ['Sep 01 06:24:33 h systemd[1]: Stopped libvirtd.service - libvirt legacy monolithic daemon.', 'daemon-stop'],
    ['Sep 01 06:24:33 h systemd[1]: virtqemud.service: Deactivated successfully.', 'daemon-stop'],
    ['Sep 01 06:24:33 h systemd[1]: virtlogd.service: Succeeded.', 'daemon-stop'],
    ['Sep 01 06:24:33 h systemd[1]: Starting Virtualization daemon...', 'daemon-start'],
    ['Sep 01 06:24:33 h systemd[1]: Started virtqemud.service - libvirt QEMU daemon.', 'daemon-start'],
    ['Sep 01 06:24:33 h systemd[1]: Started libvirt network daemon.', 'daemon-start'],
    ['Sep 01 06:24:33 h systemd[1]: Failed to start Virtualization daemon.', 'daemon-crash'],
    ['Sep 01 06:24:33 h systemd-coredump[7702]: Process 7180 (virtqemud) of user 0 dumped core.', 'daemon-crash'],
    ['Sep 01 06:24:33 h systemd[1]: Listening on libvirt QEMU daemon socket.', 'other'],
    ['Sep 01 06:24:33 h systemd[1]: libvirtd.service: Consumed 2.345s CPU time.', 'other'],
    ['Sep 01 06:24:33 h systemd[1]: Started Session 5 of User root.', 'other'],
  ];
  for (const [line, action] of lines) {
    const e = only([line]);
    assert.equal(e.event.action, action, line);
    assert.equal(e.event.dataset, 'libvirt.daemon', line);
  }
  const markers = ['-- Logs begin at Mon 2025-08-18 09:12:01 UTC, end at Mon 2025-09-01 06:30:05 UTC. --', '-- Boot 8d1c5a0f3b7e4c2a9f6e1d0b2a3c4d5e --', '-- No entries --', '-- Reboot --', '-- Subject: Unit libvirtd.service has failed'];
  const { events, deadletters } = parseLines(markers);
  assert.equal(events.length, 0);
  assert.equal(deadletters.length, markers.length);
  for (const d of deadletters) {
    assert.equal(d.error.code, 'HW_RECORD_INVALID');
    assert.match(d.error.message, /not a log record: (a journalctl marker|journalctl -x catalog)/);
  }
});

test('libvirt messages without its prefix in a daemon journal keep their action and domain', () => {
  const tainted = only(["Sep 22 02:20:04 manner-box libvirtd[1]: Domain id=3 name='win10' uuid=d31e6f9e-034f-449e-8aea-3bccb5ac4654 is tainted: high-privileges"]);
  assert.equal(tainted.libvirt?.domain?.name, 'win10');
  assert.equal(tainted.libvirt?.domain?.uuid, 'd31e6f9e-034f-449e-8aea-3bccb5ac4654');
  const closed = only(["Sep 22 02:20:04 manner-box virtqemud[1234]: internal error: QEMU unexpectedly closed the monitor (vm='win10'): 2025-09-22T02:20:04.719113Z qemu-system-x86_64: -blockdev {\"node-name\":\"libvirt-5-storage\"}: Could not open"]);
  assert.equal(closed.event.action, 'monitor-error');
  assert.equal(closed.libvirt?.domain?.name, 'win10');
  assert.equal(closed.hangwatch.attribution, 'record');
  const nodeName = only(['Sep 22 02:20:05 manner-box virtqemud[1234]: internal error: process exited while connecting to monitor: qemu-system-x86_64: -blockdev driver=file,node-name=libvirt-1-storage: Could not open']);
  assert.equal(nodeName.libvirt?.domain, undefined, "qemu's node-name= is not a domain name");
});

test('job-lock lines name their domain; the state-lock error takes it from its neighbour', () => {
  const { events } = parseLines([
    '2021-08-13 07:35:26.093+0000: 2418940: warning : qemuDomainObjBeginJobInternal:953 : Cannot start job (none, none, start) for domain vm_6_135; current job is (none, none, snapshot) owned by (0 <null>, 0 <null>, 4340 remoteDispatchDomainSnapshotCreateXML (flags=0x280)) for (0s, 0s, 74645s)',
    '2021-08-13 07:35:26.093+0000: 2418940: error : qemuDomainObjBeginJobInternal:975 : Timed out during operation: cannot acquire state change lock (held by monitor=remoteDispatchDomainSnapshotCreateXML)',
    '2021-08-13 07:35:26.094+0000: 2418941: error : qemuDomainObjBeginJobInternal:975 : Timed out during operation: cannot acquire state change lock (held by monitor=remoteDispatchDomainSnapshotCreateXML)',
    'Aug 22 04:01:03 manner-box libvirtd[66682]: Cannot start job (query, none, none) in API remoteDispatchDomainGetXMLDesc for domain win10; current job is (async nested, none, snapshot) owned by (66684 remoteDispatchDomainSnapshotCreateXML, 0 <null>, 66684 remoteDispatchDomainSnapshotCreateXML (flags=0x0)) for (30s, 0s, 30s)',
    'Aug 22 04:01:03 manner-box libvirtd[66682]: Timed out during operation: cannot acquire state change lock (held by monitor=remoteDispatchDomainSnapshotCreateXML)',
    'Aug 22 04:09:00 manner-box libvirtd[66682]: Timed out during operation: cannot acquire state change lock (held by monitor=remoteDispatchDomainSnapshotCreateXML)',
  ]);
  assert.deepEqual(
    events.map((e) => [e.event.action, e.libvirt?.domain?.name, e.hangwatch.attribution]),
    [
      ['job-lock', 'vm_6_135', 'record'],
      ['job-lock', 'vm_6_135', 'thread'],
      ['job-lock', undefined, undefined],
      ['job-lock', 'win10', 'record'],
      ['job-lock', 'win10', 'job'],
      ['job-lock', undefined, undefined],
    ],
  );
  assert.equal(events[1]?.['@timestamp'], '2021-08-13T07:35:26.093Z');
  assert.ok((events[1]?.hangwatch.attribution_confidence ?? 0) > 0.5);
});

test('KubeVirt virt-launcher JSON: libvirt lines with their function, time and domain; other lines are events too', () => {
  const libvirt = only([
    '{"component":"virt-launcher","level":"error","msg":"Unable to read from monitor: Connection reset by peer","pos":"qemuMonitorIORead:607","subcomponent":"libvirt","thread":"63","timestamp":"2019-08-12T16:34:22.589000Z"}',
  ]);
  assert.equal(libvirt['@timestamp'], '2019-08-12T16:34:22.589Z');
  assert.equal(libvirt.hangwatch.time.basis, 'explicit');
  assert.equal(libvirt.event.action, 'monitor-error');
  assert.equal(libvirt.event.dataset, 'libvirt.daemon');
  assert.equal(libvirt.log?.level, 'error');
  assert.deepEqual(libvirt.log?.origin, { function: 'qemuMonitorIORead', file: { line: 607 } });
  assert.equal(libvirt.process?.thread?.id, 63);
  const named = only(['{"component":"virt-launcher","kind":"","level":"info","msg":"Synced vmi","name":"vgpu","namespace":"default","pos":"server.go:208","timestamp":"2024-02-06T03:56:57.100779Z","uid":"1a49d592-c0a7-4d24-9eeb-3182cde347d4"}']);
  assert.equal(named.libvirt?.domain?.name, 'default_vgpu');
  assert.equal(named.event.action, 'other');
  assert.equal(named.log?.origin, undefined, "a Go file is not libvirt's function");
  const cri = only(['2024-02-06T03:57:05.839421000Z stderr F {"component":"virt-launcher","level":"error","msg":"internal error: End of file from qemu monitor (vm=\'default_vgpu\')","pos":"qemuMonitorIO:578","subcomponent":"libvirt"}']);
  assert.equal(cri['@timestamp'], '2024-02-06T03:57:05.839Z');
  assert.equal(cri.event.action, 'monitor-eof');
  assert.equal(cri.libvirt?.domain?.name, 'default_vgpu');
  const other = parseLines(['{"level":"info","msg":"reconciling","logger":"controller"}']);
  assert.equal(other.events.length, 0);
  assert.equal(other.deadletters[0]?.error.code, 'HW_PARSE_NO_MATCH');
});

test('systemctl status: the header is dead-lettered with a reason, Active: dates the unit state, journal lines and continuations parse', () => {
  const { events, deadletters } = parseLines([
    '× libvirtd.service - libvirt legacy monolithic daemon',
    '     Loaded: loaded (/etc/systemd/system/libvirtd.service; enabled; preset: ignored)',
    '     Active: failed (Result: core-dump) since Sun 2025-11-30 15:03:02 EST; 1min 0s ago',
    '   Main PID: 2972161 (code=dumped, signal=SEGV)',
    '             └─overrides.conf',
    '',
    'Nov 30 15:03:02 storage systemd-coredump[2972200]: Process 2972161 (libvirtd) of user 0 dumped core.',
    '                                                   Stack trace of thread 2972161:',
  ]);
  assert.deepEqual(
    events.map((e) => [e['@timestamp'], e.event.action, e.hangwatch.parse.flags]),
    [
      ['2025-11-30T20:03:02.000Z', 'daemon-crash', undefined],
      ['2025-11-30T15:03:02.000Z', 'daemon-crash', undefined],
      ['2025-11-30T15:03:02.000Z', 'other', ['continuation']],
    ],
  );
  assert.equal(events[2]?.process?.name, 'systemd-coredump');
  assert.equal(deadletters.length, 4);
  for (const d of deadletters) assert.match(d.error.message, /not a log record: .*systemctl status/);
});

test('markdown pasted around lines is stripped and flagged; prompts, fences and elisions are dead letters with a reason', () => {
  const { events, deadletters } = parseLines([
    '```',
    '$ journalctl -u virtqemud',
    "**Mar 15 06:03:48 kvm01 virtqemud[1234]: internal error: End of file from qemu monitor (vm='vm105')**",
    '2017-03-15 06:03:51.180+0000: 13914: warning : **qemuMonitorIO:689 : internal error: End of file from monitor',
    '`2017-03-15 06:03:52.180+0000: 13914: error : qemuMonitorIO:689 : internal error: End of file from monitor`',
    '...',
    '```',
  ]);
  assert.deepEqual(
    events.map((e) => [e.event.action, e.log?.origin?.function, e.message, e.hangwatch.parse.flags]),
    [
      ['monitor-eof', undefined, "internal error: End of file from qemu monitor (vm='vm105')", ['markdown-debris']],
      ['monitor-eof', 'qemuMonitorIO', 'internal error: End of file from monitor', ['markdown-debris']],
      ['monitor-eof', 'qemuMonitorIO', 'internal error: End of file from monitor', ['markdown-debris']],
    ],
  );
  assert.equal(deadletters.length, 4);
  for (const d of deadletters) assert.match(d.error.message, /not a log record: /);
});

test('a journald entry (time kept apart) still parses, systemd unit messages included', () => {
  const eof = only(['qemuMonitorIO:578 : internal error: End of file from qemu monitor'], { time: '2024-05-01T10:00:00.123Z' });
  assert.equal(eof['@timestamp'], '2024-05-01T10:00:00.123Z');
  assert.equal(eof.event.action, 'monitor-eof');
  const crash = only(["libvirtd.service: Failed with result 'core-dump'."], { time: '2024-05-01T10:00:01.000Z' });
  assert.equal(crash.event.action, 'daemon-crash');
  const guest = only(['Guest 12 went away'], { time: '2024-05-01T10:00:02.000Z' });
  assert.equal(guest.message, 'Guest 12 went away');
});

test('journalctl -o json entries: the journal time, libvirt function and priority, systemd unit messages', () => {
  const { events } = parseLines([
    '{"__CURSOR":"s=a;i=1","__REALTIME_TIMESTAMP":"1704446430123456","_HOSTNAME":"kvm01","SYSLOG_IDENTIFIER":"virtqemud","_PID":"2200","PRIORITY":"3","CODE_FUNC":"qemuMonitorIO","CODE_LINE":"578","MESSAGE":"internal error: End of file from qemu monitor (vm=\'db01\')"}',
    '{"__REALTIME_TIMESTAMP":"1704446431000000","_HOSTNAME":"kvm01","SYSLOG_IDENTIFIER":"systemd","_PID":"1","PRIORITY":"4","UNIT":"virtqemud.service","MESSAGE":"virtqemud.service: Failed with result \'core-dump\'."}',
    '{"__REALTIME_TIMESTAMP":"1704446432000000","SYSLOG_IDENTIFIER":"libvirtd","MESSAGE":[69,110,100,32,111,102,32,102,105,108,101,32,102,114,111,109,32,113,101,109,117,32,109,111,110,105,116,111,114]}',
  ]);
  assert.deepEqual(
    events.map((e) => [e['@timestamp'], e.hangwatch.time.basis, e.event.action, e.log?.level, e.log?.origin?.function, e.process?.name, e.host?.name, e.libvirt?.domain?.name]),
    [
      ['2024-01-05T09:20:30.123Z', 'explicit', 'monitor-eof', 'error', 'qemuMonitorIO', 'virtqemud', 'kvm01', 'db01'],
      ['2024-01-05T09:20:31.000Z', 'explicit', 'daemon-crash', 'warning', undefined, 'systemd', 'kvm01', undefined],
      ['2024-01-05T09:20:32.000Z', 'explicit', 'monitor-eof', undefined, undefined, 'libvirtd', undefined, undefined],
    ],
  );
});

test('format detection: the modular daemons log files and their syslog/journal/KubeVirt lines are libvirtd', () => {
  for (const name of ['virtqemud', 'virtproxyd', 'virtnetworkd', 'virtstoraged', 'virtnodedevd', 'virtsecretd', 'virtinterfaced', 'virtnwfilterd', 'virtlogd', 'virtlockd', 'libvirtd']) {
    assert.equal(detectFormat(`/var/log/libvirt/${name}.log`, 'anything'), 'libvirtd', name);
  }
  const lines = [
    'Mär 27 11:47:53 localhost virtqemud[7180]: 2025-03-27 10:47:53.335+0000: 7180: debug : virLogParseOutputs:1638 : outputs=1',
    'Sep 22 02:20:04 manner-box libvirtd[10546]: Unable to read from monitor: Connection reset by peer',
    'Mar 15 06:03:48 virtproxyd: msg',
    '2024-01-05T10:20:30.123456+01:00 kvm01 virtnetworkd[900]: msg',
    "Sep 01 06:24:33 manner-box systemd[1]: libvirtd.service: Failed with result 'core-dump'.",
    'Jun 08 13:37:55 nuc7 systemd[1]: Stopped Virtualization daemon.',
    'Mär 27 11:52:10 localhost systemd-coredump[7702]: Process 7180 (virtqemud) of user 0 dumped core.',
    '● libvirtd.service - Virtualization daemon',
    '<30>1 2024-01-05T10:20:30.123+01:00 kvm01 virtqemud 2200 - - msg',
    '{"__REALTIME_TIMESTAMP":"1704446430123456","SYSLOG_IDENTIFIER":"virtqemud","MESSAGE":"x"}',
    '{"component":"virt-launcher","level":"error","msg":"x","pos":"qemuMonitorIORead:607","subcomponent":"libvirt","timestamp":"2019-08-12T16:34:22.589000Z"}',
  ];
  for (const line of lines) assert.equal(detectFormat('paste.txt', line), 'libvirtd', line);
  assert.equal(detectFormat('paste.txt', 'Mar 15 06:03:48 kvm01 kernel: [1234.5] watchdog: BUG: soft lockup - CPU#3 stuck for 22s!'), 'kernel');
});
