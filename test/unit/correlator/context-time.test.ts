import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bugcheck, EcsEvent } from '../../../shared/schema/event.js';
import type { Incident } from '../../../shared/schema/incident.js';
import { listIncidentProblems } from '../../../shared/schema/incident.js';
import { applyOutput, correlateAll, Correlator, sortIncidents } from '../../../services/correlator/core/index.js';
import { minidumpDayMs } from '../../../services/correlator/core/context-time.js';
import { exportFacts, importFacts } from '../../../services/correlator/core/facts-snapshot.js';
import { HostFacts } from '../../../services/correlator/core/host-facts.js';
import { ev } from './fixtures.js';

// A WinDbg report without `Debug session time` (the parser dates it by its file's modification time and flags it
// `time-from-context`) takes the time of the guest's dated record of the same crash and joins that record's
// incident (DESIGN.md section 6): the dump header beside it, else the next boot's Kernel-Power 41 / 6008.

const H = 'kvm7';
const D = 'vm1';
const PARAMS = ['0x0', '0x501', '0x500', '0xfffff8004c8fb320'];
const DPC: Bugcheck = { code: '0x00000133', name: 'DPC_WATCHDOG_VIOLATION', parameters: PARAMS };

function system(at: string, action: EcsEvent['event']['action'], code: string, extra: object = {}): EcsEvent {
  return ev({ at, hypervisor: H, dataset: 'windows.system', action, code, path: `/collect/${H}/guests/${D}/System.xml`, message: `System event ${code}`, extra });
}

/** The guest's last records before it hung (a sign of life), its next boot (6005) and that boot's 41. */
function bootAfterCrash(bugcheck?: Bugcheck): EcsEvent[] {
  return [
    system('2024-05-02T09:58:00.000Z', 'other', '7036', {}),
    system('2024-05-02T10:05:00.000Z', 'system-boot', '6005'),
    system('2024-05-02T10:05:30.000Z', 'kernel-power-41', '41', bugcheck ? { windows: { bugcheck } } : {}),
  ];
}

function report(mtime: string, options: { bugcheck?: Bugcheck | null; dumpFile?: string; file?: string; basis?: 'file-mtime' | 'ingest' } = {}): EcsEvent {
  const bugcheck = options.bugcheck === null ? undefined : (options.bugcheck ?? DPC);
  return ev({
    at: mtime,
    hypervisor: H,
    dataset: 'windows.windbg',
    action: 'bugcheck',
    basis: options.basis ?? 'file-mtime',
    path: `/collect/${H}/guests/${D}/${options.file ?? 'analyze.txt'}`,
    message: 'Bugcheck 0x00000133 DPC_WATCHDOG_VIOLATION',
    extra: {
      windows: { ...(bugcheck ? { bugcheck } : {}), windbg: options.dumpFile ? { dump_file: options.dumpFile } : {} },
      hangwatch: { parse: { grammar: 'windbg-line', flags: ['time-from-context'] } },
    },
  });
}

function dumpHeader(at: string, file = 'MEMORY.DMP', bugcheck: Bugcheck = DPC): EcsEvent {
  return ev({
    at,
    hypervisor: H,
    dataset: 'windows.dump',
    action: 'bugcheck',
    path: `/collect/${H}/guests/${D}/${file}`,
    message: 'kernel dump: bugcheck 0x00000133',
    extra: { windows: { bugcheck, dump: { system_time: new Date(at).toISOString() } } },
  });
}

function streamed(events: readonly EcsEvent[]): { incidents: Incident[]; events: Map<string, EcsEvent> } {
  const correlator = new Correlator({});
  const incidents = new Map<string, Incident>();
  const enriched = new Map<string, EcsEvent>();
  for (const event of events) applyOutput(correlator.push(event), incidents, enriched);
  applyOutput(correlator.flush(), incidents, enriched);
  return { incidents: sortIncidents([...incidents.values()]), events: enriched };
}

function only(incidents: readonly Incident[]): Incident {
  assert.equal(incidents.length, 1, JSON.stringify(incidents.map((i) => [i['@timestamp'], i.incident.kind, i.incident.signals])));
  for (const incident of incidents) assert.deepEqual(listIncidentProblems(incident), []);
  return incidents[0]!;
}

