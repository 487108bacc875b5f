import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTemplateSet, deadletterMapping, eventsMapping, incidentsMapping } from '../../../services/indexer/core/templates.js';

type Props = { properties?: Record<string, Props>; type?: string; index?: boolean; doc_values?: boolean; dynamic?: boolean; fields?: Record<string, Props> };
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

test('dates are found from the schema (UTC instants), local date-times stay keywords, ip fields are ip', () => {
  const m = eventsMapping() as Props;
  assert.equal(at(m, 'windows.dump.system_time')?.type, 'date');
  assert.equal(at(m, 'windows.windbg.boot_time')?.type, 'date');
  assert.equal(at(m, 'windows.shutdown.time_utc')?.type, 'date');
  assert.equal(at(m, 'windows.shutdown.local_datetime')?.type, 'keyword');
  assert.equal(at(m, 'host.ip')?.type, 'ip');
  assert.equal(at(m, 'host.name')?.type, 'keyword');
  assert.equal(at(m, 'host.cpu.usage')?.type, 'double');
  assert.equal(at(m, 'event.original')?.doc_values, false);
  assert.equal(at(m, 'winlog.event_data')?.dynamic, true);
  assert.equal(at(m, 'winlog.record_id')?.type, 'keyword');
  assert.equal(at(deadletterMapping() as Props, '@timestamp')?.type, 'date');
  assert.equal(at(deadletterMapping() as Props, 'event.original')?.index, false);
  assert.equal(at(deadletterMapping() as Props, 'error.message')?.type, 'text');
});

test('undeclared fields: event_data and bugcheck arguments keyword whatever their JSON type, no date detection', () => {
  const m = eventsMapping() as { date_detection: boolean; dynamic_templates: Array<Record<string, { path_match?: string; match_mapping_type: string; mapping: { type: string } }>> };
  assert.equal(m.date_detection, false);
  const rules = m.dynamic_templates.map((t) => Object.values(t)[0]!);
  assert.deepEqual(rules[0], { path_match: 'winlog.event_data.*', match_mapping_type: '*', mapping: { type: 'keyword', ignore_above: 1024 } });
  assert.equal(rules[1]!.path_match, 'windows.bugcheck.arguments.*');
  assert.equal(rules[rules.length - 1]!.mapping.type, 'keyword', 'other strings are keywords');
});

test('templates are composable: one settings component with shards, replicas, refresh; the events alias', () => {
  const set = buildTemplateSet({ shards: 3, replicas: 1, refreshIntervalMs: 500 });
  assert.deepEqual(set.components.map((c) => c.name), ['hangwatch-settings']);
  const settings = (set.components[0]!.body as { template: { settings: Record<string, unknown> } }).template.settings;
  assert.equal(settings.number_of_shards, 3);
  assert.equal(settings.number_of_replicas, 1);
  assert.equal(settings.refresh_interval, '500ms');
  assert.deepEqual(set.indexTemplates.map((t) => t.name), ['hangwatch-events', 'hangwatch-incidents', 'hangwatch-alerts', 'hangwatch-deadletter']);
  for (const t of set.indexTemplates) assert.deepEqual((t.body as { composed_of: string[] }).composed_of, ['hangwatch-settings']);
  const events = set.indexTemplates[0]!.body as { index_patterns: string[]; template: { aliases: Record<string, unknown> } };
  assert.deepEqual(events.index_patterns, ['hangwatch-events-*']);
  assert.ok('hangwatch-events' in events.template.aliases);
});
