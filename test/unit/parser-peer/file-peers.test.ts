import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { fileEventId, sourceEventId } from '../../../shared/identity.js';
import { SourceStates } from '../../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../../services/parser/core/registry.js';
import { GuestDirectory } from '../../../services/parser/core/peer/guest-directory.js';
import { parseKafkaMessage } from '../../../services/parser/core/peer/parse-kafka-message.js';
import { peerFingerprint } from '../../../services/parser/core/peer/peer-line.js';
import type { PeerKind } from '../../../services/parser/core/peer/peer-kind.js';
import { asMessage, ownEvents, PARSE_OPTIONS, readDocs, SOURCE_FILES, withoutProvenance } from './peer-fixtures.js';

// Issue 14: documents shaped as Filebeat, Vector and rsyslog write them to Kafka normalize to the same events
// as the same lines sent by our shipper, except for provenance (id, read time, offset, fingerprint, shipper).

const FIXTURES: ReadonlyArray<{ file: string; kind: PeerKind; offsets: boolean }> = [
  { file: 'filebeat-7.17-log-input.ndjson', kind: 'filebeat', offsets: true },
  { file: 'filebeat-8.15-filestream.ndjson', kind: 'filebeat', offsets: true },
  { file: 'filebeat-6.8-log-input.ndjson', kind: 'filebeat', offsets: true },
  { file: 'vector-0.34-file-json.ndjson', kind: 'vector', offsets: false },
  { file: 'vector-0.34-file-json-offset-key.ndjson', kind: 'vector', offsets: true },
  { file: 'rsyslog-8.24-imfile-hangwatch-template.ndjson', kind: 'rsyslog', offsets: true },
];

function peerEvents(file: string, kind: PeerKind): { events: EcsEvent[]; keys: (string | null)[]; letters: number } {
  const ctx = { registry: FORMAT_PARSERS, states: new SourceStates(), options: PARSE_OPTIONS, directory: new GuestDirectory(), at: '2017-03-16T03:00:00.000Z' };
  const events: EcsEvent[] = [];
  const keys: (string | null)[] = [];
  let letters = 0;
  readDocs(file).forEach((doc, i) => {
    const outcome = parseKafkaMessage(asMessage(`${kind}-topic`, doc, i), { kind }, ctx);
    for (const e of outcome.events) {
      events.push(e.value);
      keys.push(e.key);
    }
    letters += outcome.deadletters.length;
  });
  return { events, keys, letters };
}

const ours = ownEvents();
const oursAll = SOURCE_FILES.flatMap((p) => ours.get(p) ?? []);

for (const { file, kind, offsets } of FIXTURES) {
  test(`${file}: same normalized events as our shipper's records, except provenance`, () => {
    const { events, keys, letters } = peerEvents(file, kind);
    assert.equal(letters, 0);
    assert.equal(events.length, oursAll.length);
    assert.ok(events.length >= 15);
    assert.deepEqual(events.map(withoutProvenance), oursAll.map(withoutProvenance));
    assert.ok(keys.every((k) => k === 'sc7'));
    for (const [i, event] of events.entries()) {
      const own = oursAll[i] as EcsEvent;
      assert.equal(event.hangwatch.source?.shipper, kind);
      assert.notEqual(event.event.id, own.event.id, 'a peer fingerprint is never our fingerprint');
      assert.equal(event.log?.offset, offsets ? own.log?.offset : undefined);
      assert.ok(event.event.created?.startsWith('2017-03-1'), 'the peer read time, not ours');
    }
  });
}