test('report + Kernel-Power 41: one incident at the 41\'s crash time (the last sign of life), basis guest-event, the report\'s bugcheck', () => {
  const rep = report('2024-05-02T14:00:00.000Z');
  const events = [...bootAfterCrash({ code: '0x00000133', parameters: PARAMS }), rep];
  const { incidents, events: enriched } = correlateAll(events, {});
  const incident = only(incidents);
  assert.equal(incident['@timestamp'], '2024-05-02T09:58:00.000Z');
  assert.equal(incident.incident.kind, 'bugcheck');
  assert.equal(incident.incident.clock.basis, 'guest-event');
  assert.deepEqual(incident.windows?.bugcheck, DPC);
  assert.ok(incident.incident.signals?.includes(rep.event.id));
  const dated = enriched.find((e) => e.event.id === rep.event.id);
  assert.equal(dated?.['@timestamp'], '2024-05-02T10:05:30.000Z');
  assert.equal(dated?.hangwatch.time.basis, 'guest-event');
});

test('report + a 41 that recorded no bugcheck code (hard-hang record) within a day and a half of the file time: joined', () => {
  const { incidents } = correlateAll([...bootAfterCrash(), report('2024-05-03T08:00:00.000Z', { bugcheck: { code: '0x00000133' } })], {});
  const incident = only(incidents);
  assert.equal(incident['@timestamp'], '2024-05-02T09:58:00.000Z');
  assert.equal(incident.incident.kind, 'bugcheck');
  assert.equal(incident.windows?.bugcheck?.code, '0x00000133');
});

test('report + dump header: one incident at the dump\'s time, basis dump-header, even when the report file is a fresh copy', () => {
  const dump = dumpHeader('2024-05-02T09:59:41.250Z');
  // The same crash by its four parameters (and the dump's file name), at any distance from the copy's mtime.
  const rep = report('2025-12-31T00:00:00.000Z', { dumpFile: 'C:\\Windows\\MEMORY.DMP' });
  const { incidents, events } = correlateAll([dump, rep], {});
  const incident = only(incidents);
  assert.equal(incident['@timestamp'], '2024-05-02T09:59:41.250Z');
  assert.equal(incident.incident.clock.basis, 'dump-header');
  assert.deepEqual(incident.incident.signals, [dump.event.id, rep.event.id].sort());
  assert.equal(events.find((e) => e.event.id === rep.event.id)?.hangwatch.time.basis, 'dump-header');
});

test('report + dump header + 41 of one crash: one incident at the dump\'s time', () => {
  const events = [...bootAfterCrash({ code: '0x00000133', parameters: PARAMS }), dumpHeader('2024-05-02T09:59:41.250Z'), report('2024-05-02T14:00:00.000Z')];
  const incident = only(correlateAll(events, {}).incidents);
  assert.equal(incident['@timestamp'], '2024-05-02T09:59:41.250Z');
  assert.equal(incident.incident.clock.basis, 'dump-header');
  assert.equal(incident.incident.signals?.length, 3);
});

test('report alone: one incident dated by its file\'s modification time, basis file-mtime', () => {
  const rep = report('2024-05-02T14:00:00.000Z');
  const incident = only(correlateAll([rep], {}).incidents);
  assert.equal(incident['@timestamp'], '2024-05-02T14:00:00.000Z');
  assert.equal(incident.incident.clock.basis, 'file-mtime');
  assert.equal(incident.incident.kind, 'bugcheck');
});

