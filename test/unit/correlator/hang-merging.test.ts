import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EcsEvent } from '../../../shared/schema/event.js';
import type { Incident } from '../../../shared/schema/incident.js';
import { applyOutput, correlateAll, Correlator, sortIncidents } from '../../../services/correlator/core/index.js';
import { readJobOwner } from '../../../services/correlator/core/job-owner.js';
import { ev, vmConfig } from './fixtures.js';

// One incident per guest hang (DESIGN.md section 5): the kill of an already-hung guest, its next boot's 41/6008,
// a KVM error dated by the line after it, a failed migration placed by libvirt's job-lock line.

const H = 'sc5';
const GUEST = (d: string) => `/collect/${H}/guests/${d}/System.xml`;

function guest(at: string, domain: string, action: EcsEvent['event']['action'], code: string, extra: object = {}): EcsEvent {
  return ev({ at, hypervisor: H, dataset: 'windows.system', action, code, path: GUEST(domain), message: `System event ${code}`, extra });
}

function qemu(at: string, domain: string, action: EcsEvent['event']['action'], message: string, offset: number, extra: object = {}, basis: EcsEvent['hangwatch']['time']['basis'] = 'explicit'): EcsEvent {
  return ev({
    at,
    hypervisor: H,
    dataset: 'libvirt.qemu',
    action,
    domain,
    attribution: 'file',
    basis,
    message,
    extra: { log: { file: { path: `/var/log/libvirt/qemu/${domain}.log` }, offset }, hangwatch: { source: { fingerprint: `fp-${domain}` } }, ...extra },
  });
}

function streamed(events: readonly EcsEvent[]): { incidents: Incident[]; emitted: Incident[] } {
  const correlator = new Correlator({});
  const incidents = new Map<string, Incident>();
  const emitted: Incident[] = [];
  for (const event of events) {
    const out = correlator.push(event);
    emitted.push(...out.incidents);
    applyOutput(out, incidents);
  }
  applyOutput(correlator.flush(), incidents);
  return { incidents: sortIncidents([...incidents.values()]), emitted };
}

const byTime = (events: readonly EcsEvent[]) => [...events].sort((a, b) => (a['@timestamp'] < b['@timestamp'] ? -1 : a['@timestamp'] > b['@timestamp'] ? 1 : 0));

/** A guest frozen at 12:46 (its 6008 says 12:45:29 local heartbeat), destroyed at 13:11, booted at 13:12. */
function frozenThenKilled(): EcsEvent[] {
  const d = 'vm31';
  return [
    vmConfig('2017-03-15T08:00:00.000Z', H, d, { hyperv: ['relaxed', 'vapic', 'spinlocks', 'time'] }),
    guest('2017-03-15T12:40:19.000Z', d, 'other', '7036'),
    qemu('2017-03-15T13:11:09.468Z', d, 'vm-terminated-signal', 'terminating on signal 15 from pid 15720', 5000, { qemu: { signal: { number: 15, sender_pid: 15720 } } }),
    qemu('2017-03-15T13:11:09.551Z', d, 'vm-shutdown', 'shutting down, reason=destroyed', 5100, { qemu: { shutdown: { reason: 'destroyed' } } }),
    qemu('2017-03-15T13:12:18.468Z', d, 'vm-start', 'starting up libvirt version: 1.3.1', 5200),
    guest('2017-03-15T13:12:39.687Z', d, 'kernel-power-41', '41', { winlog: { event_data: { BugcheckCode: '0' } } }),
    guest('2017-03-15T13:12:45.687Z', d, 'system-boot', '6005'),
    guest('2017-03-15T13:12:46.078Z', d, 'unexpected-shutdown', '6008', { windows: { shutdown: { time_utc: '2017-03-15T12:45:29.000Z', offset_minutes: 480 } } }),
  ];
}

test('a hard hang killed 25 minutes later is one hard-hang incident at the 6008 time, the kill as evidence', () => {
  const events = frozenThenKilled();
  const { incidents } = correlateAll(events, {});
  assert.equal(incidents.length, 1);
  const [incident] = incidents;
  assert.equal(incident?.incident.kind, 'hard-hang');
  assert.equal(incident?.['@timestamp'], '2017-03-15T12:45:29.000Z');
  const kill = events[2]!;
  assert.ok(incident?.incident.evidence.some((e) => e.event.id === kill.event.id), 'the kill is evidence');
  assert.ok(incident?.incident.signals?.includes(kill.event.id));
  assert.notEqual(incident?.incident.diagnosis[0]?.code, 'qemu-process-exit');
  // Streaming in time order: the kill alone is no incident; the 41 makes one, the 6008 refines it under the same id.
  const live = streamed(byTime(events));
  assert.deepEqual(live.incidents, incidents);
  assert.deepEqual([...new Set(live.emitted.map((i) => i.incident.id))], [incident?.incident.id]);
});

