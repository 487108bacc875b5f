import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTopicSpecs } from '../../../infra/topic-specs.js';
import { planBulk } from '../../../services/indexer/core/bulk-plan.js';
import { buildTopicKinds } from '../../../services/indexer/core/topic-kinds.js';
import { INDICES, TOPICS } from '../../../shared/topics.js';

// The audit topic end to end in pure parts: created compacted by the stack, known to the indexer, which writes one
// hangwatch-audit document per domain (_id = audit.id), as `hangwatch audit --es` does.

const finding = (status: string, ts: string) => ({
  '@timestamp': ts,
  event: { id: 'dom-1', dataset: 'hangwatch.audit' },
  libvirt: { domain: { name: 'vm105' }, hypervisor: 'sc7' },
  audit: { id: 'dom-1', status, missing: [] },
});

test('the audit topic is created compacted and indexed into hangwatch-audit by audit.id, the latest finding last', () => {
  const spec = buildTopicSpecs(3).find((s) => s.topic === TOPICS.audit);
  assert.deepEqual(spec?.configEntries, [{ name: 'cleanup.policy', value: 'compact' }]);
  const kind = buildTopicKinds([]).get(TOPICS.audit);
  assert.equal(kind, 'audit');
  const plan = planBulk({ topic: TOPICS.audit, partition: 0, kind }, [
    { offset: '0', key: Buffer.from('sc7/vm105'), value: Buffer.from(JSON.stringify(finding('exposed', '2026-05-01T00:00:00.000Z'))) },
    { offset: '1', key: Buffer.from('sc7/vm105'), value: Buffer.from(JSON.stringify(finding('ok', '2026-05-02T00:00:00.000Z'))) },
    { offset: '2', key: Buffer.from('sc7/vm9'), value: Buffer.from('{"audit":{}}') },
    { offset: '3', key: Buffer.from('sc7/vm9'), value: null },
  ], '2026-05-02T00:00:01.000Z');
  assert.deepEqual(plan.ops.map((o) => `${o.kind} ${o.index} ${o.kind === 'index' ? ((o.doc.audit as { status?: string } | undefined)?.status ?? 'letter') : ''}`), [
    `index ${INDICES.audit} exposed`,
    `index ${INDICES.audit} ok`,
    `index ${INDICES.deadletter} letter`,
  ]);
  assert.deepEqual(plan.ops.slice(0, 2).map((o) => o.id), ['dom-1', 'dom-1']);
  assert.equal(plan.unplannable, 1);
  assert.equal(plan.skipped, 1);
});
