import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addCounts, backoffMs, decideItem, decideRequestFailure, describeHold, describeRejection, emptyCounts } from '../../../services/indexer/core/bulk-outcome.js';

test('bulk item decisions follow the retry policy', () => {
  assert.equal(decideItem('index', { status: 201 }), 'done');
  assert.equal(decideItem('index', { status: 200 }), 'done');
  assert.equal(decideItem('delete', { status: 404 }), 'done');
  assert.equal(decideItem('index', { status: 404, error: { type: 'index_not_found_exception' } }), 'hold');
  assert.equal(decideItem('index', { status: 429 }), 'retry');
  assert.equal(decideItem('index', { status: 503 }), 'retry');
  assert.equal(decideItem('index', { status: 400, error: { type: 'mapper_parsing_exception' } }), 'reject');
  assert.equal(decideItem('index', { status: 409 }), 'reject');
});

test('a rejection is described with type, reason and cause from a canned bulk body', () => {
  const item = {
    status: 400,
    error: { type: 'document_parsing_exception', reason: "[1:40] failed to parse field [log.offset] of type [long]", caused_by: { reason: 'For input string: "abc"' } },
  };
  assert.equal(describeRejection(item), 'document_parsing_exception: [1:40] failed to parse field [log.offset] of type [long]: For input string: "abc"');
});

test('backoff grows exponentially with jitter and a cap', () => {
  assert.equal(backoffMs(1, 0), 200);
  assert.equal(backoffMs(1, 0.999), 399);
  assert.equal(backoffMs(3, 0), 800);
  assert.ok(backoffMs(30, 0.999) <= 30_000);
  assert.ok(backoffMs(30, 0) >= 15_000);
});

test('a whole failed request is retried when the node is away or busy, split when it would fail again', () => {
  assert.equal(decideRequestFailure(undefined), 'retry');
  assert.equal(decideRequestFailure(503), 'retry');
  assert.equal(decideRequestFailure(429), 'retry');
  assert.equal(decideRequestFailure(408), 'retry');
  assert.equal(decideRequestFailure(413), 'split');
  assert.equal(decideRequestFailure(400), 'split');
});

test('batch counts add up field by field', () => {
  const total = emptyCounts();
  addCounts(total, { ...emptyCounts(), received: 3, indexed: 2, deadlettered: 1 });
  addCounts(total, { ...emptyCounts(), received: 1, retried: 4, indexed: 1 });
  assert.deepEqual(total, { ...emptyCounts(), received: 4, indexed: 3, deadlettered: 1, retried: 4 });
});

test('401, 403 and a missing index are outages to hold, never documents to dead-letter or count lost', () => {
  assert.equal(decideItem('index', { status: 401, error: { type: 'security_exception' } }), 'hold');
  assert.equal(decideItem('index', { status: 403, error: { type: 'security_exception', reason: 'action [indices:data/write/bulk[s]] is unauthorized for API key' } }), 'hold');
  assert.equal(decideItem('index', { status: 404, error: { type: 'index_not_found_exception' } }), 'hold');
  assert.equal(decideItem('delete', { status: 404 }), 'done');
  assert.equal(decideRequestFailure(401), 'hold');
  assert.equal(decideRequestFailure(403), 'hold');
  assert.equal(decideRequestFailure(404), 'hold');
  assert.match(describeHold(401), /credentials.*offsets are held/);
  assert.match(describeHold(403), /privilege/);
});
