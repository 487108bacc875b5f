import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecentWrites } from '../../../services/indexer/core/recent-writes.js';

test('recent writes are found by id within the window and forgotten after it', () => {
  const recent = new RecentWrites(10_000);
  recent.note(1_000, [{ id: 'a', index: 'hangwatch-events-2017.03.15' }, { id: 'b', index: 'hangwatch-events-2017.03.15' }]);
  recent.note(5_000, [{ id: 'a', index: 'hangwatch-events-2017.03.14' }]);
  assert.deepEqual(recent.indicesOf('a', 6_000), ['hangwatch-events-2017.03.15', 'hangwatch-events-2017.03.14']);
  assert.deepEqual(recent.indicesOf('c', 6_000), []);
  assert.equal(recent.size, 3);
  assert.deepEqual(recent.indicesOf('a', 12_000), ['hangwatch-events-2017.03.14'], 'the first batch is older than the window');
  assert.deepEqual(recent.indicesOf('b', 12_000), []);
  recent.note(16_000, []);
  assert.equal(recent.size, 0);
});
