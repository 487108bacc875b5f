import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { parseRecord, SourceStates } from '../../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../../services/parser/core/registry.js';
import { readStreamRecords } from '../../../services/parser/adapters/read-file-records.js';
import { describeRealLogs, FIXED_CREATED, parseRealLog, REAL_LOGS_DIR } from './harness.js';

// Real public qemu records (test/fixtures/real-logs/qemu, origins in ../SOURCES.md): each file against its golden
// key fields, and the key facts of each file asserted one by one.
describeRealLogs('qemu', test);

const byAction = (events: readonly EcsEvent[], action: string) => events.filter((e) => e.event.action === action);
const one = (events: readonly EcsEvent[], action: string): EcsEvent => {
  const found = byAction(events, action);
  assert.equal(found.length, 1, `one ${action}`);
  return found[0] as EcsEvent;
};

/** The file read as if it lay where libvirt writes it (/var/log/libvirt/qemu/<vm>.log): the file name is the domain. */
async function parseAsDomainLog(name: string, vm: string): Promise<EcsEvent[]> {
  const states = new SourceStates();
  const events: EcsEvent[] = [];
  const source = { path: `/var/log/libvirt/qemu/${vm}.log`, host: 'kvm1', format: 'qemu' as const, maxRecordBytes: 16 << 20, created: FIXED_CREATED, fingerprint: 'fp' };
  for await (const record of readStreamRecords(createReadStream(join(REAL_LOGS_DIR, 'qemu', name)), source)) {
    const out = parseRecord(record, FORMAT_PARSERS, states, { maxRecordBytes: 16 << 20, validate: true });
    assert.equal(out.deadletters.length, 0);
    events.push(...out.events);
  }
  return events;
}

test('debian10: libvirt 6.9 header, the 67-line command line folded into one vm-config, MSR warnings, failed start', async () => {
  const { records, events, deadletters } = await parseRealLog('qemu', 'debian10.log');
  assert.deepEqual([records, events.length, deadletters.length], [8, 8, 0]);
  const start = one(events, 'vm-start');
  assert.equal(start['@timestamp'], '2020-12-13T17:49:15.028Z');
  assert.deepEqual([start.host?.name, start.libvirt?.version, start.qemu?.version], ['xps13.dannf', '6.9.0', '5.2.0']);
  const config = one(events, 'vm-config');
  assert.equal(config.event.original?.split('\n').length, 67); // LC_ALL=C \ ... -msg timestamp=on: lines 2-68 of 74
  assert.equal(config.log?.offset, 283);
  assert.deepEqual(config.libvirt?.domain, { name: 'debian10', uuid: '623816ab-33f1-420d-9fc6-2a11afb5715d' });
  assert.equal(config.hangwatch.attribution, 'record');
  assert.equal(config.hangwatch.parse.flags, undefined);
  assert.equal(config.qemu?.cpu?.model, 'Skylake-Client-IBRS');
  assert.equal(config.qemu?.cpu?.flags?.length, 20);
  assert.deepEqual(config.qemu?.cpu?.flags?.slice(-3), ['pschange-mc-no', '-hle', '-rtm']);
  assert.ok(config.qemu?.cpu?.flags?.includes('vmx'));
  assert.equal(config.qemu?.cpu?.properties, undefined);
  assert.deepEqual(config.qemu?.hyperv, []);
  assert.equal(config.qemu?.machine, 'pc-q35-5.0');
  assert.deepEqual(config.qemu?.net?.mac, ['52:54:00:86:da:65']);
  const msr = byAction(events, 'cpu-feature-unsupported');
  assert.deepEqual(msr.map((e) => e.qemu?.cpuid?.feature), ['vmx-exit-load-perf-global-ctrl', 'vmx-entry-load-perf-global-ctrl', 'vmx-exit-load-perf-global-ctrl', 'vmx-entry-load-perf-global-ctrl']);
  assert.ok(msr.every((e) => e.hangwatch.time.basis === 'explicit' && e.libvirt?.domain?.name === 'debian10'));
  const stop = one(events, 'vm-shutdown');
  assert.deepEqual([stop['@timestamp'], stop.qemu?.shutdown?.reason], ['2020-12-13T17:49:16.145Z', 'failed']);
  // Where libvirt writes it, every line names its domain by the file, the header included.
  const asLogged = await parseAsDomainLog('debian10.log', 'debian10');
  assert.ok(asLogged.every((e) => e.libvirt?.domain?.name === 'debian10'));
  assert.equal(one(asLogged, 'vm-start').hangwatch.attribution, 'file');
});

