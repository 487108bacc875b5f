import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '../../generator/prng.js';
import { generateTemp, listFiles } from './corpus-helpers.js';

test('the PRNG is a pure function of its seed, and forks are independent of the parent stream', () => {
  const a = createRng(42);
  const b = createRng(42);
  const seqA = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(seqA, Array.from({ length: 5 }, () => b.next()));
  assert.notDeepEqual(seqA, Array.from({ length: 5 }, () => createRng(43).next()));
  const fork1 = createRng(42).fork('x').int(0, 1e9);
  const parent = createRng(42);
  parent.next();
  assert.equal(parent.fork('x').int(0, 1e9), fork1);
});

test('the same seed writes identical bytes; another seed does not', () => {
  const one = generateTemp();
  const two = generateTemp();
  const files = listFiles(one.dir);
  assert.deepEqual(files, listFiles(two.dir));
  assert.ok(files.length > 10);
  for (const f of files) assert.ok(readFileSync(join(one.dir, f)).equals(readFileSync(join(two.dir, f))), `${f} differs between two runs`);
  const other = generateTemp({ seed: 8 });
  const differing = files.filter((f) => {
    try {
      return !readFileSync(join(one.dir, f)).equals(readFileSync(join(other.dir, f)));
    } catch {
      return true;
    }
  });
  assert.ok(differing.length > files.length / 2, 'a different seed should change most files');
});

test('padding libvirtd.log for a bench leaves every other file byte-identical and hits the line count', () => {
  const plain = generateTemp();
  const padded = generateTemp({ libvirtdLines: 20_000 });
  for (const f of listFiles(plain.dir).filter((x) => !x.endsWith('libvirtd.log') && x !== 'truth.json')) {
    assert.ok(readFileSync(join(plain.dir, f)).equals(readFileSync(join(padded.dir, f))), `${f} changed`);
  }
  const entry = padded.truth.files.find((f) => f.path === 'sc1/var/log/libvirt/libvirtd.log');
  assert.equal(entry?.lines, 20_000);
  const text = readFileSync(join(padded.dir, 'sc1/var/log/libvirt/libvirtd.log'), 'utf8');
  assert.equal(text.split('\n').length - 1, 20_000);
});
