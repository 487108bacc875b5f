import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planBulk } from '../../../services/indexer/core/bulk-plan.js';
import { spliceIngested } from '../../../services/indexer/core/splice-ingested.js';
import { buildEvent } from '../../../bench/indexer-events.js';

const AT = '2026-01-01T00:00:00.000Z';

function expected(json: string): unknown {
  const doc = JSON.parse(json) as { event: Record<string, unknown> };
  return { ...doc, event: { ingested: AT, ...doc.event } };
}

test('event.ingested is inserted into the top-level event object and nowhere else', () => {
  const cases = [
    JSON.stringify(buildEvent({ run: 'r', day: '2017-03-15' }, 2)),
    '{"a":{"event":{"x":1}},"s":"\\"event\\":{","event":{"id":"e"}}',
    '{"b":["event",{"event":{}}],"t":"\\\\","event" : { "id" : "e" } }',
    '{"event":{}}',
    '{"x":"event","event":{"id":"é ☃"}}',
  ];
  for (const json of cases) {
    const out = spliceIngested(json, AT);
    assert.ok(out !== undefined, json);
    assert.deepEqual(JSON.parse(out), expected(json), json);
  }
});

test('no top-level event object: nothing to splice', () => {
  assert.equal(spliceIngested('{"a":{"event":{}}}', AT), undefined);
  assert.equal(spliceIngested('{"event":"x"}', AT), undefined);
});

test('the planned body is the record text plus event.ingested; pretty JSON and an existing ingested are re-serialized', () => {
  const e = buildEvent({ run: 'r', day: '2017-03-15' }, 1);
  const [op] = planBulk({ topic: 't', partition: 0, kind: 'events' }, [{ offset: '1', key: null, value: Buffer.from(JSON.stringify(e)) }], AT).ops;
  assert.ok(op?.kind === 'index' && op.body !== undefined);
  assert.deepEqual(JSON.parse(op.body), JSON.parse(JSON.stringify(op.doc)));
  const pretty = planBulk({ topic: 't', partition: 0, kind: 'events' }, [{ offset: '1', key: null, value: Buffer.from(JSON.stringify(e, null, 2)) }], AT).ops[0];
  assert.ok(pretty?.kind === 'index' && pretty.body === undefined);
  const stamped = { ...e, event: { ...e.event, ingested: '2020-01-01T00:00:00.000Z' } };
  const again = planBulk({ topic: 't', partition: 0, kind: 'events' }, [{ offset: '1', key: null, value: Buffer.from(JSON.stringify(stamped)) }], AT).ops[0];
  assert.ok(again?.kind === 'index' && again.body === undefined);
  assert.equal((again.doc.event as { ingested: string }).ingested, AT);
});
