import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertEngine } from '../../../services/alerter/core/engine.js';
import { alertId } from '../../../shared/identity.js';
import { AlertSchema, type Alert } from '../../../shared/schema/alert.js';
import { HOUR, WATCHDOG_RULE, makeIncident, ruleFrom, summarize } from './helpers.js';

const rule = ruleFrom(WATCHDOG_RULE);
const DAY_MIN = 24 * 60;

function feed(engine: AlertEngine, specs: Parameters<typeof makeIncident>[0][]): Alert[] {
  return specs.flatMap((s) => engine.upsert(makeIncident(s)).alerts);
}

test('threshold: fires once, updates, closes after the quiet period, re-opens as a new episode', () => {
  const engine = new AlertEngine([rule]);
  const alerts = feed(engine, [
    { id: 'a', minute: 0 },
    { id: 'b', minute: 60 },
    { id: 'c', minute: 120 },
    // clear time = b + 24h (the 2nd newest needed leaves the window) = 1500; close = 1500 + 24h = 2940
    { id: 'd', minute: 3000 },
    { id: 'e', minute: 3030 },
  ]);
  assert.deepEqual(summarize(alerts), [
    'sc7/vm105 open@60 n=2 [a,b]',
    'sc7/vm105 updated@120 n=3 [a,b,c]',
    'sc7/vm105 closed@2940 n=3 [a,b,c]',
    'sc7/vm105 open@3030 n=2 [d,e]',
  ]);
  const [open, updated, closed, reopened] = alerts as [Alert, Alert, Alert, Alert];
  assert.equal(open.alert.id, alertId('recurring-watchdog-vm', 'sc7/vm105', 'a'));
  assert.equal(updated.alert.id, open.alert.id);
  assert.equal(closed.alert.id, open.alert.id);
  assert.equal(reopened.alert.id, alertId('recurring-watchdog-vm', 'sc7/vm105', 'd'));
  assert.equal(open.alert.first_seen, '2017-03-15T00:00:00.000Z');
  assert.equal(updated.alert.last_seen, '2017-03-15T02:00:00.000Z');
  for (const alert of alerts) assert.equal(AlertSchema.safeParse(alert).success, true);
  assert.equal(
    open.message,
    "vm105 on sc7 hit CLOCK_WATCHDOG_TIMEOUT 2 times in 24h; top diagnosis missing-hyperv-enlightenments: <features> <hyperv> <relaxed state='on'/> </hyperv> </features>",
  );
  assert.match(closed.message, /^closed: Recurring watchdog for sc7\/vm105: quiet for 24h after 3 incident/);
});

test('threshold: below the threshold, other codes and other keys do not fire', () => {
  const engine = new AlertEngine([rule]);
  const alerts = feed(engine, [
    { id: 'a', minute: 0 },
    { id: 'b', minute: DAY_MIN + 1 }, // 24h01m later: never two in one window
    { id: 'x', minute: DAY_MIN + 2, code: '0x0000007e' },
    { id: 'y', minute: DAY_MIN + 3, domain: 'vm106' },
    { id: 'z', minute: DAY_MIN + 4, host: 'sc8' },
  ]);
  assert.deepEqual(alerts, []);
});

test('threshold: the same domain name on two hypervisors is two keys', () => {
  const engine = new AlertEngine([rule]);
  const alerts = feed(engine, [
    { id: 'a', minute: 0, host: 'sc7' },
    { id: 'b', minute: 1, host: 'sc8' },
    { id: 'c', minute: 2, host: 'sc8' },
  ]);
  assert.deepEqual(summarize(alerts), ['sc8/vm105 open@2 n=2 [b,c]']);
});