test('a record that contradicts the report (another code, other parameters) or is too far from it does not date it', () => {
  const otherCode = correlateAll([...bootAfterCrash({ code: '0x00000101' }), report('2024-05-02T14:00:00.000Z')], {});
  assert.equal(otherCode.incidents.length, 2);
  assert.deepEqual(otherCode.incidents.map((i) => i.incident.clock.basis).sort(), ['explicit', 'file-mtime']);
  const otherParams = correlateAll([dumpHeader('2024-05-02T09:59:41.250Z', 'MEMORY.DMP', { code: '0x00000133', parameters: ['0x1', '0x1e00', '0xfffff8025d4fb320', '0x0'] }), report('2024-05-02T14:00:00.000Z')], {});
  assert.equal(otherParams.incidents.length, 2);
  const tooFar = correlateAll([...bootAfterCrash(), report('2024-05-09T14:00:00.000Z', { bugcheck: { code: '0x00000133' } })], {});
  assert.equal(tooFar.incidents.length, 2);
  assert.ok(tooFar.incidents.some((i) => i['@timestamp'] === '2024-05-09T14:00:00.000Z' && i.incident.clock.basis === 'file-mtime'));
});

test('a minidump\'s name dates its report to that day whatever the copy\'s modification time', () => {
  const named = (mtime: string) => report(mtime, { bugcheck: { code: '0x00000133' }, dumpFile: 'C:\\Windows\\Minidump\\050224-9421-01.dmp' });
  const joined = correlateAll([...bootAfterCrash(), named('2025-12-31T00:00:00.000Z')], {});
  assert.equal(only(joined.incidents)['@timestamp'], '2024-05-02T09:58:00.000Z');
  const otherDay = correlateAll([...bootAfterCrash(), report('2025-12-31T00:00:00.000Z', { bugcheck: { code: '0x00000133' }, dumpFile: 'C:\\Windows\\Minidump\\050524-9421-01.dmp' })], {});
  assert.equal(otherDay.incidents.length, 2);
  assert.equal(minidumpDayMs('042025-74062-01.dmp'), Date.UTC(2025, 3, 20));
  assert.equal(minidumpDayMs('Mini061104-01.dmp'), Date.UTC(2004, 5, 11));
  assert.equal(minidumpDayMs('MEMORY.DMP'), undefined);
  assert.equal(minidumpDayMs('023124-1-01.dmp'), undefined);
});

test('streaming: the report before or after its 41 ends as the same single incident, and a report at today\'s mtime never finalizes older incidents', () => {
  const events = [...bootAfterCrash({ code: '0x00000133', parameters: PARAMS }), report('2024-05-02T14:00:00.000Z')];
  const expected = correlateAll(events, {}).incidents;
  const strip = (list: readonly Incident[]) => list.map((i) => ({ id: i.incident.id, at: i['@timestamp'], kind: i.incident.kind, signals: i.incident.signals, basis: i.incident.clock.basis }));
  const reportFirst = [events[3]!, ...events.slice(0, 3)];
  for (const order of [events, reportFirst]) assert.deepEqual(strip(streamed(order).incidents), strip(expected));
  // A fresh copy's report (mtime far ahead of the host's records) arrives first: event time has not moved (nothing is
  // finalized or evicted by it), and the 41 that comes next still dates it.
  const alone = new Correlator({});
  alone.push(report('2025-12-31T00:00:00.000Z'));
  assert.equal(alone.horizonMs(H), -Infinity);
  const fresh = report('2025-12-31T00:00:00.000Z', { dumpFile: '050224-9421-01.dmp' });
  const late = streamed([fresh, ...bootAfterCrash({ code: '0x00000133', parameters: PARAMS })]);
  assert.equal(only(late.incidents)['@timestamp'], '2024-05-02T09:58:00.000Z');
  assert.equal(late.events.get(fresh.event.id)?.hangwatch.time.basis, 'guest-event');
});

test('the guest\'s crash records travel with the facts snapshot (a restarted correlator still dates a late report)', () => {
  const facts = new HostFacts();
  const [, , kp41] = bootAfterCrash({ code: '0x00000133', parameters: PARAMS });
  facts.learn({ ...kp41!, libvirt: { hypervisor: H, domain: { name: D } } }, Date.parse(kp41!['@timestamp']), undefined);
  const snapshot = exportFacts(H, facts);
  assert.equal(snapshot.crashes?.[D]?.length, 1);
  const restored = new HostFacts();
  importFacts(JSON.parse(JSON.stringify(snapshot)), restored);
  assert.deepEqual(restored.crashes.get(D)?.list(), facts.crashes.get(D)?.list());
});
