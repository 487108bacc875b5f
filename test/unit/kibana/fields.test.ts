import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUGCHECK_NAMES } from '../../../services/parser/core/bugcheck.js';
import type { LensLayer, SavedObject } from '../../../kibana/src/source-types.js';
import { DATASETS, DIAGNOSIS_CODES, EVENT_ACTIONS, INCIDENT_KINDS, STAGES } from '../../../shared/vocabulary.js';
import { builtObjects, fieldsOfDataView, isAggregatable, isDate, isNumeric, kqlClauses, type FieldInfo } from './helpers.js';

// Every field a data view, search or Lens names exists in the indexer's mappings with a type that supports the
// use: aggregations on keyword/number/date only, KQL only on indexed fields, date histograms on dates.

const objects = builtObjects();
const byKey = new Map(objects.map((o) => [`${o.type}/${o.id}`, o]));

function dataViewOf(o: SavedObject): SavedObject {
  const ref = o.references.find((r) => r.type === 'index-pattern');
  const dv = ref && byKey.get(`index-pattern/${ref.id}`);
  if (!dv) throw new Error(`${o.id}: no data view`);
  return dv;
}

function field(fields: Map<string, FieldInfo>, name: string, where: string): FieldInfo {
  const f = fields.get(name);
  assert.ok(f, `${where}: field ${name} is not in the mapping`);
  assert.notEqual(f.type, 'object', `${where}: ${name} is an object, not a field`);
  return f;
}

/** Known vocabularies: a query value outside them matches nothing, silently. */
const VOCABULARIES: Record<string, readonly string[]> = {
  'event.action': EVENT_ACTIONS,
  'event.dataset': DATASETS,
  'incident.kind': INCIDENT_KINDS,
  'incident.diagnosis.code': DIAGNOSIS_CODES,
  'hangwatch.stage': STAGES,
  'windows.bugcheck.code': Object.keys(BUGCHECK_NAMES),
  // qemu.hyperv holds enlightenments without the hv_ prefix (services/parser/core/qemu/cpu.ts).
  'qemu.hyperv': ['relaxed', 'vapic', 'spinlocks', 'time', 'vpindex', 'runtime', 'synic', 'stimer', 'reset', 'frequencies'],
};

function checkKql(fields: Map<string, FieldInfo>, query: string, where: string): number {
  const clauses = kqlClauses(query);
  for (const { field: name, values } of clauses) {
    const f = field(fields, name, where);
    assert.ok(f.indexed, `${where}: ${name} is not indexed, KQL cannot search it`);
    const vocabulary = VOCABULARIES[name];
    for (const v of values) if (vocabulary && v !== '*') assert.ok(vocabulary.includes(v), `${where}: ${name} : "${v}" is not in the vocabulary`);
  }
  return clauses.length;
}

test('data views: time field is a date; formatted, labelled and runtime-read fields exist', () => {
  for (const dv of objects.filter((o) => o.type === 'index-pattern')) {
    const fields = fieldsOfDataView(dv);
    assert.ok(isDate(field(fields, String(dv.attributes.timeFieldName), dv.id)));
    const formats = JSON.parse(String(dv.attributes.fieldFormatMap)) as Record<string, { id: string }>;
    for (const [name, format] of Object.entries(formats)) {
      const f = field(fields, name, `${dv.id} format`);
      if (['duration', 'bytes', 'percent', 'number'].includes(format.id)) assert.ok(isNumeric(f), `${dv.id}: ${format.id} format on non-numeric ${name}`);
      if (format.id === 'static_lookup') assert.equal(f.type, 'keyword', `${dv.id}: static_lookup on ${name}`);
    }
    for (const name of Object.keys(JSON.parse(String(dv.attributes.fieldAttrs)) as object)) field(fields, name, `${dv.id} fieldAttrs`);
    const runtime = JSON.parse(String(dv.attributes.runtimeFieldMap)) as Record<string, { script: { source: string } }>;
    for (const [name, def] of Object.entries(runtime)) {
      assert.ok(!flattenedWithoutRuntime(dv).has(name), `${dv.id}: runtime field ${name} shadows a mapped field`);
      for (const m of def.script.source.matchAll(/doc\['([^']+)'\]/g)) {
        assert.ok(isAggregatable(field(fields, m[1] as string, `${dv.id} runtime ${name}`)), `${name} reads doc values of ${m[1]}`);
      }
      for (const m of def.script.source.matchAll(/params\._source\.(\w+)/g)) assert.ok([...fields.keys()].some((k) => k.startsWith(`${m[1]}.`)), `${name} reads _source.${m[1]}`);
    }
  }
});

function flattenedWithoutRuntime(dv: SavedObject): Map<string, FieldInfo> {
  return new Map([...fieldsOfDataView(dv)].filter(([, f]) => !f.runtime));
}

test('the ingest-lag and top-diagnosis runtime fields read what the schema writes', () => {
  const events = fieldsOfDataView(byKey.get('index-pattern/hangwatch-data-view-events') as SavedObject);
  assert.equal(events.get('hangwatch.ingest_lag_ms')?.type, 'long');
  assert.ok(isDate(events.get('event.ingested') as FieldInfo));
  const incidents = fieldsOfDataView(byKey.get('index-pattern/hangwatch-data-view-incidents') as SavedObject);
  assert.equal(incidents.get('incident.top_diagnosis')?.type, 'keyword');
  assert.equal(incidents.get('incident.diagnosis.code')?.type, 'keyword');
});

