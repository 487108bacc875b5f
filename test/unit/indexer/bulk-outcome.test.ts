import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffMs, decideItem, describeRejection } from '../../../services/indexer/core/bulk-outcome.js';

test('bulk item decisions follow the retry policy', () => {
  assert.equal(decideItem('index', { status: 201 }), 'done');
  assert.equal(decideItem('index', { status: 200 }), 'done');
  assert.equal(decideItem('delete', { status: 404 }), 'done');
  assert.equal(decideItem('index', { status: 404 }), 'reject');
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
