import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Partitioners } from 'kafkajs';
import type { EcsEvent } from '../../../shared/schema/event.js';
import type { Incident } from '../../../shared/schema/incident.js';
import { TOPICS } from '../../../shared/topics.js';
import { applyOutput, correlateAll, Correlator, type CorrelatorOutput } from '../../../services/correlator/core/index.js';
import { macRecordMessages, readMacRecord } from '../../../services/correlator/adapters/identity-topic.js';
import { HYPERVISOR_HEADER, partitionIncidentsByHypervisor } from '../../../services/correlator/adapters/incident-partitioner.js';
import { SourceStates } from '../../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../../services/parser/core/registry.js';
import { GuestDirectory } from '../../../services/parser/core/peer/guest-directory.js';
import { parseKafkaMessage } from '../../../services/parser/core/peer/parse-kafka-message.js';
import { asMessage, ownEvents, PARSE_OPTIONS, readDocs } from '../parser-peer/peer-fixtures.js';

// Issue 13: Winlogbeat records of a guest the parser could not place (no hypervisor, `unresolved`) are placed
// by the MAC of the qemu command line once it is known, re-emitted with the same event.id on that hypervisor,
// and join its incident; the placements travel between replicas as `mac:` records of the identity topic.

/** The vm113 Winlogbeat documents as the parser emits them with no placement known (41, 6008, 6005, 1001, 6006). */
function unplacedBeat(): EcsEvent[] {
  const ctx = { registry: FORMAT_PARSERS, states: new SourceStates(), options: PARSE_OPTIONS, directory: new GuestDirectory(), at: '2017-03-16T03:00:00.000Z' };
  return readDocs('winlogbeat-7.17-system-vm113.ndjson').flatMap((doc, i) => parseKafkaMessage(asMessage('winlogbeat', doc, i), { kind: 'winlogbeat' }, ctx).events.map((e) => e.value));
}

/** sc7's qemu log of vm113 (its command line has mac=52:54:00:a6:3a:68) and libvirtd log, as our shipper sends them. */
function hostEvents(): EcsEvent[] {
  const own = ownEvents();
  return [...(own.get('/var/log/libvirt/qemu/vm113.log') ?? []), ...(own.get('/var/log/libvirt/libvirtd.log') ?? [])];
}

function summary(i: Incident): unknown {
  return { id: i.incident.id, kind: i.incident.kind, domain: i.libvirt.domain.name, hypervisor: i.libvirt.hypervisor, evidence: i.incident.evidence.map((e) => e.event.id).sort() };
}

test('an unplaced Winlogbeat record is held, then re-homed with the same id once the qemu mac= line arrives', () => {
  const beat = unplacedBeat();
  assert.ok(beat.every((e) => e.libvirt?.hypervisor === undefined && e.hangwatch.attribution === 'unresolved'));
  const correlator = new Correlator();
  const rehomed: EcsEvent[] = [];
  for (const e of beat) {
    const out = correlator.push(e);
    assert.equal(out.rehomed.length, 0);
    assert.equal(out.incidents.length, 0);
  }
  const identity = [];
  for (const e of hostEvents()) {
    const out = correlator.push(e);
    identity.push(...out.identity);
    rehomed.push(...out.rehomed);
  }
  assert.deepEqual(identity.map((r) => [r.hypervisor, r.mac, r.facts.map((f) => f.value)]), [['sc7', '52:54:00:a6:3a:68', ['vm113']]]);
  assert.deepEqual(rehomed.map((e) => e.event.id).sort(), beat.map((e) => e.event.id).sort());
  for (const e of rehomed) {
    assert.equal(e.libvirt?.hypervisor, 'sc7');
    assert.equal(e.libvirt?.domain?.name, 'vm113');
    assert.equal(e.hangwatch.attribution, 'mac');
  }
  // The held copies left the unknown host: pushing a copy again re-homes it at once and holds nothing.
  const again = correlator.push(beat[0]!);
  assert.deepEqual(again.rehomed.map((e) => e.event.id), [beat[0]!.event.id]);
});