test('saved searches: columns exist, sort fields are sortable, query fields are indexed and values in vocabulary', () => {
  let clauses = 0;
  for (const s of objects.filter((o) => o.type === 'search')) {
    const fields = fieldsOfDataView(dataViewOf(s));
    for (const c of s.attributes.columns as string[]) field(fields, c, `${s.id} column`);
    for (const [name] of s.attributes.sort as [string, string][]) assert.ok(isAggregatable(field(fields, name, `${s.id} sort`)), `${s.id}: cannot sort on ${name}`);
    const source = JSON.parse((s.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON) as { query: { query: string } };
    clauses += checkKql(fields, source.query.query, s.id);
  }
  assert.ok(clauses >= 2, 'the queries were read');
});

const BUCKET_OPS = new Set(['terms', 'date_histogram']);
const NUMERIC_OPS = new Set(['average', 'sum', 'median', 'percentile', 'standard_deviation']);

test('Lens: every column names a mapped field its operation can aggregate', () => {
  let columns = 0;
  for (const lens of objects.filter((o) => o.type === 'lens')) {
    const fields = fieldsOfDataView(dataViewOf(lens));
    const state = lens.attributes.state as { query: { query: string }; datasourceStates: { formBased: { layers: Record<string, LensLayer> } } };
    checkKql(fields, state.query.query, `${lens.id} query`);
    for (const layer of Object.values(state.datasourceStates.formBased.layers)) {
      assert.deepEqual([...layer.columnOrder].sort(), Object.keys(layer.columns).sort(), `${lens.id}: columnOrder`);
      for (const [id, col] of Object.entries(layer.columns)) {
        const where = `${lens.id} column ${id}`;
        if (col.filter) checkKql(fields, col.filter.query, where);
        if (col.operationType === 'count') {
          assert.equal(col.sourceField, '___records___', where);
          continue;
        }
        assert.ok(col.sourceField, `${where}: no sourceField`);
        const f = field(fields, col.sourceField, where);
        assert.ok(isAggregatable(f), `${where}: ${col.sourceField} (${f.type}) is not aggregatable`);
        if (col.operationType === 'date_histogram') assert.ok(isDate(f), where);
        if (NUMERIC_OPS.has(col.operationType)) assert.ok(isNumeric(f), `${where}: ${col.operationType} on ${f.type}`);
        if (col.operationType === 'min' || col.operationType === 'max') assert.ok(isNumeric(f) || isDate(f), where);
        if (col.operationType === 'last_value') assert.ok(isDate(field(fields, String(col.params?.sortField), where)), where);
        assert.equal(col.isBucketed, BUCKET_OPS.has(col.operationType), `${where}: isBucketed`);
        assert.equal(col.dataType, isDate(f) ? 'date' : isNumeric(f) && !BUCKET_OPS.has(col.operationType) ? 'number' : col.dataType, `${where}: dataType`);
        columns++;
      }
      // Terms ordered by a column must name a column of the same layer.
      for (const col of Object.values(layer.columns)) {
        const orderBy = (col.params?.orderBy as { type: string; columnId?: string } | undefined);
        if (orderBy?.type === 'column') assert.ok(orderBy.columnId && orderBy.columnId in layer.columns, `${lens.id}: orderBy ${orderBy.columnId}`);
      }
    }
  }
  assert.ok(columns >= 15, `only ${columns} columns checked`);
});

test('Lens visualizations name only columns of their layers', () => {
  for (const lens of objects.filter((o) => o.type === 'lens')) {
    const state = lens.attributes.state as { visualization: Record<string, unknown>; datasourceStates: { formBased: { layers: Record<string, LensLayer> } } };
    const layers = state.datasourceStates.formBased.layers;
    const vis = state.visualization;
    const visLayers = (vis.layers as { layerId: string; xAccessor?: string; splitAccessor?: string; accessors: string[] }[] | undefined)
      ?? [{ layerId: String(vis.layerId), accessors: (vis.columns as { columnId: string }[]).map((c) => c.columnId) }];
    for (const l of visLayers) {
      const layer = layers[l.layerId];
      assert.ok(layer, `${lens.id}: visualization layer ${l.layerId}`);
      for (const a of [l.xAccessor, l.splitAccessor, ...l.accessors].filter((x): x is string => x !== undefined)) assert.ok(a in layer.columns, `${lens.id}: accessor ${a}`);
    }
  }
});

test('the field check catches a missing field, a text aggregation and an off-vocabulary value', () => {
  const events = fieldsOfDataView(byKey.get('index-pattern/hangwatch-data-view-events') as SavedObject);
  assert.throws(() => field(events, 'libvirt.domain', 'probe'), /not in the mapping/);
  assert.throws(() => field(events, 'winlog.event_data', 'probe'), /is an object/);
  assert.equal(isAggregatable(events.get('message') as FieldInfo), false);
  assert.equal(isAggregatable(events.get('event.original') as FieldInfo), false);
  assert.equal(isAggregatable(events.get('message.keyword') as FieldInfo), true);
  assert.throws(() => checkKql(events, 'event.action : "monitor_eof"', 'probe'), /vocabulary/);
  assert.throws(() => checkKql(events, 'event.original : "x"', 'probe'), /not indexed/);
});
