import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReorderBuffer } from '../../../services/alerter/core/reorder-buffer.js';
import { AlertEngine } from '../../../services/alerter/core/engine.js';
import { evaluateRulesOffline } from '../../../services/alerter/core/evaluate-offline.js';
import { BASE_MS, MIN, WATCHDOG_RULE, makeIncident, ruleFrom } from './helpers.js';

test('the reorder buffer releases in event-time order once the watermark passes, so any interleaving gives the offline result', () => {
  const rule = ruleFrom(WATCHDOG_RULE);
  const incidents = [
    makeIncident({ id: 'a', minute: 0 }),
    makeIncident({ id: 'b', minute: 60 }),
    makeIncident({ id: 'd', minute: 120 }),
    makeIncident({ id: 'c', minute: 600, domain: 'vm200' }),
    makeIncident({ id: 'e', minute: 660, domain: 'vm200' }),
  ];
  const expected = evaluateRulesOffline(incidents, [rule]);
  // Two "partitions" delivered in the worst order: the later one first, then the earlier one.
  const p1 = [incidents[2], incidents[3]];
  const p2 = [incidents[0], incidents[1], incidents[4]];
  const buffer = new ReorderBuffer();
  const engine = new AlertEngine([rule]);
  const out = [];
  for (const i of p1) buffer.add(i!);
  out.push(...buffer.release(-Infinity).flatMap((i) => engine.upsert(i).alerts)); // p2 has not spoken: hold
  assert.equal(buffer.size, 2);
  buffer.add(p2[0]!);
  buffer.add(p2[1]!);
  out.push(...buffer.release(BASE_MS + 60 * MIN).flatMap((i) => engine.upsert(i).alerts)); // slowest partition at 60
  buffer.add(makeIncident({ id: 'zz', minute: 700, domain: 'vm300' }));
  assert.equal(buffer.remove('zz'), true); // tombstone of a waiting incident
  buffer.add(p2[2]!);
  out.push(...buffer.release(BASE_MS + 660 * MIN).flatMap((i) => engine.upsert(i).alerts));
  assert.equal(buffer.size, 0);
  assert.deepEqual(out, expected);
});