test('the same kill within hungBeforeExitMs of the 6008 time is the hang itself: a qemu-exit', () => {
  const events = frozenThenKilled().map((e) =>
    e.event.action === 'unexpected-shutdown' ? { ...e, windows: { shutdown: { time_utc: '2017-03-15T13:10:40.000Z', offset_minutes: 480 } } } : e,
  );
  const { incidents } = correlateAll(events, {});
  assert.equal(incidents.length, 1);
  assert.equal(incidents[0]?.incident.kind, 'qemu-exit');
  assert.equal(incidents[0]?.['@timestamp'], '2017-03-15T13:11:09.468Z');
});

test('a 41 reads the last sign of life from guest records only: qemu start lines and a busy log file are not life', () => {
  const d = 'vm32';
  const events = [
    guest('2017-03-15T05:30:00.000Z', d, 'other', '7036'),
    qemu('2017-03-15T05:42:46.212Z', d, 'vm-shutdown', 'shutting down, reason=crashed', 900, { qemu: { shutdown: { reason: 'crashed' } } }),
    ev({ at: '2017-03-15T06:01:44.973Z', hypervisor: H, dataset: 'libvirt.daemon', action: 'log-open-busy', domain: d, attribution: 'record', thread: 7, message: `Cannot open log file: '/var/log/libvirt/qemu/${d}.log': Device or resource busy` }),
    qemu('2017-03-15T06:01:45.259Z', d, 'vm-start', 'starting up', 1000),
    qemu('2017-03-15T06:01:45.259Z', d, 'spice-connect', 'main_channel_link: add main channel client', 1100, {}, 'inherited'),
    guest('2017-03-15T06:02:17.625Z', d, 'kernel-power-41', '41', { winlog: { event_data: { BugcheckCode: '0' } } }),
  ];
  const { incidents } = correlateAll(events, {});
  assert.deepEqual(
    incidents.map((i) => [i.incident.kind, i['@timestamp']]),
    [['qemu-exit', '2017-03-15T05:42:46.212Z']],
  );
});

test('a KVM internal error without a time is dated by the next stamped line of its file, not by the start line days before', () => {
  const d = 'vm33';
  const dump = [
    qemu('2017-03-13T15:07:18.820Z', d, 'vm-start', 'starting up libvirt version: 1.3.1', 0),
    qemu('2017-03-13T15:07:18.820Z', d, 'kvm-internal-error', 'KVM internal error. Suberror: 1', 4387, {}, 'inherited'),
    qemu('2017-03-13T15:07:18.820Z', d, 'kvm-internal-error', 'EAX=8b01f06b EBX=ab1ae650 ECX=b2794b30 EDX=00000000', 4437, { hangwatch: { parse: { flags: ['continuation'] } } }, 'inherited'),
    qemu('2017-03-15T05:42:46.212Z', d, 'vm-shutdown', 'shutting down, reason=crashed', 5336, { qemu: { shutdown: { reason: 'crashed' } } }),
  ];
  const events = [guest('2017-03-15T05:40:00.000Z', d, 'other', '7036'), ...dump];
  const result = correlateAll(events, {});
  assert.deepEqual(
    result.incidents.map((i) => [i.incident.kind, i['@timestamp'], i.incident.diagnosis[0]?.code]),
    [['qemu-exit', '2017-03-15T05:42:46.212Z', 'kvm-internal-error']],
  );
  const error = result.events.find((e) => e.event.id === dump[1]!.event.id);
  assert.deepEqual([error?.['@timestamp'], error?.hangwatch.time.basis], ['2017-03-15T05:42:46.212Z', 'inherited']);
  // Live: the dump arrives with its inherited (two days old) time just before the line that dates it.
  const live = streamed([events[0]!, ...dump]);
  assert.deepEqual(live.incidents, result.incidents);
  assert.ok(live.emitted.every((i) => i['@timestamp'].startsWith('2017-03-15')), 'no incident sent at the inherited time');
});

