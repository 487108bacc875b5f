import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { parseZone } from '../../../shared/time.js';
import { describeRealLogs, parseRealLog } from './harness.js';

// Real public libvirtd records (test/fixtures/real-logs/libvirtd, origins in ../SOURCES.md): each file against its
// golden key fields, and the facts a diagnosis takes from each file stated outright.
describeRealLogs('libvirtd', test);

const facts = (e: EcsEvent | undefined) => ({
  ts: e?.['@timestamp'],
  basis: e?.hangwatch.time.basis,
  action: e?.event.action,
  domain: e?.libvirt?.domain?.name,
  attribution: e?.hangwatch.attribution,
  host: e?.host?.name,
});

test('real libvirtd: every record of every file is an event, none is dead-lettered', async () => {
  const counts: Record<string, number> = {
    'avocado-3415-libvirt-8.3.0.log': 7,
    'capev2-2706-journal-qemu-closed-monitor-vm.log': 5,
    'kubevirt-2589-virt-launcher-json.log': 1,
    'libvirt-36-7.0.0-state-lock.log': 3,
    'promexp-18-eof.log': 1,
    'qubes-3237-journal-with-prefix.log': 3,
    'tinkoff-41-syslog-wrapped.log': 2,
    'virtlet-629-libvirt-4.log': 8,
    'virtmanager-887-virtqemud-debug-prefixed.log': 6,
    'zstack-14-libvirt-1.2.2.log': 8,
  };
  for (const [name, n] of Object.entries(counts)) {
    const outcome = await parseRealLog('libvirtd', name);
    assert.equal(outcome.records, n, name);
    assert.equal(outcome.events.length, n, name);
    assert.equal(outcome.deadletters.length, 0, name);
    for (const e of outcome.events) assert.equal(e.event.dataset, 'libvirt.daemon', name);
  }
});

test('libvirt-36: the state-change-lock lines are job-locks on vm_6_135, the error attributed by its thread', async () => {
  const { events } = await parseRealLog('libvirtd', 'libvirt-36-7.0.0-state-lock.log');
  assert.deepEqual(facts(events[0]), { ts: '2021-08-13T07:35:26.093Z', basis: 'explicit', action: 'job-lock', domain: 'vm_6_135', attribution: 'record', host: undefined });
  assert.deepEqual(facts(events[1]), { ts: '2021-08-13T07:35:26.093Z', basis: 'explicit', action: 'job-lock', domain: 'vm_6_135', attribution: 'thread', host: undefined });
  assert.equal(events[1]?.log?.level, 'error');
  assert.equal(events[1]?.process?.thread?.id, 2418940);
  assert.deepEqual(facts(events[2]), { ts: '2021-08-13T07:35:30.875Z', basis: 'explicit', action: 'job-lock', domain: 'vm_6_135', attribution: 'record', host: undefined });
});

test("capev2-2706: 'QEMU unexpectedly closed the monitor (vm='win10')' is a monitor error on win10, dated by the file's year", async () => {
  const { events } = await parseRealLog('libvirtd', 'capev2-2706-journal-qemu-closed-monitor-vm.log');
  assert.deepEqual(facts(events[3]), { ts: '2025-09-22T02:20:04.000Z', basis: 'zone', action: 'monitor-error', domain: 'win10', attribution: 'record', host: 'manner-box' });
  assert.equal(events[3]?.process?.name, 'libvirtd');
  assert.equal(events[3]?.process?.pid, 10546);
  assert.deepEqual(events[3]?.hangwatch.time, { basis: 'zone', zone: '+00:00', year: 'file-mtime' });
  assert.equal(events[1]?.libvirt?.domain?.uuid, 'd31e6f9e-034f-449e-8aea-3bccb5ac4654');
  assert.equal(events[2]?.event.action, 'monitor-error');
  // A configured host zone moves the syslog-only times; the year still comes from the file's modification time.
  const zoned = await parseRealLog('libvirtd', 'capev2-2706-journal-qemu-closed-monitor-vm.log', { hostZone: parseZone('Europe/Berlin') });
  assert.equal(zoned.events[3]?.['@timestamp'], '2025-09-22T00:20:04.000Z');
  // --year-reference wins over the modification time.
  const referenced = await parseRealLog('libvirtd', 'capev2-2706-journal-qemu-closed-monitor-vm.log', { yearReferenceMs: Date.parse('2025-10-01T00:00:00Z') });
  assert.equal(referenced.events[3]?.hangwatch.time.year, 'reference');
  assert.equal(referenced.events[3]?.['@timestamp'], '2025-09-22T02:20:04.000Z');
});

test('kubevirt-2589: the virt-launcher JSON line is a libvirt monitor error with its function, thread and time', async () => {
  const [e] = (await parseRealLog('libvirtd', 'kubevirt-2589-virt-launcher-json.log')).events;
  assert.deepEqual(facts(e), { ts: '2019-08-12T16:34:22.589Z', basis: 'explicit', action: 'monitor-error', domain: undefined, attribution: undefined, host: undefined });
  assert.deepEqual(e?.log, { level: 'error', origin: { function: 'qemuMonitorIORead', file: { line: 607 } }, file: { path: 'real-logs/libvirtd/kubevirt-2589-virt-launcher-json.log' }, offset: 0 });
  assert.equal(e?.process?.thread?.id, 63);
  assert.equal(e?.process?.name, 'virt-launcher');
});

