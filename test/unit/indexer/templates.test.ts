import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildIndexTemplates, eventsMapping, incidentsMapping } from '../../../services/indexer/core/templates.js';

type Props = { properties?: Record<string, Props>; type?: string; index?: boolean; fields?: Record<string, Props> };
function at(mapping: Props, path: string): Props | undefined {
  let cur: Props | undefined = mapping;
  for (const part of path.split('.')) cur = cur?.properties?.[part];
  return cur;
}

test('event mapping follows ECS: keyword vs text, dates, numbers, original stored not indexed', () => {
  const m = eventsMapping() as Props;
  assert.equal(at(m, '@timestamp')?.type, 'date');
  assert.equal(at(m, 'event.created')?.type, 'date');
  assert.equal(at(m, 'event.ingested')?.type, 'date');
  assert.equal(at(m, 'event.action')?.type, 'keyword');
  assert.equal(at(m, 'event.code')?.type, 'keyword');
  assert.equal(at(m, 'message')?.type, 'text');
  assert.equal(at(m, 'message')?.fields?.keyword?.type, 'keyword');
  assert.equal(at(m, 'event.original')?.index, false);
  assert.equal(at(m, 'log.offset')?.type, 'long');
  assert.equal(at(m, 'process.thread.id')?.type, 'long');
  assert.equal(at(m, 'qemu.smp.cpus')?.type, 'long');
  assert.equal(at(m, 'qemu.hyperv')?.type, 'keyword');
  assert.equal(at(m, 'windows.bugcheck.code')?.type, 'keyword');
  assert.equal(at(m, 'libvirt.domain.name')?.type, 'keyword');
  assert.equal(at(m, 'hangwatch.time.basis')?.type, 'keyword');
});

test('incident mapping has diagnosis codes as keywords and confidences as numbers', () => {
  const m = incidentsMapping() as Props;
  assert.equal(at(m, 'incident.diagnosis.code')?.type, 'keyword');
  assert.equal(at(m, 'incident.diagnosis.confidence')?.type, 'float');
  assert.equal(at(m, 'incident.window.gte')?.type, 'date');
  assert.equal(at(m, 'incident.evidence.message')?.type, 'text');
  assert.equal(at(m, 'incident.kind')?.type, 'keyword');
});

test('templates carry the shard and replica settings and the events alias', () => {
  const templates = buildIndexTemplates({ shards: 3, replicas: 1 });
  assert.deepEqual(templates.map((t) => t.name), ['hangwatch-events', 'hangwatch-incidents', 'hangwatch-alerts', 'hangwatch-deadletter']);
  const events = templates[0]!.body as { index_patterns: string[]; template: { settings: Record<string, unknown>; aliases: Record<string, unknown> } };
  assert.deepEqual(events.index_patterns, ['hangwatch-events-*']);
  assert.equal(events.template.settings.number_of_shards, 3);
  assert.equal(events.template.settings.number_of_replicas, 1);
  assert.ok('hangwatch-events' in events.template.aliases);
});
