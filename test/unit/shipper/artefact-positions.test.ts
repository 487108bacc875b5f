import { test } from 'node:test';
import assert from 'node:assert/strict';
import { artefactFormatOf, artefactVersionKey, isArtefactSettled } from '../../../services/shipper/core/artefact-positions.js';
import { parseShipperState, serializePositions } from '../../../services/shipper/core/positions.js';

test('EVTX files and crash dumps found by an auto input are artefacts; text logs are tailed', () => {
  assert.equal(artefactFormatOf({ format: 'auto' }, '/g/vm113/System.evtx'), 'evtx');
  assert.equal(artefactFormatOf({ format: 'auto' }, '/g/vm113/MEMORY.DMP'), 'dump');
  assert.equal(artefactFormatOf({ format: 'auto' }, '/g/vm113/Minidump/031517-01.dmp'), 'dump');
  assert.equal(artefactFormatOf({ format: 'auto' }, '/g/vm113/system.xml'), undefined);
  assert.equal(artefactFormatOf({ format: 'evtx' }, '/g/vm113/exported-log'), 'evtx');
  assert.equal(artefactFormatOf({ format: 'libvirtd' }, '/g/odd.evtx'), undefined);
});

test('an artefact is read once it stopped changing (mtime or our own sightings), at once in --once mode', () => {
  const seen = { size: 10, mtimeMs: 1_000, since: 1_000 };
  assert.equal(isArtefactSettled(seen, 1_400, 500, false), false);
  assert.equal(isArtefactSettled(seen, 1_500, 500, false), true);
  assert.equal(isArtefactSettled(seen, 1_001, 500, true), true);
  // A copied file with a modification time in the future still settles by our sightings.
  assert.equal(isArtefactSettled({ size: 10, mtimeMs: 99_000, since: 1_000 }, 1_600, 500, false), true);
});

test('a version is fingerprint + size + mtime, and artefact positions survive the state file', () => {
  assert.notEqual(artefactVersionKey({ fingerprint: 'f', size: 65_536, mtimeMs: 1 }), artefactVersionKey({ fingerprint: 'f', size: 65_536, mtimeMs: 2 }));
  const artefacts = [{ fingerprint: 'f', size: 65_536, mtimeMs: 1.5, path: '/g/System.evtx', records: 12, done: true, seenAt: 3 }];
  const state = parseShipperState(serializePositions([], { artefacts }), 'positions.json');
  assert.deepEqual(state.artefacts, artefacts);
  assert.deepEqual(parseShipperState(serializePositions([]), 'positions.json').artefacts, []);
  // A damaged entry is dropped, not trusted.
  assert.deepEqual(parseShipperState(JSON.stringify({ version: 1, positions: [], artefacts: [{ fingerprint: 'f', records: -1 }] }), 'p').artefacts, []);
});
