import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HangwatchError } from '../../../shared/errors.js';
import type { RawRecord } from '../../../shared/raw-record.js';
import type { FormatParser } from '../../../services/parser/core/event-draft.js';
import { parseRecord, SourceStates } from '../../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../../services/parser/core/registry.js';
import { GuestDirectory } from '../../../services/parser/core/peer/guest-directory.js';
import { parseKafkaMessage } from '../../../services/parser/core/peer/parse-kafka-message.js';
import { buildTopicBindings } from '../../../services/parser/core/peer/topic-bindings.js';
import { asMessage, PARSE_OPTIONS } from './peer-fixtures.js';

const none = { filebeat: [], vector: [], rsyslog: [], winlogbeat: [] };

test('topic bindings: one kind per topic, per-topic formats for file peers only, every problem at once', () => {
  const bindings = buildTopicBindings({
    hangwatch: ['hangwatch.raw.v1'],
    peers: { filebeat: ['fb'], vector: ['vec'], rsyslog: ['rs'], winlogbeat: ['wlb'] },
    formats: ['fb=qemu', ' rs = kernel '],
  });
  assert.deepEqual(Object.fromEntries(bindings), {
    'hangwatch.raw.v1': { kind: 'hangwatch' },
    fb: { kind: 'filebeat', format: 'qemu' },
    vec: { kind: 'vector' },
    rs: { kind: 'rsyslog', format: 'kernel' },
    wlb: { kind: 'winlogbeat' },
  });
  let error: unknown;
  try {
    buildTopicBindings({ hangwatch: ['raw'], peers: { ...none, filebeat: ['x'], vector: ['x'], winlogbeat: ['w'] }, formats: ['x', 'raw=qemu', 'w=qemu', 'y=qemu', 'x=nope'] });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof HangwatchError);
  assert.equal(error.code, 'HW_CONFIG_INVALID');
  for (const part of ['both filebeat and vector', '"x" is not topic=format', 'hw-format header', 'always winlogbeat', 'y is not an input topic', 'unknown format nope']) {
    assert.ok(error.message.includes(part), `${part} in ${error.message}`);
  }
});

test('bad peer documents become dead letters with the Kafka position, and the next one still parses', () => {
  const ctx = { registry: FORMAT_PARSERS, states: new SourceStates(), options: { ...PARSE_OPTIONS, maxRecordBytes: 2048 }, directory: new GuestDirectory(), at: '2017-03-16T03:00:00.000Z' };
  const cases: Array<[string, 'filebeat' | 'vector' | 'rsyslog' | 'winlogbeat', string]> = [
    ['{"message": "x"', 'filebeat', 'HW_JSON_MALFORMED'],
    ['["a"]', 'vector', 'HW_RECORD_INVALID'],
    ['{"message":"m","host":{"name":"sc7"}}', 'filebeat', 'HW_RECORD_INVALID'],
    ['{"message":"m","host":"sc7","source_type":"socket"}', 'vector', 'HW_RECORD_INVALID'],
    ['{"path":"/var/log/kern.log"}', 'rsyslog', 'HW_RECORD_INVALID'],
    ['{"@timestamp":"2017-03-15T05:13:20.109Z","winlog":{"event_id":41}}', 'winlogbeat', 'HW_RECORD_INVALID'],
    [JSON.stringify({ message: 'x'.repeat(4000), host: 'sc7', file: '/var/log/kern.log' }), 'vector', 'HW_RECORD_TOO_LARGE'],
  ];
  cases.forEach(([doc, kind, code], i) => {
    const outcome = parseKafkaMessage(asMessage(`${kind}-t`, doc, 100 + i), { kind }, ctx);
    assert.equal(outcome.events.length, 0, doc);
    const letter = outcome.deadletters[0]?.value;
    assert.equal(letter?.error.code, code, doc);
    assert.deepEqual(letter?.kafka, { topic: `${kind}-t`, partition: 0, offset: String(100 + i) });
  });
  const good = '{"file":"/var/log/kern.log","host":"sc7","message":"Mar 15 12:58:30 sc7 kernel: [17621.004512] kvm [4573]: vcpu0 unhandled rdmsr: 0x34","source_type":"file","timestamp":"2017-03-15T04:59:00.000123Z"}';
  assert.equal(parseKafkaMessage(asMessage('v', good, 200), { kind: 'vector' }, ctx).events.length, 1);
});

test("parse-record: a format's own event.created wins over the shipper's; records with a source id carry no offset", () => {
  const created: FormatParser = {
    format: 'kernel',
    parse: () => [{ '@timestamp': '2017-03-15T05:00:00.000Z', event: { dataset: 'linux.kernel', kind: 'event', action: 'other', created: '2017-03-15T05:00:01.000Z' }, hangwatch: { time: { basis: 'explicit' } } }],
  };
  const plain: FormatParser = {
    format: 'kernel',
    parse: () => [{ '@timestamp': '2017-03-15T05:00:00.000Z', event: { dataset: 'linux.kernel', kind: 'event', action: 'other' }, hangwatch: { time: { basis: 'explicit' } } }],
  };
  const record: RawRecord = { bytes: Buffer.from('x'), host: 'h', path: '/var/log/kern.log', format: 'kernel', fingerprint: 'f', offset: 7, created: '2017-03-16T00:00:00.000Z' };
  const own = parseRecord(record, { kernel: created }, new SourceStates(), PARSE_OPTIONS).events[0];
  assert.equal(own?.event.created, '2017-03-15T05:00:01.000Z');
  const shipper = parseRecord(record, { kernel: plain }, new SourceStates(), PARSE_OPTIONS).events[0];
  assert.equal(shipper?.event.created, '2017-03-16T00:00:00.000Z');
  assert.equal(shipper?.log?.offset, 7);
  const sourced = parseRecord({ ...record, offset: 0, sourceId: 'cursor-1' }, { kernel: plain }, new SourceStates(), PARSE_OPTIONS).events[0];
  assert.equal(sourced?.log?.offset, undefined);
  assert.equal(sourced?.log?.file?.path, '/var/log/kern.log');
});
