import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { AlertEngine } from '../../../services/alerter/core/engine.js';
import { loadRules } from '../../../services/alerter/adapters/rules-fs.js';
import type { Rule } from '../../../services/alerter/core/rule.js';
import { makeIncident, summarize, type IncidentSpec } from './helpers.js';

const shipped = loadRules(join(import.meta.dirname, '../../../rules'));
function shippedRule(id: string): Rule {
  const rule = shipped.find((r) => r.id === id);
  if (!rule) throw new Error(`shipped rule ${id} missing`);
  return rule;
}

function feed(engine: AlertEngine, specs: IncidentSpec[]) {
  return specs.flatMap((s) => engine.upsert(makeIncident(s)).alerts);
}

test('the shipped rules directory loads the five default rules', () => {
  assert.deepEqual(shipped.map((r) => `${r.id}:${r.type}`), [
    'exposed-windows-domain:exposure',
    'fleet-watchdog-trend:threshold',
    'missing-enlightenments-exposure:first-seen',
    'recurring-watchdog-vm:threshold',
    'watchdog-wave-host:cardinality',
  ]);
});

test('cardinality: 3 distinct domains of one hypervisor within 15m open one host alert; repeats of one domain do not', () => {
  const engine = new AlertEngine([shippedRule('watchdog-wave-host')]);
  const alerts = feed(engine, [
    { id: 'h1', minute: 0, domain: 'vm1', kind: 'hard-hang', code: '' },
    { id: 'h2', minute: 5, domain: 'vm1' },
    { id: 'h3', minute: 6, domain: 'vm2' },
    { id: 'o1', minute: 7, domain: 'vm3', host: 'sc8' }, // another hypervisor
    { id: 'h4', minute: 10, domain: 'vm3' },
    { id: 'h5', minute: 12, domain: 'vm4' },
    // clear = (3rd newest distinct: vm2 at 6) + 15m = 21; close = 21 + 1h quiet = 81
    { id: 'h6', minute: 100, domain: 'vm9' },
  ]);
  assert.deepEqual(summarize(alerts), [
    'sc7 open@10 n=3 [h1,h2,h3,h4]',
    'sc7 updated@25 n=4 [h1,h2,h3,h4,h5]', // held back by the 15m throttle after the open at 10
    'sc7 closed@81 n=4 [h1,h2,h3,h4,h5]',
  ]);
  assert.match(alerts[0]?.message ?? '', /^3 domains on sc7 hung within 15m \(vm1, vm2, vm3\): suspect the host/);
});

test('cardinality: domains more than the window apart never make a wave', () => {
  const engine = new AlertEngine([shippedRule('watchdog-wave-host')]);
  const alerts = feed(engine, [
    { id: 'a', minute: 0, domain: 'vm1' },
    { id: 'b', minute: 10, domain: 'vm2' },
    { id: 'c', minute: 15, domain: 'vm3' }, // vm1 left the (0, 15] window at minute 15
  ]);
  assert.deepEqual(alerts, []);
});

test('first-seen: a watchdog hang without hv_relaxed opens at once, updates, closes after 7 days quiet', () => {
  const engine = new AlertEngine([shippedRule('missing-enlightenments-exposure')]);
  const week = 7 * 24 * 60;
  const alerts = feed(engine, [
    { id: 'a', minute: 0, hyperv: ['vapic'] },
    { id: 'fixed', minute: 10, domain: 'vm2', hyperv: ['relaxed', 'vapic', 'spinlocks'] },
    { id: 'unknown-config', minute: 20, domain: 'vm3' },
    { id: 'no-hv', minute: 30, domain: 'vm4', hyperv: null },
    { id: 'b', minute: 60, hyperv: ['vapic'] },
    { id: 'later', minute: 60 + week, domain: 'vm5', code: '0x0000007e' }, // moves event time on only
    { id: 'c', minute: 60 + week + 1, hyperv: [] },
  ]);
  assert.deepEqual(summarize(alerts), [
    'sc7/vm105 open@0 n=1 [a]',
    'sc7/vm4 open@30 n=1 [no-hv]',
    'sc7/vm105 updated@360 n=2 [a,b]', // b at 60 waits for the 6h throttle
    'sc7/vm4 closed@10110 n=1 [no-hv]',
    'sc7/vm105 closed@10140 n=2 [a,b]',
    'sc7/vm105 open@10141 n=1 [c]',
  ]);
  assert.match(alerts[0]?.message ?? '', /^vm105 on sc7 hung with CLOCK_WATCHDOG_TIMEOUT and still runs without Hyper-V enlightenments \(hv: vapic\)/);
  assert.match(alerts[1]?.message ?? '', /\(hv: none\)/);
});

test('fleet threshold: one key for the whole fleet, counted across hypervisors', () => {
  const engine = new AlertEngine([shippedRule('fleet-watchdog-trend')]);
  const specs: IncidentSpec[] = [];
  for (let i = 0; i < 11; i++) specs.push({ id: `f${i}`, minute: i * 5, host: `sc${i % 3}`, domain: `vm${i}`, code: i % 2 ? '0x00000133' : '0x00000101' });
  specs.push({ id: 'other-code', minute: 56, code: '0x000000d1' });
  const alerts = feed(engine, specs);
  assert.deepEqual(summarize(alerts), ['fleet open@45 n=10 [f0,f1,f2,f3,f4,f5,f6,f7,f8,f9]']);
  // f10 waits for the 30m throttle: sent when time reaches 45 + 30.
  assert.deepEqual(summarize(engine.advanceClock(Date.parse('2017-03-15T01:15:00.000Z'))), ['fleet updated@75 n=11 [f0,f1,f2,f3,f4,f5,f6,f7,f8,f9,f10]']);
});