test('gpu-passthrough-97: a backtick-led header, a command line cut at the end of the paste: vm-config flagged partial', async () => {
  const { records, events, deadletters } = await parseRealLog('qemu', 'gpu-passthrough-97-libvirt9.2-head.log');
  assert.deepEqual([records, events.length, deadletters.length], [2, 2, 0]);
  const start = one(events, 'vm-start');
  assert.deepEqual([start['@timestamp'], start.host?.name, start.libvirt?.version, start.qemu?.version], ['2023-05-03T22:32:02.815Z', 'mango-ms7c37', '9.2.0', '8.0.0']);
  const config = one(events, 'vm-config');
  assert.deepEqual(config.hangwatch.parse.flags, ['partial-command-line']);
  assert.equal(config.libvirt?.domain?.name, 'win11');
  assert.equal(config.event.original?.split('\n').length, 13);
  // No -cpu before the cut: unknown, not "no enlightenments".
  assert.equal(config.qemu?.cpu, undefined);
  assert.equal(config.qemu?.hyperv, undefined);
  assert.deepEqual(config.qemu?.drives, ['/usr/share/edk2/x64/OVMF_CODE.fd', '/var/lib/libvirt/qemu/nvram/win11_VARS.fd']);
});

test('insights INSTANCE_002: the qemu-kvm stderr stamp with a blank for the T is read as UTC', async () => {
  const { events } = await parseRealLog('qemu', 'insights-instance-002-rhel7.log');
  const start = one(events, 'vm-start');
  assert.deepEqual([start.host?.name, start.libvirt?.version, start.qemu?.version], ['f1.example.com', '2.0.0', '2.6.0']);
  const vnc = events[1] as EcsEvent;
  assert.deepEqual([vnc['@timestamp'], vnc.hangwatch.time.basis, vnc.process?.name, vnc.log?.level], ['2019-04-26T06:55:21.280Z', 'explicit', 'qemu-kvm', 'error']);
  assert.match(vnc.message ?? '', /^-vnc .*Failed to start VNC server/);
});

test('oscar-kernel-1 and svsm-1081: guest output is `other`, the KVM error and its register dump one error', async () => {
  for (const [name, guestLines, head] of [
    ['oscar-kernel-1-kvm-internal-error.log', 2, 'KVM internal error. Suberror: 1'],
    ['svsm-1081-kvm-entry-failed.log', 7, 'KVM: entry failed, hardware error 0x0'],
  ] as const) {
    const { records, events, deadletters } = await parseRealLog('qemu', name);
    assert.equal(deadletters.length, 0);
    assert.equal(events.length, records);
    assert.deepEqual(events.slice(0, guestLines).map((e) => e.event.action), Array(guestLines).fill('other'));
    const errors = byAction(events, 'kvm-internal-error');
    assert.equal(errors.length, records - guestLines);
    assert.equal(errors[0]?.message, head);
    assert.equal(errors[0]?.hangwatch.parse.flags, undefined);
    assert.ok(errors.slice(1).every((e) => e.hangwatch.parse.flags?.includes('continuation') && e.log?.level === 'error'));
  }
});

test('virtmanager-481: backslashes lost in the paste, still one command line; swtpm names the domain', async () => {
  const { records, events, deadletters } = await parseRealLog('qemu', 'virtmanager-481-libvirt8.6-backslashes-lost.log');
  assert.deepEqual([records, events.length, deadletters.length], [5, 5, 0]);
  assert.deepEqual(events.map((e) => e.event.action), ['vm-shutdown', 'other', 'other', 'vm-start', 'vm-config']);
  const swtpm = events[2] as EcsEvent;
  assert.deepEqual([swtpm.process?.name, swtpm.libvirt?.domain?.name, swtpm.hangwatch.attribution], ['swtpm', 'Windows-10', 'record']);
  const config = one(events, 'vm-config');
  assert.equal(config.event.original?.split('\n').length, 12);
  assert.deepEqual(config.hangwatch.parse.flags, ['partial-command-line', 'backslashes-lost']);
  assert.equal(config.libvirt?.domain?.name, 'Windows-10');
  assert.equal(config.qemu?.machine, 'pc-q35-4.2');
  assert.equal(config.qemu?.hyperv, undefined);
  assert.equal(one(events, 'vm-start').host?.name, 'Desktop-1d');
});

test('win10-libvirt8.6: previous shutdown, swtpm start, header, and the command line cut after 10 lines', async () => {
  const { records, events, deadletters } = await parseRealLog('qemu', 'win10-libvirt8.6-tpm-head.log');
  assert.deepEqual([records, events.length, deadletters.length], [5, 5, 0]);
  assert.equal(one(events, 'vm-shutdown').qemu?.shutdown?.reason, 'shutdown');
  const config = one(events, 'vm-config');
  assert.equal(config.event.original?.split('\n').length, 10);
  assert.deepEqual(config.hangwatch.parse.flags, ['partial-command-line']);
  assert.equal(config.libvirt?.domain?.name, 'Windows-10');
  assert.equal(config['@timestamp'], '2023-01-20T14:12:05.828Z');
});