test('ids are deterministic: host + path (+ inode) + offset, or host + path + digest when there is no offset', () => {
  const fb7 = peerEvents('filebeat-7.17-log-input.ndjson', 'filebeat').events;
  const first = fb7[0] as EcsEvent;
  assert.equal(first.event.id, fileEventId('sc7', peerFingerprint('sc7', '/var/log/libvirt/libvirtd.log'), 0, 0));
  // Filebeat 6.8 (source/offset at top level) and rsyslog's offset give the same ids as Filebeat 7.17.
  assert.deepEqual(peerEvents('filebeat-6.8-log-input.ndjson', 'filebeat').events.map((e) => e.event.id), fb7.map((e) => e.event.id));
  assert.deepEqual(peerEvents('rsyslog-8.24-imfile-hangwatch-template.ndjson', 'rsyslog').events.map((e) => e.event.id), fb7.map((e) => e.event.id));
  // Filebeat 8 reports the inode: a different file identity, so a rotated file never reuses ids.
  const fb8 = peerEvents('filebeat-8.15-filestream.ndjson', 'filebeat').events;
  assert.equal(fb8[0]?.event.id, fileEventId('sc7', peerFingerprint('sc7', '/var/log/libvirt/libvirtd.log', '64768:1837654'), 0, 0));
  // Vector without offset_key: the record id, replayed, is the same id.
  const vec = peerEvents('vector-0.34-file-json.ndjson', 'vector').events;
  assert.equal(new Set(vec.map((e) => e.event.id)).size, vec.length);
  assert.deepEqual(peerEvents('vector-0.34-file-json.ndjson', 'vector').events.map((e) => e.event.id), vec.map((e) => e.event.id));
  assert.match(vec[0]?.event.id ?? '', /^[0-9a-f]{32}$/);
  assert.notEqual(vec[0]?.event.id, sourceEventId(peerFingerprint('sc7', '/var/log/libvirt/libvirtd.log'), 'other#0'));
});

test('a per-topic format wins over the path; an undetectable path without override is a dead letter', () => {
  const ctx = { registry: FORMAT_PARSERS, states: new SourceStates(), options: PARSE_OPTIONS, directory: new GuestDirectory(), at: '2017-03-16T03:00:00.000Z' };
  const doc = JSON.parse(readDocs('filebeat-7.17-log-input.ndjson')[0] as string) as { message: string; log: { file: { path: string } } };
  doc.log.file.path = '/srv/collected/sc7-daemon.txt';
  const text = JSON.stringify(doc);
  const plain = parseKafkaMessage(asMessage('fb', text, 0), { kind: 'filebeat' }, ctx);
  assert.equal(plain.events.length, 1, 'content sniffing still recognizes a libvirtd line');
  doc.message = 'no format can be detected from this';
  const unknown = parseKafkaMessage(asMessage('fb', JSON.stringify(doc), 1), { kind: 'filebeat' }, ctx);
  assert.equal(unknown.deadletters[0]?.value.error.code, 'HW_PARSE_UNKNOWN_FORMAT');
  const forced = parseKafkaMessage(asMessage('fb', text, 2), { kind: 'filebeat', format: 'libvirtd' }, ctx);
  assert.equal(forced.events[0]?.value.hangwatch.parse.grammar, 'libvirtd');
  assert.equal(forced.events[0]?.value.log?.file?.path, '/srv/collected/sc7-daemon.txt');
});

test('rsyslog messages that did not come from a file: the traditional line, named syslog/<program>', () => {
  const ctx = { registry: FORMAT_PARSERS, states: new SourceStates(), options: PARSE_OPTIONS, directory: new GuestDirectory(), at: '2017-03-16T03:00:00.000Z' };
  const [doc] = readDocs('rsyslog-8.24-native-kernel.ndjson');
  const outcome = parseKafkaMessage(asMessage('rs', doc as string, 0), { kind: 'rsyslog' }, ctx);
  assert.equal(outcome.deadletters.length, 0);
  const event = outcome.events[0]?.value;
  assert.equal(event?.event.dataset, 'linux.kernel');
  assert.equal(event?.log?.file?.path, 'syslog/kernel');
  assert.equal(event?.log?.offset, undefined);
  const own = ownEvents().get('/var/log/kern.log')?.[0];
  assert.equal(event?.['@timestamp'], own?.['@timestamp']);
  assert.equal(event?.event.action, own?.event.action);
});
