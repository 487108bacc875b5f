import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENRICHED_HEADER as CORRELATOR_ENRICHED_HEADER } from '../../../services/correlator/adapters/kafka-correlator.js';
import { ENRICHED_HEADER, planBulk, planStaleCopyDeletes, type BatchRef, type MessageIn } from '../../../services/indexer/core/bulk-plan.js';
import { buildTopicKinds, listUnknownTopics } from '../../../services/indexer/core/topic-kinds.js';
import { TOPICS } from '../../../shared/topics.js';

const event = { '@timestamp': '2017-03-15T05:11:54.777Z', event: { id: 'e1', dataset: 'windows.windbg', action: 'bugcheck', kind: 'event' }, hangwatch: { time: { basis: 'explicit' }, parse: { grammar: 'windbg' } } };
const NOW = '2026-01-01T00:00:00.000Z';
const events: BatchRef = { topic: TOPICS.events, partition: 0, kind: 'events' };

function msg(offset: string, value: unknown, headers?: MessageIn['headers']): MessageIn {
  return { offset, key: null, value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), ...(headers ? { headers } : {}) };
}

test('events go to the daily index of their event time, with _id = event.id and event.ingested set', () => {
  const plan = planBulk(events, [msg('5', event)], NOW);
  assert.equal(plan.ops.length, 1);
  const op = plan.ops[0]!;
  assert.equal(op.kind, 'index');
  assert.equal(op.index, 'hangwatch-events-2017.03.15');
  assert.equal(op.id, 'e1');
  assert.equal(op.kind === 'index' && (op.doc.event as Record<string, unknown>).ingested, NOW);
  assert.deepEqual(plan.relocated, []);
});

test('an incident tombstone deletes the merged incident; other null values are skipped', () => {
  const plan = planBulk({ topic: TOPICS.incidents, partition: 1, kind: 'incidents' }, [{ offset: '9', key: Buffer.from('inc-2'), value: null }], NOW);
  assert.deepEqual(plan.ops.map((o) => [o.kind, o.index, o.id]), [['delete', 'hangwatch-incidents', 'inc-2']]);
  const alerts = planBulk({ topic: TOPICS.alerts, partition: 0, kind: 'alerts' }, [{ offset: '1', key: Buffer.from('a'), value: null }], NOW);
  assert.equal(alerts.ops.length, 0);
  assert.equal(alerts.skipped, 1);
});

test('incidents and alerts use their own ids, so an update replaces the document', () => {
  const inc = planBulk({ topic: TOPICS.incidents, partition: 0, kind: 'incidents' }, [msg('1', { '@timestamp': NOW, incident: { id: 'inc-1' } })], NOW);
  assert.deepEqual(inc.ops.map((o) => [o.index, o.id]), [['hangwatch-incidents', 'inc-1']]);
  const al = planBulk({ topic: 'my.alerts', partition: 0, kind: 'alerts' }, [msg('1', { '@timestamp': NOW, alert: { id: 'al-1' } })], NOW);
  assert.deepEqual(al.ops.map((o) => [o.index, o.id]), [['hangwatch-alerts', 'al-1']]);
});

test('malformed messages become dead letters in the same bulk, with a deterministic id', () => {
  const messages = [msg('1', '{not json'), msg('2', { event: {} })];
  const a = planBulk(events, messages, NOW);
  const b = planBulk(events, messages, '2026-01-02T00:00:00.000Z');
  assert.equal(a.unplannable, 2);
  assert.deepEqual(a.ops.map((o) => o.index), ['hangwatch-deadletter', 'hangwatch-deadletter']);
  assert.deepEqual(a.ops.map((o) => o.id), b.ops.map((o) => o.id));
  assert.notEqual(a.ops[0]!.id, a.ops[1]!.id);
  const doc = a.ops[0]!.kind === 'index' ? a.ops[0]!.doc : {};
  assert.equal((doc.error as { code: string }).code, 'HW_JSON_MALFORMED');
  assert.equal((doc.hangwatch as { stage: string }).stage, 'index');
  assert.deepEqual(doc.kafka, { topic: TOPICS.events, partition: 0, offset: '1' });
  assert.equal((doc.event as { original: string }).original, '{not json');
});

test('a topic of unknown kind dead-letters its messages instead of guessing an index', () => {
  const plan = planBulk({ topic: 'mystery', partition: 0, kind: undefined }, [msg('1', event)], NOW);
  assert.equal(plan.unplannable, 1);
  const doc = plan.ops[0]!.kind === 'index' ? plan.ops[0]!.doc : {};
  assert.match((doc.error as { message: string }).message, /HANGWATCH_INDEXER_TOPIC_KINDS/);
});

test('topic kinds: built-in hangwatch topics, topic=kind entries, all bad entries reported together', () => {
  const kinds = buildTopicKinds(['it-events-1=events', ' it-dl = deadletter ']);
  assert.equal(kinds.get(TOPICS.incidents), 'incidents');
  assert.equal(kinds.get('it-events-1'), 'events');
  assert.equal(kinds.get('it-dl'), 'deadletter');
  assert.deepEqual(listUnknownTopics(['it-events-1', 'other'], kinds), ['other']);
  assert.throws(() => buildTopicKinds(['a=logs', 'noequals']), (e: Error) => /a=logs/.test(e.message) && /noequals/.test(e.message));
});

test('the enriched header is the one the correlator sets', () => {
  assert.equal(ENRICHED_HEADER, CORRELATOR_ENRICHED_HEADER);
});

test('a re-emitted (enriched) event is relocated: its copies in other daily indices are to be deleted', () => {
  const retimed = { ...event, '@timestamp': '2017-03-14T21:11:54.777Z' };
  const plan = planBulk(events, [msg('7', retimed, { [ENRICHED_HEADER]: Buffer.from('1') })], NOW);
  assert.deepEqual(plan.relocated.map((r) => [r.id, r.index]), [['e1', 'hangwatch-events-2017.03.14']]);
  const deletes = planStaleCopyDeletes(plan.relocated, [
    { _index: 'hangwatch-events-2017.03.15', _id: 'e1' },
    { _index: 'hangwatch-events-2017.03.14', _id: 'e1' },
    { _index: 'hangwatch-events-2017.03.15', _id: 'other' },
  ]);
  assert.deepEqual(deletes.map((d) => [d.kind, d.index, d.id]), [['delete', 'hangwatch-events-2017.03.15', 'e1']]);
});

test('within a batch only the last record of an event id is written, and a move between days is relocated', () => {
  const retimed = { ...event, '@timestamp': '2017-03-14T21:11:54.777Z' };
  const plan = planBulk(events, [msg('1', event), msg('2', { ...event, event: { ...event.event, id: 'e2' } }), msg('3', retimed)], NOW);
  assert.deepEqual(plan.ops.map((o) => [o.index, o.id, o.source.offset]), [
    ['hangwatch-events-2017.03.15', 'e2', '2'],
    ['hangwatch-events-2017.03.14', 'e1', '3'],
  ]);
  assert.equal(plan.superseded, 1);
  assert.deepEqual(plan.relocated.map((r) => r.id), ['e1']);
  const plain = planBulk(events, [msg('1', event), msg('2', event)], NOW);
  assert.equal(plain.ops.length, 1);
  assert.deepEqual(plain.relocated, [], 'the same day twice needs no lookup');
});
