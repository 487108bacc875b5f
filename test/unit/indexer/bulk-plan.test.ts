import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planBulk } from '../../../services/indexer/core/bulk-plan.js';
import { TOPICS } from '../../../shared/topics.js';

const event = { '@timestamp': '2017-03-15T05:11:54.777Z', event: { id: 'e1', dataset: 'windows.windbg', action: 'bugcheck', kind: 'event' }, hangwatch: { time: { basis: 'explicit' }, parse: { grammar: 'windbg' } } };

test('events go to the daily index of their event time, with _id = event.id and event.ingested set', () => {
  const plan = planBulk(TOPICS.events, 0, [{ offset: '5', key: null, value: Buffer.from(JSON.stringify(event)) }], '2026-01-01T00:00:00.000Z');
  assert.equal(plan.ops.length, 1);
  const op = plan.ops[0]!;
  assert.equal(op.kind, 'index');
  assert.equal(op.index, 'hangwatch-events-2017.03.15');
  assert.equal(op.id, 'e1');
  assert.equal(op.kind === 'index' && (op.doc.event as Record<string, unknown>).ingested, '2026-01-01T00:00:00.000Z');
});

test('an incident tombstone deletes the merged incident', () => {
  const plan = planBulk(TOPICS.incidents, 1, [{ offset: '9', key: Buffer.from('inc-2'), value: null }], '2026-01-01T00:00:00.000Z');
  assert.deepEqual(plan.ops.map((o) => [o.kind, o.index, o.id]), [['delete', 'hangwatch-incidents', 'inc-2']]);
});

test('malformed messages become dead letters in the same bulk, with a deterministic id', () => {
  const messages = [
    { offset: '1', key: null, value: Buffer.from('{not json') },
    { offset: '2', key: null, value: Buffer.from(JSON.stringify({ event: {} })) },
  ];
  const a = planBulk(TOPICS.events, 0, messages, '2026-01-01T00:00:00.000Z');
  const b = planBulk(TOPICS.events, 0, messages, '2026-01-02T00:00:00.000Z');
  assert.equal(a.unplannable, 2);
  assert.deepEqual(a.ops.map((o) => o.index), ['hangwatch-deadletter', 'hangwatch-deadletter']);
  assert.deepEqual(a.ops.map((o) => o.id), b.ops.map((o) => o.id));
  assert.notEqual(a.ops[0]!.id, a.ops[1]!.id);
  const doc = a.ops[0]!.kind === 'index' ? a.ops[0]!.doc : {};
  assert.equal((doc.error as { code: string }).code, 'HW_JSON_MALFORMED');
  assert.equal((doc.hangwatch as { stage: string }).stage, 'index');
});
