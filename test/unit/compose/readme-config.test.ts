import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { withConfigReference } from '../../../scripts/update-readme-config.js';

// README's configuration reference is generated from the config schemas, never written by hand twice.
test('README configuration reference is up to date with the config schemas', () => {
  const readme = readFileSync('README.md', 'utf8');
  assert.equal(withConfigReference(readme), readme, 'run: node --import tsx scripts/update-readme-config.ts');
});
