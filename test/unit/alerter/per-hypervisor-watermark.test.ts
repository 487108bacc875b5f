import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from '../../../shared/schema/alert.js';
import type { Incident } from '../../../shared/schema/incident.js';
import { AlertEngine } from '../../../services/alerter/core/engine.js';
import { evaluateRulesOffline } from '../../../services/alerter/core/evaluate-offline.js';
import { ReorderBuffer } from '../../../services/alerter/core/reorder-buffer.js';
import { ReplayGuard } from '../../../services/alerter/core/replay-guard.js';
import { isTrustedIncidentTime } from '../../../services/alerter/core/trusted-incident-time.js';
import { HOUR, WATCHDOG_RULE, makeIncident, ruleFrom, summarize, type IncidentSpec } from './helpers.js';

// One watermark per hypervisor, moved only by incident times the correlator vouches for: a guest that claims the
// year 2200 on host A makes no real incident of A or B late, closes none of their episodes, and a replay of the
// same topic gives the same alerts.

const FIRST_SEEN = ruleFrom(`
id: missing-enlightenments-exposure
name: Watchdog bugcheck on a domain without Hyper-V enlightenments
type: first-seen
where:
  - field: windows.bugcheck.code
    in: ['0x00000101']
group_by: [libvirt.hypervisor, libvirt.domain.name]
quiet_period: 7d
message: "{{libvirt.domain.name}} on {{libvirt.hypervisor}}"
`);
const WATCHDOG = ruleFrom(WATCHDOG_RULE);
const RULES = [FIRST_SEEN, WATCHDOG];
const STREAMING = { allowedLatenessMs: HOUR };
const YEAR_2200_MINUTES = (Date.UTC(2200, 0, 1) - Date.UTC(2017, 2, 15)) / 60_000;

function incident(spec: IncidentSpec, clock: Incident['incident']['clock'] = {}): Incident {
  const made = makeIncident(spec);
  made.incident.clock = clock;
  return made;
}

/** The guest on sc7 claims 2200-01-01 (flagged suspect by the correlator), before the real incidents arrive. */
const forged = incident({ id: 'forged', minute: YEAR_2200_MINUTES, host: 'sc7', domain: 'vm113' }, { basis: 'ingest', suspect: true });
const real = [
  incident({ id: 'seed', minute: 0, host: 'sc7', domain: 'vm105' }, { basis: 'explicit' }),
  incident({ id: 'b1', minute: 10, host: 'sc8', domain: 'vm200' }, { basis: 'explicit' }),
  incident({ id: 'b2', minute: 70, host: 'sc8', domain: 'vm200' }, { basis: 'explicit' }),
];

function feed(engine: AlertEngine, incidents: readonly Incident[]): { alerts: Alert[]; late: string[] } {
  const alerts: Alert[] = [];
  const late: string[] = [];
  for (const i of incidents) {
    const result = engine.upsert(i);
    alerts.push(...result.alerts);
    if (result.tooLate) late.push(i.incident.id);
  }
  return { alerts, late };
}

test("a 2200-01-01 guest incident on host A makes neither A's nor B's real incident late", () => {
  const baseline = feed(new AlertEngine(RULES, STREAMING), real);
  assert.deepEqual(baseline.late, []);
  const expected = ['sc7/vm105 open@0 n=1 [seed]', 'sc8/vm200 open@10 n=1 [b1]', 'sc8/vm200 updated@70 n=2 [b1,b2]', 'sc8/vm200 open@70 n=2 [b1,b2]'];
  assert.deepEqual(summarize(baseline.alerts), expected);

  const engine = new AlertEngine(RULES, STREAMING);
  const run = feed(engine, [forged, ...real]);
  assert.deepEqual(run.late, [], 'no real incident is late');
  assert.deepEqual(
    summarize(run.alerts).filter((a) => !a.includes('forged')),
    summarize(baseline.alerts),
    'the real incidents alert exactly as without the forged one',
  );
  assert.equal(engine.watermarkOf('sc7'), Date.parse(real[0]!['@timestamp']), "A's event time is its real incident's");
  assert.equal(engine.watermarkOf('sc8'), Date.parse(real[2]!['@timestamp']));
});