test('job-lock line: the owner thread of the domain\'s async job is read, with when the job began', () => {
  const line = ev({
    at: '2017-03-15T12:12:19.346Z',
    dataset: 'libvirt.daemon',
    action: 'other',
    thread: 15722,
    message:
      'Cannot start job (query, none) for domain vm103; current job is (async nested, migration out) owned by (15723 remoteDispatchDomainMigratePerform3Params, 15723 remoteDispatchDomainMigratePerform3Params) for (0s, 22s)',
  });
  assert.deepEqual(readJobOwner(line, Date.parse(line['@timestamp'])), { thread: 15723, domain: 'vm103', sinceMs: Date.parse('2017-03-15T12:11:57.346Z') });
  const flags = { ...line, message: 'Cannot start job (modify, none) for domain web-1; current job is (modify, none) owned by (4242 remoteDispatchDomainSuspend, 0 <null> (flags=0x0)) for (31s, 0s)' };
  assert.deepEqual(readJobOwner(flags, 100_000), { thread: 4242, domain: 'web-1', sinceMs: 69_000 });
});

test('a failed migration naming no domain is placed by the job-lock line naming its thread, in any arrival order', () => {
  const busy = ev({
    at: '2017-03-15T12:12:19.346Z',
    hypervisor: H,
    dataset: 'libvirt.daemon',
    action: 'other',
    thread: 15722,
    message:
      'Cannot start job (query, none) for domain vm34; current job is (async nested, migration out) owned by (15723 remoteDispatchDomainMigratePerform3Params, 15723 remoteDispatchDomainMigratePerform3Params) for (0s, 22s)',
  });
  const failed = ev({ at: '2017-03-15T12:12:47.305Z', hypervisor: H, dataset: 'libvirt.daemon', action: 'migration-failed', thread: 15723, message: 'operation failed: migration job: unexpectedly failed' });
  const before = ev({ at: '2017-03-15T12:10:00.000Z', hypervisor: H, dataset: 'libvirt.daemon', action: 'migration-failed', thread: 15723, message: 'operation failed: migration job: unexpectedly failed' });
  const later = ev({ at: '2017-03-15T13:30:00.000Z', hypervisor: H, dataset: 'libvirt.daemon', action: 'migration-failed', thread: 15723, message: 'operation failed: migration job: unexpectedly failed' });
  const placed = (events: EcsEvent[]) => Object.fromEntries(correlateAll(events, {}).events.map((e) => [e.event.id, [e.libvirt?.domain?.name ?? null, e.hangwatch.attribution]]));
  const got = placed([busy, failed, before, later]);
  assert.deepEqual(got[failed.event.id], ['vm34', 'job']);
  assert.deepEqual(got[before.event.id], [null, 'unresolved'], 'before the job began');
  assert.deepEqual(got[later.event.id], [null, 'unresolved'], 'beyond jobOwnerSpanMs');
  // Streaming with the failure first: re-attributed once the job-lock line arrives.
  const correlator = new Correlator({});
  correlator.push(failed);
  const out = correlator.push(busy);
  const reemitted = out.events.find((e) => e.event.id === failed.event.id);
  assert.deepEqual([reemitted?.libvirt?.domain?.name, reemitted?.hangwatch.attribution], ['vm34', 'job']);
});

test('a migration that failed 40 minutes before a hard hang is found by the precursor lookback, and the window widens', () => {
  const d = 'vm35';
  const busy = ev({
    at: '2017-03-15T12:04:00.000Z',
    hypervisor: H,
    dataset: 'libvirt.daemon',
    action: 'other',
    thread: 15722,
    message: `Cannot start job (query, none) for domain ${d}; current job is (async nested, migration out) owned by (15723 remoteDispatchDomainMigratePerform3Params, 15723 remoteDispatchDomainMigratePerform3Params) for (0s, 30s)`,
  });
  const failed = ev({ at: '2017-03-15T12:05:00.000Z', hypervisor: H, dataset: 'libvirt.daemon', action: 'migration-failed', thread: 15723, message: 'operation failed: migration job: unexpectedly failed' });
  const events = [
    busy,
    failed,
    guest('2017-03-15T12:44:00.000Z', d, 'other', '7036'),
    qemu('2017-03-15T13:20:00.000Z', d, 'vm-start', 'starting up', 100),
    guest('2017-03-15T13:20:30.000Z', d, 'kernel-power-41', '41', { winlog: { event_data: { BugcheckCode: '0' } } }),
    guest('2017-03-15T13:20:31.000Z', d, 'unexpected-shutdown', '6008', { windows: { shutdown: { time_utc: '2017-03-15T12:45:00.000Z', offset_minutes: 480 } } }),
  ];
  const [incident, ...rest] = correlateAll(events, {}).incidents;
  assert.equal(rest.length, 0);
  assert.equal(incident?.incident.diagnosis[0]?.code, 'migration-failure');
  assert.equal(incident?.incident.window.gte, '2017-03-15T11:45:00.000Z');
  assert.ok(incident?.incident.evidence.some((e) => e.event.id === failed.event.id));
});
