import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SOURCE_STATES, SourceStates } from '../../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../../services/parser/core/registry.js';
import { GuestDirectory } from '../../../services/parser/core/peer/guest-directory.js';
import { parseKafkaMessage, type MessageContext } from '../../../services/parser/core/peer/parse-kafka-message.js';
import { LruMap } from '../../../shared/lru-map.js';
import { asMessage, PARSE_OPTIONS, readDocs } from './peer-fixtures.js';

// A source's name is partly the sender's: a Winlogbeat document names its channel, so a guest can make up a new
// source with every document. The parser keeps state for a bounded number of sources, least recently used first out.

test('20k Winlogbeat documents with distinct channels: the parser keeps at most MAX_SOURCE_STATES sources', () => {
  const states = new SourceStates();
  const ctx: MessageContext = { registry: FORMAT_PARSERS, states, options: PARSE_OPTIONS, directory: new GuestDirectory(), at: '2017-03-16T03:00:00.000Z' };
  const doc = JSON.parse(readDocs('winlogbeat-7.17-system-vm113.ndjson')[0] as string) as { winlog: Record<string, unknown> };
  let events = 0;
  for (let i = 0; i < 20_000; i++) {
    const forged = { ...doc, winlog: { ...doc.winlog, channel: `Channel-${i}`, record_id: i } };
    const outcome = parseKafkaMessage(asMessage('winlogbeat', JSON.stringify(forged), i), { kind: 'winlogbeat' }, ctx);
    assert.equal(outcome.deadletters.length, 0);
    events += outcome.events.length;
  }
  assert.equal(events, 20_000);
  assert.equal(states.size, MAX_SOURCE_STATES);
});

test('the source read last stays; the one unused longest is forgotten and starts afresh', () => {
  const states = new SourceStates(2);
  const record = (path: string) => ({ host: 'kvm01', path, format: 'kernel' as const, fingerprint: 'f', offset: 0, created: '2026-01-01T00:00:00.000Z', bytes: Buffer.alloc(0) });
  states.get(record('a')).lastTimestampMs = 1;
  states.get(record('b')).lastTimestampMs = 2;
  assert.equal(states.get(record('a')).lastTimestampMs, 1);
  states.get(record('c'));
  assert.equal(states.size, 2);
  assert.equal(states.get(record('a')).lastTimestampMs, 1);
  assert.equal(states.get(record('b')).lastTimestampMs, undefined);
});

test('LruMap: bounded, least recently used out first, capacity checked', () => {
  const map = new LruMap<string, number>(3);
  for (const [i, key] of ['a', 'b', 'c'].entries()) map.set(key, i);
  assert.equal(map.get('a'), 0);
  map.set('d', 3);
  assert.equal(map.size, 3);
  assert.equal(map.get('b'), undefined);
  assert.deepEqual(
    ['a', 'c', 'd'].map((k) => map.get(k)),
    [0, 2, 3],
  );
  map.set('c', 20);
  map.set('e', 4);
  assert.equal(map.get('a'), undefined);
  assert.equal(map.get('c'), 20);
  assert.throws(() => new LruMap(0), /positive whole number/);
});