test("qubes-3237: libvirt's UTC stamp wins over dom0's local syslog time", async () => {
  const { events } = await parseRealLog('libvirtd', 'qubes-3237-journal-with-prefix.log');
  assert.deepEqual(events.map((e) => [e['@timestamp'], e.hangwatch.time.basis, e.host?.name, e.log?.level]), [
    ['2017-10-19T10:37:11.280Z', 'explicit', 'dom0', 'info'],
    ['2017-10-19T10:37:11.280Z', 'explicit', 'dom0', 'error'],
    ['2017-10-19T10:37:17.260Z', 'explicit', 'dom0', 'error'],
  ]);
  assert.equal(events[2]?.log?.origin?.function, 'virPCIDeviceReset');
  assert.equal(events[2]?.process?.pid, 8423);
  assert.equal(events[2]?.process?.thread?.id, 8443);
});

test('tinkoff-41: syslog-wrapped libvirt lines are monitor errors at their UTC stamp on server1', async () => {
  const { events } = await parseRealLog('libvirtd', 'tinkoff-41-syslog-wrapped.log');
  for (const e of events) assert.deepEqual(facts(e), { ts: '2022-07-20T06:13:31.181Z', basis: 'explicit', action: 'monitor-error', domain: undefined, attribution: undefined, host: 'server1' });
  assert.equal(events[1]?.process?.thread?.id, 47049);
  assert.equal(events[0]?.log?.origin?.function, 'qemuProcessReportLogError');
});

test('virtmanager-887: a German virtqemud journal with markdown debris; the systemd line is the daemon start, placed by the learned offset', async () => {
  const { events } = await parseRealLog('libvirtd', 'virtmanager-887-virtqemud-debug-prefixed.log');
  assert.equal(events[0]?.['@timestamp'], '2025-03-27T10:47:53.335Z');
  assert.equal(events[0]?.process?.name, 'virtqemud');
  assert.equal(events[0]?.log?.level, 'debug');
  assert.deepEqual(facts(events[2]), { ts: '2025-03-27T10:47:53.000Z', basis: 'zone', action: 'daemon-start', domain: undefined, attribution: undefined, host: 'localhost' });
  assert.deepEqual(events[2]?.hangwatch.time, { basis: 'zone', zone: '+01:00', year: 'host-records' });
  assert.equal(events[3]?.log?.origin?.function, 'virSecurityValidateTimestamp');
  assert.deepEqual(events[3]?.hangwatch.parse.flags, ['markdown-debris']);
  assert.equal(events[3]?.libvirt?.domain?.name, 'win11');
  assert.equal(events[5]?.message, 'Invalid XATTR timestamp detected on /var/lib/libvirt/qemu/nvram/win11_VARS.fd secdriver=dac');
  assert.equal(events[5]?.libvirt?.domain?.name, 'win11');
  assert.equal(events[4]?.libvirt?.domain, undefined, 'an image path is not a domain name');
});

test('avocado-3415, zstack-14, virtlet-629, promexp-18: plain libvirtd.log files keep their versions, hosts and domains', async () => {
  const avocado = (await parseRealLog('libvirtd', 'avocado-3415-libvirt-8.3.0.log')).events;
  assert.equal(avocado[0]?.libvirt?.version, '8.3.0');
  assert.equal(avocado[1]?.host?.name, 'xxxxxx');
  assert.equal(avocado[2]?.libvirt?.domain?.name, 'avocado-vt-vm1');
  const zstack = (await parseRealLog('libvirtd', 'zstack-14-libvirt-1.2.2.log')).events;
  assert.deepEqual(zstack.filter((e) => e.event.action === 'daemon-start').map((e) => [e['@timestamp'], e.libvirt?.version]), [
    ['2015-06-01T10:39:11.946Z', '1.2.2'],
    ['2015-06-02T02:07:52.095Z', '1.2.2'],
    ['2015-06-02T02:59:43.867Z', '1.2.2'],
  ]);
  const virtlet = (await parseRealLog('libvirtd', 'virtlet-629-libvirt-4.log')).events;
  assert.deepEqual(virtlet.filter((e) => e.libvirt?.domain).map((e) => e.libvirt?.domain?.uuid), ['270fc3d0-6a80-5935-61fe-5b63ea9cfbc8', '270fc3d0-6a80-5935-61fe-5b63ea9cfbc8']);
  const [promexp] = (await parseRealLog('libvirtd', 'promexp-18-eof.log')).events;
  assert.equal(promexp?.['@timestamp'], '2020-01-24T14:42:15.219Z');
  assert.equal(promexp?.log?.origin?.function, 'virNetSocketReadWire');
});
