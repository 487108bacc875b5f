import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planBulk, type BatchRef, type MessageIn } from '../../../services/indexer/core/bulk-plan.js';
import { eventsIndexOf } from '../../../services/indexer/core/event-index.js';
import { TOPICS } from '../../../shared/topics.js';

// A guest chooses the times it writes: an event flagged suspect goes to the index of the day it was read, so a
// guest cannot make the cluster create one daily index (and its shards) per day it names.

const NOW = '2017-03-16T08:00:00.000Z';
const events: BatchRef = { topic: TOPICS.events, partition: 0, kind: 'events' };

function guestEvent(id: string, timestamp: string, created: string, suspect?: true): Record<string, unknown> {
  return {
    '@timestamp': timestamp,
    event: { id, dataset: 'windows.system', action: 'other', kind: 'event', created },
    hangwatch: { time: { basis: 'explicit', ...(suspect ? { suspect } : {}) }, parse: { grammar: 'winevent-xml' } },
  };
}

const msg = (offset: number, value: unknown): MessageIn => ({ offset: String(offset), key: null, value: Buffer.from(JSON.stringify(value)) });

test('a thousand suspect events claiming a thousand days land in the one index of the day they were read', () => {
  const claimed = Array.from({ length: 1000 }, (_, i) => new Date(Date.UTC(2200, 0, 1) + i * 86_400_000).toISOString());
  const plan = planBulk(events, claimed.map((ts, i) => msg(i, guestEvent(`e${i}`, ts, '2017-03-16T07:59:00.000Z', true))), NOW);
  assert.equal(plan.ops.length, 1000);
  assert.deepEqual([...new Set(plan.ops.map((o) => o.index))], ['hangwatch-events-2017.03.16']);
  // The claim itself is kept: only the index is chosen from the reading.
  assert.equal(plan.ops[0]!.kind === 'index' && plan.ops[0]!.doc['@timestamp'], claimed[0]);
});

test('an event with a trusted time goes to the day of its @timestamp, however long after it was read', () => {
  assert.equal(eventsIndexOf(guestEvent('a', '2017-03-15T05:11:54.777Z', '2017-03-16T07:59:00.000Z'), '2017-03-15T05:11:54.777Z', NOW), 'hangwatch-events-2017.03.15');
});

test("a suspect event whose read time is implausible too (a guest's own event.created) takes the indexer's day", () => {
  for (const created of ['2200-01-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z', 'yesterday', '']) {
    const doc = guestEvent('b', '2200-01-01T00:00:00.000Z', created, true);
    assert.equal(eventsIndexOf(doc, '2200-01-01T00:00:00.000Z', NOW), 'hangwatch-events-2017.03.16', created);
  }
  const noCreated = guestEvent('c', '1999-01-01T00:00:00.000Z', '', true);
  delete (noCreated.event as Record<string, unknown>).created;
  assert.equal(eventsIndexOf(noCreated, '1999-01-01T00:00:00.000Z', NOW), 'hangwatch-events-2017.03.16');
});

test('a replayed suspect event goes to the same index (its read time decides, not the indexing time)', () => {
  const doc = guestEvent('d', '2200-01-01T00:00:00.000Z', '2017-03-14T23:00:00.000Z', true);
  assert.equal(eventsIndexOf(doc, '2200-01-01T00:00:00.000Z', NOW), 'hangwatch-events-2017.03.14');
  assert.equal(eventsIndexOf(doc, '2200-01-01T00:00:00.000Z', '2017-04-01T00:00:00.000Z'), 'hangwatch-events-2017.03.14');
});