test('win11-libvirt12-middle: a command line tail, the guest paused on a full disk, SIGTERM from libvirtd, the next start cut', async () => {
  const { records, events, deadletters } = await parseRealLog('qemu', 'win11-libvirt12-middle.log');
  assert.deepEqual([records, events.length, deadletters.length], [9, 9, 0]);
  const [tail, , , , , , , , next] = events as EcsEvent[];
  assert.equal(tail?.event.action, 'vm-config');
  assert.deepEqual(tail?.hangwatch.parse.flags, ['partial-command-line']);
  assert.equal(tail?.event.original?.split('\n').length, 6);
  const io = one(events, 'vm-io-error');
  assert.deepEqual([io['@timestamp'], io.hangwatch.time.basis, io.log?.level], ['2026-04-27T15:13:00.598Z', 'explicit', 'error']);
  assert.deepEqual(io.qemu?.io_error, { device: 'sata0-0-0', node_name: 'libvirt-2-format', reason: 'No space left on device' });
  const signal = one(events, 'vm-terminated-signal');
  assert.deepEqual([signal['@timestamp'], signal.qemu?.signal, signal.process?.name], ['2026-04-27T15:16:36.138Z', { number: 15, sender_pid: 55567 }, 'qemu-system-x86_64']);
  assert.equal(one(events, 'vm-shutdown').qemu?.shutdown?.reason, 'destroyed');
  assert.equal(one(events, 'vm-start').host?.name, 'jessey-arch');
  assert.equal(next?.event.action, 'vm-config');
  assert.deepEqual(next?.hangwatch.parse.flags, ['partial-command-line']);
  assert.equal(next?.event.original, 'LC_ALL=C \\');
  // As /var/log/libvirt/qemu/win11.log the IO error is win11's, by the file name.
  const io11 = one(await parseAsDomainLog('win11-libvirt12-middle.log', 'win11'), 'vm-io-error');
  assert.deepEqual([io11.libvirt?.domain?.name, io11.hangwatch.attribution], ['win11', 'file']);
});

test('win7-2-forum-wrapped: glued lines split, hard-wrapped header and command line joined back, flagged', async () => {
  const { records, events, deadletters } = await parseRealLog('qemu', 'win7-2-forum-wrapped.log');
  assert.deepEqual([records, events.length, deadletters.length], [11, 12, 0]);
  const [taint, pty] = events as EcsEvent[];
  assert.deepEqual([taint?.message, taint?.['@timestamp']], ['Domain id=2 is tainted: host-cpu', '2018-11-23T23:37:38.506Z']);
  assert.deepEqual([pty?.['@timestamp'], pty?.process?.name], ['2018-11-23T23:37:38.556Z', 'qemu-system-x86_64']);
  assert.ok([taint, pty].every((e) => e?.hangwatch.parse.flags?.includes('glued-lines')));
  const starts = byAction(events, 'vm-start');
  assert.equal(starts.length, 2);
  for (const start of starts) {
    assert.deepEqual([start.host?.name, start.libvirt?.version, start.qemu?.version, start.hangwatch.parse.flags], ['ubu-4690', '4.0.0', '2.11.1', ['hard-wrapped']]);
  }
  const config = one(events, 'vm-config');
  assert.deepEqual(config.hangwatch.parse.flags, ['hard-wrapped']);
  assert.equal(config.event.original?.split('\n').length, 15);
  assert.deepEqual(config.libvirt?.domain, { name: 'win7-2', uuid: '0188e3d0-cfd7-43b8-912d-6baf699345c5' });
  assert.deepEqual(config.qemu?.cpu, { model: 'host', flags: [] });
  assert.deepEqual(config.qemu?.hyperv, []);
  assert.equal(config.qemu?.machine, 'pc-i440fx-bionic');
  assert.deepEqual(config.qemu?.smp, { cpus: 2, sockets: 2, cores: 1, threads: 1 });
  assert.equal(config.qemu?.rtc?.base, 'localtime');
  // Words cut by the wrap come back whole: the OVMF path, `-smp`, `-no-shutdown`, the last -device.
  assert.deepEqual(config.qemu?.drives, ['/usr/share/OVMF/OVMF_CODE.fd', '/var/lib/libvirt/qemu/nvram/win7-2_VARS.fd', '/dev/sdc', '/media/root/md0/Windows.iso']);
  const shutdowns = byAction(events, 'vm-shutdown').map((e) => e.qemu?.shutdown?.reason);
  assert.deepEqual(shutdowns, ['destroyed', 'destroyed', 'failed']);
});
