import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideTail, type TailPolicy, type TailState } from '../../../services/shipper/core/tail-decision.js';

const live: TailPolicy = { rotatedGraceMs: 5_000, flushTimeoutMs: 5_000, final: false };
const state = (over: Partial<TailState> = {}): TailState => ({ readOffset: 100, lastGrowthAt: 1_000, hasFingerprint: true, buffered: false, framing: 'lines', ...over });

test('a file that grew is read', () => {
  assert.deepEqual(decideTail(state(), { size: 150, reachable: true, headMatches: true, now: 2_000 }, live), { kind: 'read' });
});

test('copytruncate: a file shorter than the read offset starts again from 0', () => {
  assert.deepEqual(decideTail(state(), { size: 10, reachable: true, headMatches: undefined, now: 2_000 }, live), { kind: 'truncated' });
  assert.deepEqual(decideTail(state(), { size: 0, reachable: true, headMatches: undefined, now: 2_000 }, live), { kind: 'truncated' });
});

test('truncated and written past the old offset between two looks: the changed head tells', () => {
  assert.deepEqual(decideTail(state(), { size: 400, reachable: true, headMatches: false, now: 2_000 }, live), { kind: 'truncated' });
});

test('rename rotation: the old file is read to its end before it is closed, after the grace period', () => {
  assert.deepEqual(decideTail(state(), { size: 180, reachable: false, headMatches: true, now: 2_000 }, live), { kind: 'read' });
  assert.deepEqual(decideTail(state({ readOffset: 180, lastGrowthAt: 1_500 }), { size: 180, reachable: false, headMatches: undefined, now: 2_000 }, live), { kind: 'wait' });
  assert.deepEqual(decideTail(state({ readOffset: 180, lastGrowthAt: 1_500 }), { size: 180, reachable: false, headMatches: undefined, now: 6_500 }, live), { kind: 'close' });
});

test('a deleted file is drained and closed; in --once mode without waiting for the grace period', () => {
  assert.deepEqual(decideTail(state({ readOffset: 180 }), { size: 180, reachable: false, headMatches: undefined, now: 1_001 }, { ...live, final: true }), { kind: 'close' });
});

test('a file without a fingerprint yet waits for its first line, unless nothing more will come', () => {
  const s = state({ readOffset: 0, hasFingerprint: false });
  assert.deepEqual(decideTail(s, { size: 0, reachable: true, headMatches: undefined, now: 2_000 }, live), { kind: 'wait' });
  assert.deepEqual(decideTail(s, { size: 20, reachable: true, headMatches: undefined, now: 2_000 }, live), { kind: 'fingerprint', complete: false });
  assert.deepEqual(decideTail(s, { size: 20, reachable: true, headMatches: undefined, now: 7_000 }, live), { kind: 'fingerprint', complete: true });
  assert.deepEqual(decideTail(s, { size: 20, reachable: true, headMatches: undefined, now: 2_000 }, { ...live, final: true }), { kind: 'fingerprint', complete: true });
});

test('a WinDbg report (document framing) is emitted once its file stopped growing; lines are not cut on a pause', () => {
  const doc = state({ readOffset: 180, buffered: true, framing: 'document' });
  assert.deepEqual(decideTail(doc, { size: 180, reachable: true, headMatches: undefined, now: 3_000 }, live), { kind: 'wait' });
  assert.deepEqual(decideTail(doc, { size: 180, reachable: true, headMatches: undefined, now: 6_000 }, live), { kind: 'flush' });
  const lines = state({ readOffset: 180, buffered: true, framing: 'lines' });
  assert.deepEqual(decideTail(lines, { size: 180, reachable: true, headMatches: undefined, now: 60_000 }, live), { kind: 'wait' });
  assert.deepEqual(decideTail(lines, { size: 180, reachable: true, headMatches: undefined, now: 60_000 }, { ...live, final: true }), { kind: 'flush' });
});

test('an idle file waits', () => {
  assert.deepEqual(decideTail(state({ readOffset: 150 }), { size: 150, reachable: true, headMatches: undefined, now: 99_000 }, live), { kind: 'wait' });
});