test('late incidents land in their own window, and too-late ones are reported, not counted', () => {
  const engine = new AlertEngine([rule], { allowedLatenessMs: 26 * HOUR });
  // p and q are 25h apart; r arrives last but happened 50 minutes before q: it pairs with q, not with p.
  const alerts = feed(engine, [
    { id: 'p', minute: 0 },
    { id: 'q', minute: 1500 },
    { id: 'r', minute: 1450 },
  ]);
  assert.deepEqual(summarize(alerts), ['sc7/vm105 open@1500 n=2 [r,q]']);

  const strict = new AlertEngine([rule], { allowedLatenessMs: HOUR });
  feed(strict, [{ id: 'a', minute: 600 }]);
  const late = strict.upsert(makeIncident({ id: 'b', minute: 550 }));
  assert.equal(late.tooLate, false);
  assert.deepEqual(summarize(late.alerts), ['sc7/vm105 open@600 n=2 [b,a]']);
  const tooLate = strict.upsert(makeIncident({ id: 'c', minute: 539, domain: 'vm200' }));
  assert.equal(tooLate.tooLate, true);
  assert.deepEqual(tooLate.alerts, []);
});

test('out-of-order arrival within the lateness gives the same episode as in-order arrival', () => {
  const specs = [
    { id: 'a', minute: 0 },
    { id: 'b', minute: 30 },
    { id: 'c', minute: 50 },
  ];
  const inOrder = new AlertEngine([rule], { allowedLatenessMs: HOUR });
  const shuffled = new AlertEngine([rule], { allowedLatenessMs: HOUR });
  const a1 = feed(inOrder, specs);
  const a2 = feed(shuffled, [specs[2], specs[0], specs[1]] as typeof specs);
  assert.equal(a1[0]?.alert.id, a2[0]?.alert.id);
  assert.deepEqual(a1.at(-1)?.alert.incidents.slice().sort(), ['a', 'b', 'c']);
  assert.deepEqual(a2.at(-1)?.alert.incidents.slice().sort(), ['a', 'b', 'c']);
  assert.equal(a2.at(-1)?.alert.count, 3);
});

test('incident upserts replace themselves: refinements never double count', () => {
  const engine = new AlertEngine([rule]);
  const alerts = feed(engine, [
    { id: 'a', minute: 0 },
    { id: 'b', minute: 60 },
    { id: 'b', minute: 60 }, // the same incident again (redelivery)
    { id: 'a', minute: 30 }, // refined time
    { id: 'c', minute: 120 },
  ]);
  assert.deepEqual(summarize(alerts), ['sc7/vm105 open@60 n=2 [a,b]', 'sc7/vm105 updated@120 n=3 [a,b,c]']);
  assert.equal(alerts[1]?.alert.first_seen, '2017-03-15T00:30:00.000Z');
});

test('an incident re-attributed to another domain leaves the first key; a tombstone takes its count back', () => {
  const engine = new AlertEngine([rule]);
  const alerts = feed(engine, [
    { id: 'a', minute: 0 },
    { id: 'b', minute: 10 },
    { id: 'c', minute: 20 },
    { id: 'c', minute: 20, domain: 'vm106' },
  ]);
  // Re-attributed: the first key takes c's count back at once.
  assert.deepEqual(summarize(alerts), ['sc7/vm105 open@10 n=2 [a,b]', 'sc7/vm105 updated@20 n=3 [a,b,c]', 'sc7/vm105 updated@20 n=2 [a,b]']);
  // Tombstoned: likewise, the episode is re-evaluated without waiting for the next incident.
  assert.deepEqual(summarize(engine.remove('b')), ['sc7/vm105 updated@20 n=1 [a]']);
  assert.equal(engine.openEpisodeCount(), 1, 'a remains: the episode stays open until its close time');
  const next = feed(engine, [{ id: 'd', minute: 40 }]);
  // c moved away and b was merged into another incident: a and d remain.
  assert.deepEqual(summarize(next), ['sc7/vm105 updated@40 n=2 [a,d]']);
});

test('throttle: updates within the interval are held back and sent once it has passed', () => {
  const throttled = ruleFrom(WATCHDOG_RULE.replace('quiet_period: 24h', 'quiet_period: 24h\nthrottle: 1h'));
  const engine = new AlertEngine([throttled]);
  const alerts = feed(engine, [
    { id: 'a', minute: 0 },
    { id: 'b', minute: 10 },
    { id: 'c', minute: 20 },
    { id: 'd', minute: 30 },
    { id: 'x', minute: 80, domain: 'other' }, // another key moves event time on
  ]);
  assert.deepEqual(summarize(alerts), ['sc7/vm105 open@10 n=2 [a,b]', 'sc7/vm105 updated@70 n=4 [a,b,c,d]']);
  assert.deepEqual(summarize(feed(engine, [{ id: 'e', minute: 90 }])), []);
  assert.deepEqual(summarize(engine.advanceClock(Date.parse('2017-03-15T02:10:00.000Z'))), ['sc7/vm105 updated@130 n=5 [a,b,c,d,e]']);
});

