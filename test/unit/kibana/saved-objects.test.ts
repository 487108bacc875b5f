import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DIST_FILE, buildNdjson } from '../../../kibana/build-ndjson.js';
import { CORE_MIGRATION_VERSION, TYPE_MIGRATION_VERSIONS } from '../../../kibana/src/versions.js';
import type { SavedObject } from '../../../kibana/src/source-types.js';
import { builtObjects } from './helpers.js';

// The set as Kibana's import reads it: one JSON object per line, every reference resolvable inside the set.

/** Stable ids: dashboards, alert links (HANGWATCH_ALERTER_KIBANA_DATA_VIEW_ID) and bookmarks name them. */
const EXPECTED_IDS = [
  'dashboard/hangwatch-dashboard-guest-hangs',
  'dashboard/hangwatch-dashboard-pipeline-health',
  'index-pattern/hangwatch-data-view-alerts',
  'index-pattern/hangwatch-data-view-deadletter',
  'index-pattern/hangwatch-data-view-events',
  'index-pattern/hangwatch-data-view-incidents',
  'lens/hangwatch-lens-bugcheck-codes',
  'lens/hangwatch-lens-deadletters-by-reason-table',
  'lens/hangwatch-lens-deadletters-over-time',
  'lens/hangwatch-lens-domains-lacking-hyperv',
  'lens/hangwatch-lens-events-per-dataset',
  'lens/hangwatch-lens-incidents-by-domain',
  'lens/hangwatch-lens-incidents-by-hypervisor',
  'lens/hangwatch-lens-ingest-lag',
  'lens/hangwatch-lens-top-diagnoses',
  'search/hangwatch-search-deadletters-by-reason',
  'search/hangwatch-search-host-events-near-hangs',
  'search/hangwatch-search-incidents-by-top-diagnosis',
  'search/hangwatch-search-latest-incidents',
  'search/hangwatch-search-watchdog-bugchecks',
];

const key = (o: { type: string; id: string }) => `${o.type}/${o.id}`;

test('the committed kibana/dist/hangwatch.ndjson equals a fresh build', () => {
  assert.equal(readFileSync(DIST_FILE, 'utf8'), buildNdjson().ndjson, 'run: hangwatch kibana build');
});

test('every line of the ndjson parses as a saved object with type, id, attributes and references', () => {
  const lines = buildNdjson().ndjson.trimEnd().split('\n');
  assert.equal(lines.length, EXPECTED_IDS.length);
  for (const line of lines) {
    const o = JSON.parse(line) as SavedObject;
    assert.equal(typeof o.id, 'string');
    assert.ok(o.type in TYPE_MIGRATION_VERSIONS, o.type);
    assert.equal(typeof o.attributes, 'object');
    assert.ok(Array.isArray(o.references));
    // JSON held in strings must parse too: Kibana parses it after import, where an error is much harder to see.
    for (const field of ['fieldFormatMap', 'runtimeFieldMap', 'fieldAttrs', 'fields', 'panelsJSON', 'optionsJSON']) {
      if (field in o.attributes) JSON.parse(String(o.attributes[field]));
    }
    const meta = o.attributes.kibanaSavedObjectMeta as { searchSourceJSON?: string } | undefined;
    if (meta?.searchSourceJSON) JSON.parse(meta.searchSourceJSON);
  }
});

test('ids are the fixed list, unique, and carry the 8.8 migration versions of their type', () => {
  const objects = builtObjects();
  assert.deepEqual(objects.map(key).sort(), EXPECTED_IDS);
  assert.equal(new Set(objects.map(key)).size, objects.length);
  for (const o of objects) {
    assert.equal(o.coreMigrationVersion, CORE_MIGRATION_VERSION);
    assert.equal(o.typeMigrationVersion, TYPE_MIGRATION_VERSIONS[o.type]);
  }
  // Kibana refuses objects newer than itself: nothing may claim a version past the lowest supported (8.8.0).
  for (const v of [CORE_MIGRATION_VERSION, ...Object.values(TYPE_MIGRATION_VERSIONS)]) {
    const [major, minor] = v.split('.').map(Number) as [number, number];
    assert.ok(major < 8 || (major === 8 && minor <= 8), v);
  }
});

test('every reference resolves to an object of the set, with the type it claims', () => {
  const objects = builtObjects();
  const known = new Set(objects.map(key));
  let count = 0;
  for (const o of objects) {
    for (const ref of o.references) {
      assert.ok(known.has(key(ref)), `${key(o)} references missing ${key(ref)}`);
      count++;
    }
  }
  assert.ok(count >= 25, `only ${count} references checked`);
});

test('references are named the way each type looks them up', () => {
  for (const o of builtObjects()) {
    const names = o.references.map((r) => r.name);
    assert.equal(new Set(names).size, names.length, `${key(o)}: duplicate reference names`);
    if (o.type === 'search') {
      const source = JSON.parse((o.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON) as { indexRefName: string };
      assert.deepEqual(names, [source.indexRefName]);
      assert.equal(o.references[0]?.type, 'index-pattern');
    }
    if (o.type === 'lens') {
      const state = o.attributes.state as { datasourceStates: { formBased: { layers: Record<string, unknown> } } };
      const layers = Object.keys(state.datasourceStates.formBased.layers);
      assert.deepEqual(names.sort(), layers.map((l) => `indexpattern-datasource-layer-${l}`).sort());
    }
    if (o.type === 'dashboard') {
      const panels = JSON.parse(String(o.attributes.panelsJSON)) as { panelIndex: string; panelRefName: string; type: string; gridData: { i: string } }[];
      assert.equal(panels.length, o.references.length);
      for (const p of panels) {
        const ref = o.references.find((r) => r.name === `${p.panelIndex}:${p.panelRefName}`);
        assert.ok(ref, `${key(o)} panel ${p.panelIndex} has no reference`);
        assert.equal(ref.type, p.type);
        assert.equal(p.gridData.i, p.panelIndex);
      }
    }
  }
});

test('dashboard panels fit the 48-column grid without overlapping', () => {
  for (const o of builtObjects().filter((x) => x.type === 'dashboard')) {
    const panels = JSON.parse(String(o.attributes.panelsJSON)) as { panelIndex: string; gridData: { x: number; y: number; w: number; h: number } }[];
    for (const [i, a] of panels.entries()) {
      assert.ok(a.gridData.x >= 0 && a.gridData.x + a.gridData.w <= 48, `${o.id} ${a.panelIndex} leaves the grid`);
      for (const b of panels.slice(i + 1)) {
        const overlap = a.gridData.x < b.gridData.x + b.gridData.w && b.gridData.x < a.gridData.x + a.gridData.w && a.gridData.y < b.gridData.y + b.gridData.h && b.gridData.y < a.gridData.y + a.gridData.h;
        assert.ok(!overlap, `${o.id}: ${a.panelIndex} overlaps ${b.panelIndex}`);
      }
    }
  }
});

test('the alerter links to Discover through the incidents data view id', () => {
  const incidents = builtObjects().find((o) => o.id === 'hangwatch-data-view-incidents');
  assert.equal(incidents?.attributes.title, 'hangwatch-incidents');
  assert.equal(incidents?.attributes.timeFieldName, '@timestamp');
});
