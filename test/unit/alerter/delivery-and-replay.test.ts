import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRulesOffline } from '../../../services/alerter/core/evaluate-offline.js';
import { ReplayGuard } from '../../../services/alerter/core/replay-guard.js';
import { SilenceBook, buildSilence, parseSilence, partitionBySilence, silenceRecordKey } from '../../../services/alerter/core/silence.js';
import { backoffDelayMs, decideDelivery } from '../../../services/alerter/core/webhook-retry.js';
import { AlertEngine } from '../../../services/alerter/core/engine.js';
import { BASE_MS, HOUR, WATCHDOG_RULE, makeIncident, ruleFrom, summarize } from './helpers.js';

const rule = ruleFrom(WATCHDOG_RULE);

test('silences mute one rule and key until they expire; a tombstone lifts them early', () => {
  const book = new SilenceBook();
  const now = BASE_MS;
  const silence = buildSilence('recurring-watchdog-vm', 'sc7/vm105', now, 2 * HOUR, 'known, fix scheduled', 'ops');
  assert.equal(silence.expires_at, '2017-03-15T02:00:00.000Z');
  book.apply(silenceRecordKey(silence.rule_id, silence.key), parseSilence(JSON.stringify(silence)));
  assert.equal(book.isSilenced('recurring-watchdog-vm', 'sc7/vm105', now + HOUR), true);
  assert.equal(book.isSilenced('recurring-watchdog-vm', 'sc7/vm106', now + HOUR), false);
  assert.equal(book.isSilenced('watchdog-wave-host', 'sc7/vm105', now + HOUR), false);
  assert.equal(book.isSilenced('recurring-watchdog-vm', 'sc7/vm105', now + 2 * HOUR), false);
  assert.deepEqual(book.active(now + HOUR).map((s) => s.key), ['sc7/vm105']);

  const engine = new AlertEngine([rule]);
  const alerts = [
    ...engine.upsert(makeIncident({ id: 'a', minute: 0 })).alerts,
    ...engine.upsert(makeIncident({ id: 'b', minute: 1 })).alerts,
    ...engine.upsert(makeIncident({ id: 'c', minute: 2, domain: 'vm106' })).alerts,
    ...engine.upsert(makeIncident({ id: 'd', minute: 3, domain: 'vm106' })).alerts,
  ];
  const { notify, silenced } = partitionBySilence(alerts, book, now + HOUR);
  assert.deepEqual(summarize(silenced), ['sc7/vm105 open@1 n=2 [a,b]']);
  assert.deepEqual(summarize(notify), ['sc7/vm106 open@3 n=2 [c,d]']);

  book.apply(silenceRecordKey('recurring-watchdog-vm', 'sc7/vm105'), parseSilence(null));
  assert.equal(book.isSilenced('recurring-watchdog-vm', 'sc7/vm105', now + HOUR), false);
  assert.equal(parseSilence('{"rule_id":1}'), undefined);
  assert.equal(parseSilence('not json'), undefined);
  assert.throws(() => buildSilence('r', 'k', now, 0), /--for must be a positive duration/);
});

