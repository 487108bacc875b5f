import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correlateAll, OffsetLedger } from '../../../services/correlator/core/index.js';
import { parseWindowsLocalDateTime } from '../../../services/correlator/core/local-time.js';
import { TimedFacts } from '../../../services/correlator/core/timed-facts.js';
import { ev, seedScenario, vmConfig } from './fixtures.js';

// Identity and time resolution details, and the offset ledger.

test('6008 local times in en-US, zh-CN and de-DE forms, with bidi marks', () => {
  const want = { year: 2017, month: 3, day: 15, hour: 13, minute: 11, second: 54, ms: 0 };
  assert.deepEqual(parseWindowsLocalDateTime('\u200e3/\u200e15/\u200e2017', '1:11:54 PM'), want);
  assert.deepEqual(parseWindowsLocalDateTime('2017/3/15', '13:11:54'), want);
  assert.deepEqual(parseWindowsLocalDateTime('2017/3/15', '下午 1:11:54'), want);
  assert.deepEqual(parseWindowsLocalDateTime('15.03.2017', '13:11:54'), want);
  assert.equal(parseWindowsLocalDateTime('15.13.2017', '13:11:54'), undefined);
});

test('timed facts: latest at or before, else earliest after; prune keeps the last one before the horizon', () => {
  const facts = new TimedFacts<string>();
  facts.add({ atMs: 100, eventId: 'b', value: 'B' });
  facts.add({ atMs: 50, eventId: 'a', value: 'A' });
  assert.equal(facts.add({ atMs: 50, eventId: 'a', value: 'A' }), false);
  assert.equal(facts.at(10)?.value, 'A');
  assert.equal(facts.at(99)?.value, 'A');
  assert.equal(facts.around(150)?.seen, 'before');
  facts.prune(120);
  assert.equal(facts.size, 1);
  assert.equal(facts.at(130)?.value, 'B');
});

test('the collection folder wins over the inventory (the claim is flagged); configured zone wins over the learned one', () => {
  const events = [...seedScenario()];
  const local = ev({ at: '2017-03-15T13:00:00.000Z', dataset: 'windows.system', action: 'service-crash', basis: 'zone', path: '/collect/sc7/guests/vm105/System.xml', extra: { host: { name: 'WIN7-105' } } });
  const learned = correlateAll([...events, local], {}).events.find((e) => e.event.id === local.event.id);
  assert.equal(learned?.['@timestamp'], '2017-03-15T05:00:00.000Z');
  const configured = correlateAll([...events, local], { guestZones: { 'sc7/vm105': 'Asia/Tokyo' } }).events.find((e) => e.event.id === local.event.id);
  assert.equal(configured?.['@timestamp'], '2017-03-15T04:00:00.000Z');
  assert.equal(configured?.hangwatch.time.zone, 'Asia/Tokyo');
  const inv = correlateAll([...events, local], { inventory: [{ domain: 'vm777', computerName: 'win7-105' }] }).events.find((e) => e.event.id === local.event.id);
  assert.deepEqual([inv?.libvirt?.domain?.name, inv?.hangwatch.attribution], ['vm105', 'folder']);
  assert.deepEqual(inv?.hangwatch.identity?.conflict, { claimed: 'vm777', via: 'inventory', claim: 'WIN7-105' });
  const unbound = { ...local, log: { file: { path: '/collect/sc7/System.xml' } } };
  const byInventory = correlateAll([...events, unbound], { inventory: [{ domain: 'vm777', computerName: 'win7-105' }] }).events.find((e) => e.event.id === local.event.id);
  assert.deepEqual([byInventory?.libvirt?.domain?.name, byInventory?.hangwatch.attribution, byInventory?.hangwatch.identity], ['vm777', 'inventory', undefined]);
});

test('qemu -rtc base=localtime teaches the configured host zone to a guest with no WinDbg report', () => {
  const local = ev({ at: '2017-03-15T13:00:00.000Z', dataset: 'windows.system', action: 'service-crash', basis: 'zone', path: '/collect/sc7/guests/vm105/System.xml' });
  const result = correlateAll([vmConfig('2017-03-15T00:00:00Z', 'sc7', 'vm105'), local], { hostZones: { sc7: 'Asia/Shanghai' } });
  assert.equal(result.events.find((e) => e.event.id === local.event.id)?.['@timestamp'], '2017-03-15T05:00:00.000Z');
});

test('thread attribution: neighbours that disagree halve the confidence; a far neighbour is ignored', () => {
  const eof = ev({ at: '2017-03-15T06:00:00.000Z', dataset: 'libvirt.daemon', action: 'monitor-eof', thread: 9 });
  const a = ev({ at: '2017-03-15T06:00:00.000Z', dataset: 'libvirt.daemon', action: 'log-open-busy', thread: 9, domain: 'vmA', attribution: 'record' });
  const b = ev({ at: '2017-03-15T06:00:01.000Z', dataset: 'libvirt.daemon', action: 'log-open-busy', thread: 9, domain: 'vmB', attribution: 'record' });
  const far = ev({ at: '2017-03-15T06:01:00.000Z', dataset: 'libvirt.daemon', action: 'log-open-busy', thread: 9, domain: 'vmC', attribution: 'record' });
  const got = correlateAll([eof, a, b, far], {}).events.find((e) => e.event.id === eof.event.id);
  assert.equal(got?.libvirt?.domain?.name, 'vmA');
  assert.equal(got?.hangwatch.attribution_confidence, 0.45);
  const alone = correlateAll([eof, far], {}).events.find((e) => e.event.id === eof.event.id);
  assert.equal(alone?.hangwatch.attribution, 'unresolved');
});

test('offset ledger: commits up to the first record still needed, else past the last processed', () => {
  const ledger = new OffsetLedger();
  assert.equal(ledger.committable('0', () => 0), undefined);
  ledger.note('0', '10', 'h1', 1_000);
  ledger.note('0', '11', 'h2', 5_000);
  ledger.skip('0', '12');
  assert.equal(ledger.committable('0', () => 0), '10');
  assert.equal(ledger.committable('0', (h) => (h === 'h1' ? 2_000 : 0)), '11');
  assert.equal(ledger.committable('0', () => 10_000), '13');
  ledger.note('0', '13', 'h1', 1_000, true);
  assert.equal(ledger.committable('0', () => 10_000), '13', 'a zone-less local time is held up to 14 h longer');
});