test('two replicas: the placement travels as a mac: record; the re-homed records give the offline incident', () => {
  const beat = unplacedBeat();
  const host = hostEvents();
  const guestSide = new Correlator(); // the partition the guest's own key (host.name) landed on
  const hostSide = new Correlator(); // the partition of sc7
  const incidents = new Map<string, Incident>();
  const fold = (out: CorrelatorOutput): void => applyOutput(out, incidents);
  for (const e of beat) fold(guestSide.push(e));
  const published: CorrelatorOutput['identity'] = [];
  for (const e of host) {
    const out = hostSide.push(e);
    fold(out);
    published.push(...out.identity);
  }
  assert.equal(incidents.size, 0);
  // Through the topic's own encoding, as the follower reads it.
  for (const message of macRecordMessages(published)) {
    const record = readMacRecord({ key: Buffer.from(message.key as string), value: Buffer.from(message.value as string) });
    assert.ok(record);
    assert.equal(guestSide.learnPlacement(record), true);
  }
  const rehome = guestSide.rehome();
  assert.equal(rehome.rehomed.length, beat.length);
  assert.equal(guestSide.rehome().rehomed.length, 0);
  for (const e of rehome.rehomed) fold(hostSide.push(e));
  fold(hostSide.flush());
  const offline = correlateAll([...host, ...beat], {}).incidents;
  assert.ok(offline.length >= 1);
  assert.deepEqual([...incidents.values()].map(summary), offline.map(summary));
  const incident = offline[0]!;
  assert.equal(incident.libvirt.domain.name, 'vm113');
  assert.equal(incident.libvirt.hypervisor, 'sc7');
  assert.equal(incident.windows?.bugcheck?.name, 'CLOCK_WATCHDOG_TIMEOUT');
  assert.ok(incident.incident.evidence.some((e) => e.event.dataset === 'windows.winlogbeat'));
});

test('correlateAll places unplaced guest records whatever the order, with attribution mac', () => {
  const beat = unplacedBeat();
  const host = hostEvents();
  const a = correlateAll([...beat, ...host], {});
  const b = correlateAll([...host, ...beat].reverse(), {});
  assert.deepEqual(a.incidents.map(summary), b.incidents.map(summary));
  for (const e of a.events.filter((x) => x.event.dataset === 'windows.winlogbeat')) {
    assert.deepEqual([e.libvirt?.hypervisor, e.libvirt?.domain?.name, e.hangwatch.attribution], ['sc7', 'vm113', 'mac']);
  }
});

test('readMacRecord ignores other keys, tombstones and unknown versions', () => {
  assert.equal(readMacRecord({ key: Buffer.from('correlator:sc7'), value: Buffer.from('{}') }), undefined);
  assert.equal(readMacRecord({ key: Buffer.from('mac:sc7:52:54:00:00:00:01'), value: null }), undefined);
  assert.equal(readMacRecord({ key: Buffer.from('mac:sc7:52:54:00:00:00:01'), value: Buffer.from('{"version":9,"hypervisor":"sc7","mac":"x","facts":[]}') }), undefined);
  assert.equal(readMacRecord({ key: Buffer.from('mac:sc7:52:54:00:00:00:01'), value: Buffer.from('not json') }), undefined);
});

test('incidents: one hypervisor on one partition (murmur2 of the hypervisor), keys untouched; other topics by key', () => {
  const partitioner = partitionIncidentsByHypervisor();
  const byKey = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: 12 }, (_, i) => ({ partitionId: i, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  const place = (topic: string, key: string, hypervisor: string) => partitioner({ topic, partitionMetadata, message: { key, value: 'x', headers: { [HYPERVISOR_HEADER]: hypervisor } } });
  const ids = Array.from({ length: 40 }, (_, i) => `incident-${i}`);
  for (const hypervisor of ['sc7', 'sc8', 'sc9-long-name.example']) {
    const partitions = new Set(ids.map((id) => place(TOPICS.incidents, id, hypervisor)));
    assert.equal(partitions.size, 1, hypervisor);
    assert.equal([...partitions][0], byKey({ topic: TOPICS.incidents, partitionMetadata, message: { key: hypervisor, value: 'x' } }));
  }
  // Keyed by id, 40 incidents of one host would have spread over the partitions: the choice is the header's.
  assert.ok(new Set(ids.map((id) => byKey({ topic: TOPICS.incidents, partitionMetadata, message: { key: id, value: 'x' } }))).size > 1);
  assert.equal(place(TOPICS.events, 'sc8', 'sc7'), byKey({ topic: TOPICS.events, partitionMetadata, message: { key: 'sc8', value: 'x' } }));
});