test('offline evaluation depends on the set of incidents only: order and redeliveries do not matter', () => {
  const specs = [
    { id: 'a', minute: 0 },
    { id: 'b', minute: 60 },
    { id: 'c', minute: 90, domain: 'vm2' },
    { id: 'd', minute: 95, domain: 'vm2' },
    { id: 'e', minute: 4000 },
    { id: 'f', minute: 4001 },
  ];
  const incidents = specs.map(makeIncident);
  const forward = evaluateRulesOffline(incidents, [rule], { timelineBaseUrl: 'http://tl:8790/', kibanaBaseUrl: 'https://kibana:5601' });
  const shuffled = [incidents[4], incidents[1], incidents[5], incidents[0], incidents[3], incidents[2], incidents[1]].filter((i) => i !== undefined);
  const backward = evaluateRulesOffline(shuffled, [rule], { timelineBaseUrl: 'http://tl:8790/', kibanaBaseUrl: 'https://kibana:5601' });
  assert.deepEqual(backward, forward);
  assert.deepEqual(summarize(forward), [
    'sc7/vm105 open@60 n=2 [a,b]',
    'sc7/vm2 open@95 n=2 [c,d]',
    'sc7/vm105 closed@2880 n=2 [a,b]', // a + 24h window + 24h quiet
    'sc7/vm2 closed@2970 n=2 [c,d]',
    'sc7/vm105 open@4001 n=2 [e,f]',
  ]);
  assert.equal(forward[0]?.hangwatch?.links.timeline, 'http://tl:8790/timeline?incident=b&format=html');
  const kibana = forward[0]?.hangwatch?.links.kibana ?? '';
  assert.match(kibana, /^https:\/\/kibana:5601\/app\/discover#\/\?_g=\(time:\(from:'2017-03-14T00:00:00\.000Z',to:'2017-03-15T02:00:00\.000Z'\)\)&_a=\(query:\(language:kuery,query:/);
  assert.ok(decodeURIComponent(kibana).includes(`libvirt.hypervisor:"sc7" and libvirt.domain.name:"vm105" and windows.bugcheck.code:("0x00000101" or "0x00000133")`));
  const until = evaluateRulesOffline(incidents, [rule], { until: '2017-03-25T00:00:00.000Z' });
  assert.deepEqual(summarize(until).slice(-1), ['sc7/vm105 closed@6880 n=2 [e,f]']);
});

test('replay guard: a restart replays the same changes, which are not produced twice; truly new ones pass', () => {
  const incidents = [
    { id: 'a', minute: 0 },
    { id: 'b', minute: 60 },
    { id: 'c', minute: 120 },
  ].map(makeIncident);
  const before = new AlertEngine([rule]);
  const produced = incidents.slice(0, 2).flatMap((i) => before.upsert(i).alerts);
  const guard = new ReplayGuard();
  for (const alert of produced) guard.remember(alert);
  const after = new AlertEngine([rule]); // restarted: replays everything, then the new incident
  const replayed = incidents.flatMap((i) => after.upsert(i).alerts);
  const admitted = replayed.filter((a) => guard.admit(a) === 'new');
  assert.deepEqual(summarize(admitted), ['sc7/vm105 updated@120 n=3 [a,b,c]']);
  assert.equal(guard.admit(replayed[1]!), 'duplicate');
});

test('replay guard: an old episode re-derived without its expired first incident is held back with its updates', () => {
  const guard = new ReplayGuard();
  const full = new AlertEngine([rule]);
  for (const alert of ['a', 'b', 'c'].flatMap((id, i) => full.upsert(makeIncident({ id, minute: i * 60 })).alerts)) guard.remember(alert);
  const partial = new AlertEngine([rule]); // 'a' fell out of the incidents topic's retention
  const replayed = [
    ...partial.upsert(makeIncident({ id: 'b', minute: 60 })).alerts,
    ...partial.upsert(makeIncident({ id: 'c', minute: 120 })).alerts,
    ...partial.upsert(makeIncident({ id: 'd', minute: 130 })).alerts,
  ];
  assert.deepEqual(summarize(replayed), ['sc7/vm105 open@120 n=2 [b,c]', 'sc7/vm105 updated@130 n=3 [b,c,d]']);
  assert.deepEqual(replayed.map((a) => guard.admit(a)), ['partial-replay', 'partial-replay']);
});

test('webhook retry decisions and backoff with jitter', () => {
  assert.equal(decideDelivery({ kind: 'status', status: 204 }), 'delivered');
  assert.equal(decideDelivery({ kind: 'status', status: 429 }), 'retry');
  assert.equal(decideDelivery({ kind: 'status', status: 503 }), 'retry');
  assert.equal(decideDelivery({ kind: 'status', status: 400 }), 'give-up');
  assert.equal(decideDelivery({ kind: 'status', status: 401 }), 'give-up');
  assert.equal(decideDelivery({ kind: 'timeout' }), 'retry');
  assert.equal(decideDelivery({ kind: 'network' }), 'retry');
  assert.equal(backoffDelayMs(1, 500, 30_000, 0), 250);
  assert.equal(backoffDelayMs(1, 500, 30_000, 0.999999), 500);
  assert.equal(backoffDelayMs(4, 500, 30_000, 0), 2000);
  assert.equal(backoffDelayMs(20, 500, 30_000, 0.5), 22_500);
});
