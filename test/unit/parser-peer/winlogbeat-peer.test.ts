import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { windowsEventId } from '../../../shared/identity.js';
import { parseFile } from '../../grammars/golden.js';
import { SourceStates } from '../../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../../services/parser/core/registry.js';
import { GuestDirectory } from '../../../services/parser/core/peer/guest-directory.js';
import { parseKafkaMessage, type MessageContext } from '../../../services/parser/core/peer/parse-kafka-message.js';
import { asMessage, ownEvents, PARSE_OPTIONS, readDocs } from './peer-fixtures.js';

// Issue 13: Winlogbeat documents straight from the guest. Same event ids and fields as the event XML path,
// Winlogbeat's own event.created kept with the skew, keyed by the hypervisor once the MAC places the guest.

function context(directory = new GuestDirectory()): MessageContext {
  return { registry: FORMAT_PARSERS, states: new SourceStates(), options: PARSE_OPTIONS, directory, at: '2017-03-16T03:00:00.000Z' };
}

function run(ctx: MessageContext): { events: EcsEvent[]; keys: (string | null)[] } {
  const events: EcsEvent[] = [];
  const keys: (string | null)[] = [];
  readDocs('winlogbeat-7.17-system-vm113.ndjson').forEach((doc, i) => {
    const outcome = parseKafkaMessage(asMessage('winlogbeat', doc, i), { kind: 'winlogbeat' }, ctx);
    assert.equal(outcome.deadletters.length, 0);
    for (const e of outcome.events) {
      events.push(e.value);
      keys.push(e.key);
    }
  });
  return { events, keys };
}

test('an unplaced guest: keyed by host.name, attribution unresolved, no hypervisor', () => {
  const { events, keys } = run(context());
  assert.deepEqual(events.map((e) => e.winlog?.event_id), ['41', '6008', '6005', '1001', '6006']);
  assert.ok(keys.every((k) => k === 'WIN7-VM113'));
  for (const e of events) {
    assert.equal(e.hangwatch.attribution, 'unresolved');
    assert.equal(e.libvirt?.hypervisor, undefined);
    assert.equal(e.hangwatch.source?.shipper, 'winlogbeat');
    assert.deepEqual(e.host?.mac, ['52:54:00:a6:3a:68']);
  }
});

test('a guest placed by the MAC of a qemu command line the parser saw: keyed and tagged by its hypervisor', () => {
  const ctx = context();
  // The host's qemu log through our shipper's path teaches vm113's MAC (52:54:00:a6:3a:68) on sc7.
  for (const event of ownEvents().get('/var/log/libvirt/qemu/vm113.log') ?? []) ctx.directory.learnEvent(event);
  assert.equal(ctx.directory.size, 1);
  const { events, keys } = run(ctx);
  assert.ok(keys.every((k) => k === 'sc7'));
  for (const e of events) {
    assert.equal(e.libvirt?.hypervisor, 'sc7');
    assert.equal(e.hangwatch.attribution, undefined, 'the domain is the correlator\'s to resolve, by MAC');
  }
});

test('placement from a correlator snapshot; the latest placement at or before the event time wins', () => {
  const directory = new GuestDirectory();
  directory.learnSnapshot('sc7', { '52:54:00:a6:3a:68': [{ atMs: Date.UTC(2017, 2, 1), eventId: 'a', value: 'vm113' }] });
  directory.learnSnapshot('sc9', { '52:54:00:a6:3a:68': [{ atMs: Date.UTC(2017, 2, 15, 9), eventId: 'b', value: 'vm113' }] });
  assert.equal(directory.place(['52-54-00-A6-3A-68'], Date.UTC(2017, 2, 15, 5))?.hypervisor, 'sc7');
  assert.equal(directory.place(['52:54:00:a6:3a:68'], Date.UTC(2017, 2, 15, 10))?.hypervisor, 'sc9');
  assert.equal(directory.place(['52:54:00:a6:3a:68'], Date.UTC(2017, 1, 1))?.hypervisor, 'sc7', 'before any fact: the earliest');
  assert.equal(directory.place(['52:54:00:00:00:01'], Date.UTC(2017, 2, 15)), undefined);
  const { keys, events } = run(context(directory));
  assert.deepEqual(keys, ['sc7', 'sc7', 'sc7', 'sc7', 'sc9']);
  assert.equal(events[4]?.libvirt?.hypervisor, 'sc9');
});

test("Winlogbeat's event.created is kept, with hangwatch.clock.skew_ms = created - @timestamp", () => {
  const { events } = run(context());
  const kp41 = events[0] as EcsEvent;
  assert.equal(kp41['@timestamp'], '2017-03-15T05:13:20.109Z');
  assert.equal(kp41.event.created, '2017-03-15T05:14:02.512Z');
  assert.equal(kp41.hangwatch.clock?.skew_ms, 42_403);
  assert.equal(events[4]?.hangwatch.clock?.skew_ms, 812);
});

test('same event ids and Windows fields as the event XML path for the same records (a re-send is one event)', () => {
  const { events } = run(context());
  const again = run(context()).events;
  assert.deepEqual(again.map((e) => e.event.id), events.map((e) => e.event.id));
  const xml = parseFile(join(import.meta.dirname, '..', '..', 'grammars', 'fixtures', 'winevent-xml', 'wevtutil-system-zh-CN-seed-guest.xml'), FORMAT_PARSERS, {
    format: 'winevent-xml',
    framing: 'lines',
    parseOptions: PARSE_OPTIONS,
  }).events;
  for (const e of events) {
    const x = xml.find((candidate) => candidate.winlog?.record_id === e.winlog?.record_id);
    assert.ok(x, e.winlog?.record_id);
    assert.equal(e.event.id, windowsEventId('WIN7-VM113', 'System', e.winlog?.record_id ?? ''));
    assert.equal(e.event.id, x.event.id);
    assert.equal(e['@timestamp'], x['@timestamp']);
    assert.equal(e.event.action, x.event.action);
    assert.deepEqual(e.windows, x.windows);
  }
});
