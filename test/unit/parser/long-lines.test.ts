import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Format } from '../../../shared/vocabulary.js';
import { parseRecord, SourceStates } from '../../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../../services/parser/core/registry.js';
import { MAX_LINE_TOKENS } from '../../../grammars/run-shaped-grammar.js';

// A line is a record of up to the record limit (16 MiB in `analyze`): what reads it must stay linear in it. Two
// did not: the grep-prefix expression of kernel lines (64 KiB of `/` took 4 s, quadratic) and nearley's chart over
// a line of thousands of tokens (16 KiB of `a a a` in an iostat file took 2 s and 400 MB; 64 KiB ran out of memory).
// Sizes here would take minutes if either came back; the timeout only turns that into a failure.

function parseOne(format: Format, path: string, text: string) {
  return parseRecord({ bytes: Buffer.from(text), host: 'kvm01', path, format, fingerprint: 'f', offset: 0, created: '2026-01-01T00:00:00.000Z' }, FORMAT_PARSERS, new SourceStates(), { maxRecordBytes: 16 << 20, validate: true });
}

test('a 256 KiB kernel line of `/` is read (as an unstamped message), not backtracked over', { timeout: 120_000 }, () => {
  const { events, deadletters } = parseOne('kernel', '/var/log/kern.log', '/'.repeat(256 << 10));
  assert.equal(events.length + deadletters.length, 1);
});

test('a line of more tokens than any grammar reads is a dead letter saying so, whatever its length', { timeout: 120_000 }, () => {
  for (const unit of ['a ', '0 ', 'sda ']) {
    const { events, deadletters } = parseOne('iostat', '/var/log/iostat.log', unit.repeat(1 << 18));
    assert.equal(events.length, 0);
    assert.match(deadletters[0]?.error.message ?? '', new RegExp(`more than ${MAX_LINE_TOKENS} tokens`));
  }
  // Just under the bound still goes through the grammar (and is no iostat line).
  const { deadletters } = parseOne('iostat', '/var/log/iostat.log', 'a '.repeat(MAX_LINE_TOKENS / 2 - 1));
  assert.doesNotMatch(deadletters[0]?.error.message ?? '', /tokens/);
});