test('advanceClock closes idle episodes at their event-time close instant, minus the lateness', () => {
  const engine = new AlertEngine([rule], { allowedLatenessMs: HOUR });
  feed(engine, [
    { id: 'a', minute: 0 },
    { id: 'b', minute: 60 },
  ]);
  // close = 0 + 24h + 24h = 2880 min; due once the clock passes 2880 + 60
  assert.deepEqual(engine.advanceClock(Date.parse('2017-03-17T00:59:00.000Z')), []);
  assert.deepEqual(summarize(engine.advanceClock(Date.parse('2017-03-17T01:00:00.000Z'))), ['sc7/vm105 closed@2880 n=2 [a,b]']);
  assert.equal(engine.openEpisodeCount(), 0);
});

test('an update that nets out to nothing (added, then withdrawn by a tombstone) is not sent', () => {
  const throttled = ruleFrom(WATCHDOG_RULE.replace('quiet_period: 24h', 'quiet_period: 24h\nthrottle: 1h'));
  const engine = new AlertEngine([throttled]);
  const alerts = feed(engine, [
    { id: 'a', minute: 0 },
    { id: 'b', minute: 10 },
    { id: 'dup', minute: 20 }, // held back by the throttle...
  ]);
  engine.remove('dup'); // ...then merged into another incident
  alerts.push(...engine.advanceClock(Date.parse('2017-03-15T03:00:00.000Z')));
  assert.deepEqual(summarize(alerts), ['sc7/vm105 open@10 n=2 [a,b]']);
});

test('a tombstone of a merged incident: the episode is updated with the survivor, or closed when nothing remains', () => {
  const engine = new AlertEngine([rule]);
  const opened = feed(engine, [
    { id: 'a', minute: 0 },
    { id: 'b', minute: 10 },
  ]);
  // The correlator merges a into s: the survivor first, then a's tombstone (kafka-correlator.ts order).
  const merged = [...feed(engine, [{ id: 's', minute: 12 }]), ...engine.remove('a')];
  assert.deepEqual(summarize([...opened, ...merged]), ['sc7/vm105 open@10 n=2 [a,b]', 'sc7/vm105 updated@12 n=3 [a,b,s]', 'sc7/vm105 updated@12 n=2 [b,s]']);
  assert.equal(merged.at(-1)?.alert.id, opened[0]?.alert.id, 'the same episode');
  // Every incident it counted withdrawn: closed at once, nothing left counting.
  engine.remove('b');
  const closed = engine.remove('s');
  assert.deepEqual(summarize(closed), ['sc7/vm105 closed@12 n=0 []']);
  assert.equal(closed[0]?.alert.id, opened[0]?.alert.id);
  assert.equal(engine.openEpisodeCount(), 0);
  // ...and it leaves no close time behind: later incidents of those times open a new episode of their own.
  const again = feed(engine, [
    { id: 'x', minute: 12 },
    { id: 'y', minute: 13 },
  ]);
  assert.deepEqual(summarize(again), ['sc7/vm105 open@13 n=2 [x,y]']);
  assert.notEqual(again[0]?.alert.id, opened[0]?.alert.id);
});

test('a tombstone within the throttle interval is held back like any update', () => {
  const throttled = ruleFrom(WATCHDOG_RULE.replace('quiet_period: 24h', 'quiet_period: 24h\nthrottle: 1h'));
  const engine = new AlertEngine([throttled]);
  const alerts = feed(engine, [
    { id: 'a', minute: 0 },
    { id: 'b', minute: 10 },
    { id: 'c', minute: 15 },
  ]);
  assert.deepEqual(engine.remove('a'), [], 'within an hour of the open: held back');
  alerts.push(...engine.advanceClock(Date.parse('2017-03-15T01:10:00.000Z')));
  assert.deepEqual(summarize(alerts), ['sc7/vm105 open@10 n=2 [a,b]', 'sc7/vm105 updated@70 n=2 [b,c]']);
});