test('the same interleavings through the reorder buffer, and a replay behind the ledger, give the same alerts', () => {
  const once = (): Alert[] => {
    const engine = new AlertEngine(RULES, STREAMING);
    const buffer = new ReorderBuffer();
    // Two partitions: the forged incident and A's real one on p0, B's on p1; p1 is behind at first.
    const out: Alert[] = [];
    buffer.add(forged);
    buffer.add(real[0]!);
    // Event time is the slowest partition behind: p1, which has not spoken (p0's newest trusted time is the
    // seed's; the forged 2200 counts for nothing). Nothing leaves yet.
    out.push(...buffer.release(-Infinity).flatMap((i) => engine.upsert(i).alerts));
    assert.equal(buffer.size, 2);
    buffer.add(real[1]!);
    buffer.add(real[2]!);
    out.push(...buffer.release(Date.parse(real[2]!['@timestamp']), true).flatMap((i) => engine.upsert(i).alerts));
    assert.equal(buffer.size, 0, 'caught up: the forged incident does not wait for the year 2200');
    return out;
  };
  const first = once();
  assert.deepEqual(summarize(first).filter((a) => !a.includes('forged')), ['sc7/vm105 open@0 n=1 [seed]', 'sc8/vm200 open@10 n=1 [b1]', 'sc8/vm200 updated@70 n=2 [b1,b2]', 'sc8/vm200 open@70 n=2 [b1,b2]']);
  // A restart replays the topic: the ledger holds what was produced, the replay derives the same changes.
  const guard = new ReplayGuard();
  for (const alert of first) assert.equal(guard.admit(alert), 'new');
  const replay = once();
  assert.deepEqual(replay, first);
  assert.deepEqual(replay.map((a) => guard.admit(a)), first.map(() => 'duplicate'));
});

test("episodes close on their own hypervisor's event time, not another's", () => {
  const engine = new AlertEngine([WATCHDOG], STREAMING);
  const alerts = feed(engine, [
    incident({ id: 'a', minute: 0, host: 'sc7' }),
    incident({ id: 'b', minute: 60, host: 'sc7' }),
    // sc8 is three days ahead: under one shared watermark sc7's episode (close at 2880) would close here.
    incident({ id: 'z', minute: 3 * 24 * 60, host: 'sc8', domain: 'vm9' }),
  ]).alerts;
  assert.deepEqual(summarize(alerts), ['sc7/vm105 open@60 n=2 [a,b]']);
  // Idle wall-clock time runs each key's clock on from its own watermark (sc7: minute 60), minus the lateness.
  assert.deepEqual(engine.advanceIdle(2 * HOUR), []);
  assert.deepEqual(summarize(engine.advanceIdle((2880 - 60) * 60_000 + HOUR)), ['sc7/vm105 closed@2880 n=2 [a,b]']);
  // sc7's next incident is on time for sc7, however far sc8 is.
  assert.deepEqual(feed(engine, [incident({ id: 'c', minute: 2900, host: 'sc7' })]).late, []);
});

test('offline evaluation keeps one watermark for all hypervisors, as before', () => {
  const incidents = [incident({ id: 'a', minute: 0 }), incident({ id: 'b', minute: 60 }), incident({ id: 'z', minute: 3 * 24 * 60, host: 'sc8', domain: 'vm9' })];
  assert.deepEqual(summarize(evaluateRulesOffline(incidents, [WATCHDOG])), ['sc7/vm105 open@60 n=2 [a,b]', 'sc7/vm105 closed@2880 n=2 [a,b]']);
});

test('which incident times are trusted', () => {
  assert.equal(isTrustedIncidentTime(incident({ id: 'x', minute: 0 })), true);
  assert.equal(isTrustedIncidentTime(incident({ id: 'x', minute: 0 }, { basis: 'explicit' })), true);
  assert.equal(isTrustedIncidentTime(incident({ id: 'x', minute: 0 }, { basis: 'explicit', suspect: true })), false);
  assert.equal(isTrustedIncidentTime(incident({ id: 'x', minute: 0 }, { basis: 'ingest' })), false);
  assert.equal(isTrustedIncidentTime(incident({ id: 'x', minute: 0 }, { basis: 'file-mtime' })), false);
  assert.equal(isTrustedIncidentTime(incident({ id: 'x', minute: 0 }, { basis: 'guest-event' })), true);
});
