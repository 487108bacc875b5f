import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { EcsEventSchema } from '../../../shared/schema/event.js';
import { SourceStates } from '../../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../../services/parser/core/registry.js';
import { GuestDirectory } from '../../../services/parser/core/peer/guest-directory.js';
import { parseKafkaMessage, type MessageContext } from '../../../services/parser/core/peer/parse-kafka-message.js';
import type { TopicBinding } from '../../../services/parser/core/peer/peer-kind.js';
import { parseSenderScope } from '../../../services/parser/core/peer/sender-scope.js';
import { buildTopicBindings } from '../../../services/parser/core/peer/topic-bindings.js';
import { asMessage, PARSE_OPTIONS, readDocs } from './peer-fixtures.js';

// A Winlogbeat document is the guest's word: with a sender binding, a topic speaks only for its hypervisor (or its
// one domain). vm113's documents (MAC 52:54:00:a6:3a:68, placed on sc7/vm113) arriving on vm105's topic stay vm105's,
// flagged; on an unbound topic they land on vm113 as before.

const VM113_MAC = '52:54:00:a6:3a:68';

function context(): MessageContext {
  const directory = new GuestDirectory();
  directory.learnSnapshot('sc7', { [VM113_MAC]: [{ atMs: Date.UTC(2017, 2, 1), eventId: 'q', value: 'vm113' }] });
  return { registry: FORMAT_PARSERS, states: new SourceStates(), options: PARSE_OPTIONS, directory, at: '2017-03-16T03:00:00.000Z' };
}

function run(binding: TopicBinding, ctx = context()): { events: EcsEvent[]; keys: (string | null)[] } {
  const events: EcsEvent[] = [];
  const keys: (string | null)[] = [];
  readDocs('winlogbeat-7.17-system-vm113.ndjson').forEach((doc, i) => {
    const outcome = parseKafkaMessage(asMessage('winlog-vm105', doc, i), binding, ctx);
    assert.deepEqual(outcome.deadletters, []);
    for (const e of outcome.events) {
      events.push(e.value);
      keys.push(e.key);
    }
  });
  return { events, keys };
}

test("vm113's MAC on a topic bound to sc7/vm105: kept on vm105 (attribution sender), the MAC's claim flagged", () => {
  const { events, keys } = run({ kind: 'winlogbeat', sender: { hypervisor: 'sc7', domain: 'vm105' } });
  assert.equal(events.length, 5);
  assert.ok(keys.every((k) => k === 'sc7'));
  for (const e of events) {
    assert.deepEqual(EcsEventSchema.safeParse(e).success, true);
    assert.equal(e.libvirt?.hypervisor, 'sc7');
    assert.equal(e.libvirt?.domain?.name, 'vm105');
    assert.equal(e.hangwatch.attribution, 'sender');
    assert.deepEqual(e.hangwatch.identity?.conflict, { claimed: 'vm113', via: 'mac', claim: '52-54-00-A6-3A-68' });
  }
});

test("a topic bound to another hypervisor keeps its documents there; the claim names the other host's domain", () => {
  const { events, keys } = run({ kind: 'winlogbeat', sender: { hypervisor: 'sc9' } });
  assert.ok(keys.every((k) => k === 'sc9'));
  for (const e of events) {
    assert.equal(e.libvirt?.hypervisor, 'sc9');
    assert.equal(e.libvirt?.domain, undefined, 'the correlator resolves it among sc9 guests');
    assert.notEqual(e.hangwatch.attribution, 'unresolved');
    assert.deepEqual(e.hangwatch.identity?.conflict, { claimed: 'sc7/vm113', via: 'mac', claim: '52-54-00-A6-3A-68' });
  }
});

test('a bound topic whose documents agree with it carries no conflict; an unbound topic follows the MAC as before', () => {
  const agreeing = run({ kind: 'winlogbeat', sender: { hypervisor: 'sc7', domain: 'vm113' } }).events;
  assert.ok(agreeing.every((e) => e.libvirt?.domain?.name === 'vm113' && e.hangwatch.attribution === 'sender' && e.hangwatch.identity === undefined));
  const host = run({ kind: 'winlogbeat', sender: { hypervisor: 'sc7' } }).events;
  assert.ok(host.every((e) => e.libvirt?.hypervisor === 'sc7' && e.libvirt.domain === undefined && e.hangwatch.identity === undefined));
  const unbound = run({ kind: 'winlogbeat' });
  assert.ok(unbound.keys.every((k) => k === 'sc7'));
  assert.ok(unbound.events.every((e) => e.hangwatch.identity === undefined && e.libvirt?.domain === undefined));
});

test('sender bindings: topic=hypervisor[/domain] on a Winlogbeat topic; every bad entry reported at once', () => {
  const bindings = buildTopicBindings({ hangwatch: ['raw'], peers: { filebeat: ['fb'], vector: [], rsyslog: [], winlogbeat: ['wl-a', 'wl-b'] }, formats: [], senders: ['wl-a=sc7/vm105', ' wl-b = sc8 '] });
  assert.deepEqual(bindings.get('wl-a'), { kind: 'winlogbeat', sender: { hypervisor: 'sc7', domain: 'vm105' } });
  assert.deepEqual(bindings.get('wl-b'), { kind: 'winlogbeat', sender: { hypervisor: 'sc8' } });
  assert.deepEqual(bindings.get('fb'), { kind: 'filebeat' });
  assert.throws(
    () => buildTopicBindings({ hangwatch: ['raw'], peers: { filebeat: ['fb'], vector: [], rsyslog: [], winlogbeat: ['wl-a'] }, formats: [], senders: ['fb=sc7', 'wl-a=sc7/vm1/x', 'nothing', 'wl-a=sc7', 'wl-a=sc8'] }),
    (e: Error) => /fb is not one of the Winlogbeat topics/.test(e.message) && /wl-a=sc7\/vm1\/x/.test(e.message) && /"nothing"/.test(e.message) && /bound twice/.test(e.message),
  );
  assert.deepEqual(parseSenderScope('sc7'), { hypervisor: 'sc7' });
  assert.equal(parseSenderScope('sc7/'), undefined);
  assert.equal(parseSenderScope('../etc'), undefined);
});
