import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { windowsEventId } from '../../../shared/identity.js';
import { SourceStates } from '../../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../../services/parser/core/registry.js';
import { GuestDirectory } from '../../../services/parser/core/peer/guest-directory.js';
import { parseKafkaMessage, type MessageContext } from '../../../services/parser/core/peer/parse-kafka-message.js';
import { asMessage, PARSE_OPTIONS } from './peer-fixtures.js';

// Winlogbeat 6.x writes the record's facts at the top level (computer_name, log_name, record_number): a 6.x
// Winlogbeat sending to Kafka gets one key for the guest and its records the same deterministic ids as any path.

const SIX = join(import.meta.dirname, '..', '..', 'grammars', 'fixtures', 'winlogbeat', 'exports', 'winlogbeat-6x-file-output.ndjson');

test('Winlogbeat 6.x documents from Kafka: one key for the guest, ids from computer_name, log_name and record_number', () => {
  const ctx: MessageContext = { registry: FORMAT_PARSERS, states: new SourceStates(), options: PARSE_OPTIONS, directory: new GuestDirectory(), at: '2018-06-01T03:00:00.000Z' };
  const docs = readFileSync(SIX, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const seen = docs.flatMap((doc, i) => {
    const outcome = parseKafkaMessage(asMessage('winlogbeat', doc, i), { kind: 'winlogbeat' }, ctx);
    assert.equal(outcome.deadletters.length, 0);
    return outcome.events;
  });
  assert.deepEqual(
    seen.map((e) => e.value.event.action),
    ['kernel-power-41', 'unexpected-shutdown', 'system-boot', 'planned-restart'],
  );
  assert.ok(seen.every((e) => e.key === 'WIN2012-DB1.corp.example'));
  assert.equal(seen[3]?.value.event.id, windowsEventId('WIN2012-DB1.corp.example', 'System', '73040'));
});
