import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EcsEvent } from '../../../shared/schema/event.js';
import type { Incident } from '../../../shared/schema/incident.js';
import { listIncidentProblems } from '../../../shared/schema/incident.js';
import { EcsEventSchema } from '../../../shared/schema/event.js';
import { applyOutput, correlateAll, Correlator, sortIncidents } from '../../../services/correlator/core/index.js';
import { ev, seedLibvirtd, seedScenario, seedWindbg, vmConfig } from './fixtures.js';

// Guest clocks are untrusted: a guest record's time never moves its hypervisor's watermark past what the host
// vouches for, and a hang signal whose time could not be right is dated by when the host read it, flagged.

function withTime(event: EcsEvent, time: Partial<EcsEvent['hangwatch']['time']>, created: string, at = event['@timestamp']): EcsEvent {
  return EcsEventSchema.parse({ ...event, '@timestamp': at, event: { ...event.event, created }, hangwatch: { ...event.hangwatch, time: { ...event.hangwatch.time, ...time } } });
}

function stream(events: readonly EcsEvent[]): { incidents: Incident[]; late: number; emitted: Map<string, EcsEvent> } {
  const correlator = new Correlator({});
  const incidents = new Map<string, Incident>();
  const emitted = new Map<string, EcsEvent>();
  for (const event of events) applyOutput(correlator.push(event), incidents, emitted);
  const late = correlator.stats().lateEvents;
  applyOutput(correlator.flush(), incidents, emitted);
  return { incidents: sortIncidents([...incidents.values()]), late, emitted };
}

/** The seed's records in event-time order, as a live tail delivers them (built once: fixture ids are counted). */
const SEED = [...seedScenario()].sort((a, b) => (a['@timestamp'] < b['@timestamp'] ? -1 : 1));

/** The seed with `intruder` right after the domain's configuration, the first record. */
function seedWith(intruder: EcsEvent): EcsEvent[] {
  const [config, ...rest] = SEED;
  return [config!, intruder, ...rest];
}

const guestChatter = (at: string) =>
  ev({ at, hypervisor: 'sc7', dataset: 'windows.system', action: 'other', code: '7036', path: '/collect/sc7/guests/vm102/System.xml', message: 'The Windows Update service entered the running state.' });

test('one guest record dated 2200-01-01 makes no real record late and leaves the seed incident as it was', () => {
  const baseline = stream(seedWith(guestChatter('2017-03-15T00:20:00Z')));
  assert.equal(baseline.late, 0);
  assert.equal(baseline.incidents.length, 1);
  // Flagged by the parser (suspect), or not (Winlogbeat's own read time vouches for nothing): neither moves it.
  const flagged = withTime(guestChatter('2017-03-15T00:20:00Z'), { suspect: true }, '2017-03-15T00:20:00.000Z', '2200-01-01T00:00:00.000Z');
  const winlogbeat = withTime(
    ev({ at: '2200-01-01T00:00:00Z', hypervisor: 'sc7', dataset: 'windows.winlogbeat', action: 'other', code: '7036', domain: 'vm102', attribution: 'mac', extra: { hangwatch: { source: { shipper: 'winlogbeat' } } } }),
    {},
    '2200-01-01T00:00:05.000Z',
  );
  for (const intruder of [flagged, winlogbeat]) {
    const run = stream(seedWith(intruder));
    assert.equal(run.late, 0, 'no real record is late');
    assert.deepEqual(run.incidents, baseline.incidents);
  }
});

test("a guest clock a day fast moves the watermark no further than the host's read time", () => {
  // 20 hours ahead is within the parser's slack (a local time read as UTC): not flagged, but not believed either.
  const fast = withTime(guestChatter('2017-03-16T02:00:00Z'), {}, '2017-03-15T00:20:00.000Z');
  const run = stream(seedWith(fast));
  assert.equal(run.late, 0);
  assert.equal(run.incidents.length, 1);
});

test('a hang signal with an impossible time opens its incident at the ingest time, flagged, the claim kept', () => {
  const windbg = withTime(seedWindbg(), { suspect: true }, '2017-03-15T05:20:00.000Z', '2200-01-01T00:00:00.000Z');
  const events = [vmConfig('2017-03-15T00:10:40.000Z', 'sc7', 'vm105'), ...seedLibvirtd(), windbg];
  for (const run of [stream(events), correlateAll(events, {})]) {
    assert.equal(run.incidents.length, 1);
    const incident = run.incidents[0]!;
    assert.deepEqual(listIncidentProblems(incident), []);
    assert.equal(incident['@timestamp'], '2017-03-15T05:20:00.000Z');
    assert.equal(incident.incident.clock.basis, 'ingest');
    assert.equal(incident.incident.clock.suspect, true);
    assert.equal(incident.incident.diagnosis[0]?.code, 'missing-hyperv-enlightenments', 'the configuration still explains it');
  }
  const { emitted } = stream(events);
  const redated = emitted.get(windbg.event.id);
  assert.ok(redated, 'the record is re-emitted with its new time');
  assert.equal(redated['@timestamp'], '2017-03-15T05:20:00.000Z');
  assert.deepEqual(redated.hangwatch.time, { basis: 'ingest', suspect: true, claimed: '2200-01-01T00:00:00.000Z' });
  assert.deepEqual(EcsEventSchema.safeParse(redated).success, true);
});

test('a suspect record joins the incident of a trusted signal, which keeps its time', () => {
  // A dump header whose SystemTime was impossible: the parser dated it by its reading, flagged suspect.
  const dump = ev({
    at: '2017-03-15T05:14:00Z',
    hypervisor: 'sc7',
    dataset: 'windows.dump',
    action: 'bugcheck',
    basis: 'ingest',
    path: '/collect/sc7/guests/vm105/MEMORY.DMP',
    extra: { event: { created: '2017-03-15T05:14:00.000Z' }, hangwatch: { time: { suspect: true } }, windows: { bugcheck: { code: '0x00000101', parameters: ['0x61', '0x0', '0x807a3120', '0x1'] } } },
  });
  const { incidents } = correlateAll([...seedScenario(), dump], {});
  assert.equal(incidents.length, 1);
  const incident = incidents[0]!;
  assert.equal(incident['@timestamp'], '2017-03-15T05:11:54.777Z');
  assert.equal(incident.incident.clock.suspect, undefined);
  assert.ok(incident.incident.signals?.includes(dump.event.id));
});
