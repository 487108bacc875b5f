import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRotatedName, missedRotations, MISSED_ROTATION_SLACK_MS, type SiblingFile } from '../../../services/shipper/core/missed-rotations.js';

const lastLook = 1_800_000_000_000;

function sibling(name: string, ino: number, mtimeMs: number, birthtimeMs = mtimeMs): SiblingFile {
  return { name, dev: 1, ino, mtimeMs, birthtimeMs };
}

test('rotations of the watched name are numbered, dated or suffixed; compressed ones and other files are not', () => {
  for (const name of ['libvirtd.log.1', 'libvirtd.log.12', 'libvirtd.log-20261125', 'libvirtd.log_old']) assert.equal(isRotatedName('libvirtd.log', name), true, name);
  for (const name of ['libvirtd.log', 'libvirtd.log.', 'libvirtd.log.1.gz', 'libvirtd.log-20261125.xz', 'libvirtd.logs', 'other.log.1', 'xlibvirtd.log.1']) {
    assert.equal(isRotatedName('libvirtd.log', name), false, name);
  }
});

test('a sibling born and written since the last look, not held, is missed; oldest first', () => {
  const siblings = [sibling('app.log.3', 30, lastLook + 900), sibling('app.log.2', 20, lastLook + 400), sibling('app.log.1', 10, lastLook + 200)];
  const held = (_dev: number, ino: number): boolean => ino === 10;
  assert.deepEqual(
    missedRotations('app.log', siblings, held, lastLook).map((s) => s.name),
    ['app.log.2', 'app.log.3'],
  );
});

test('an old rotation renamed again (.1 -> .2) is not missed: its content was written before the last look', () => {
  const old = sibling('app.log.2', 20, lastLook - 86_400_000);
  assert.deepEqual(missedRotations('app.log', [old], () => false, lastLook), []);
});

test('a file born before the last look but written since was visible then: not missed; without a birth time, the write decides', () => {
  const bornBefore = sibling('app.log.1', 20, lastLook + 500, lastLook - MISSED_ROTATION_SLACK_MS - 1);
  assert.deepEqual(missedRotations('app.log', [bornBefore], () => false, lastLook), []);
  const noBirthTime = sibling('app.log.1', 21, lastLook + 500, 0);
  assert.deepEqual(missedRotations('app.log', [noBirthTime], () => false, lastLook).map((s) => s.ino), [21]);
});

test('a compressed rotation written since the last look is still not read', () => {
  assert.deepEqual(missedRotations('app.log', [sibling('app.log.1.gz', 5, lastLook + 10)], () => false, lastLook), []);
});
