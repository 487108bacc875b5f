import { BUGCHECK_NAMES } from '../../services/parser/core/bugcheck.js';
import { HangwatchError } from '../../shared/errors.js';
import type { DashboardSource, DataViewSource, FieldFormat, LensSource, ObjectSource, SavedObject, SearchSource } from './source-types.js';
import { CORE_MIGRATION_VERSION, DEFAULT_TIMELINE_BASE_URL, PANEL_VERSION, TYPE_MIGRATION_VERSIONS, type SavedObjectType } from './versions.js';

// Readable sources -> the objects Kibana's import API takes (one ndjson line each). Pure: no fs, no clock.

export interface BuildOptions {
  /** Base URL of the timeline service that incident links point to; default http://localhost:8790. */
  readonly timelineBaseUrl?: string;
}

/** Data views first, then what uses them: Kibana does not need the order, but a reader of the file does. */
const TYPE_ORDER: readonly SavedObjectType[] = ['index-pattern', 'search', 'lens', 'dashboard'];

const SEARCH_INDEX_REF = 'kibanaSavedObjectMeta.searchSourceJSON.index';

/** Lookup tables a static_lookup format can name with `$lookup` in the source, so names have one home. */
const LOOKUPS: Record<string, () => { key: string; value: string }[]> = {
  'bugcheck-names': () =>
    Object.entries(BUGCHECK_NAMES)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([code, name]) => ({ key: code, value: `${code} ${name}` })),
};

export function buildSavedObjects(sources: readonly ObjectSource[], options: BuildOptions = {}): SavedObject[] {
  const timelineBaseUrl = checkTimelineBaseUrl(options.timelineBaseUrl ?? DEFAULT_TIMELINE_BASE_URL);
  const built = sources.map((source) => buildOne(source, timelineBaseUrl));
  return built.sort((a, b) => TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type) || a.id.localeCompare(b.id));
}

export function toNdjson(objects: readonly SavedObject[]): string {
  return objects.map((o) => JSON.stringify(o)).join('\n') + '\n';
}

/**
 * The base URL ends up inside a URL field format template, which Kibana fills with `{{value}}` (URL-encoded)
 * and HTML-escapes: only a plain http(s) origin with an optional path is accepted, so the template itself
 * can carry no placeholder, quote or script.
 */
export function checkTimelineBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new HangwatchError('HW_USAGE', [`timeline base URL is not a URL: ${JSON.stringify(text)}`]);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username || url.password) {
    throw new HangwatchError('HW_USAGE', [`timeline base URL must be http(s)://host[:port][/path] without query or credentials: ${JSON.stringify(text)}`]);
  }
  if (/[{}"'<>\s%]/.test(text)) throw new HangwatchError('HW_USAGE', [`timeline base URL has characters not allowed in a link template: ${JSON.stringify(text)}`]);
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function buildOne(source: ObjectSource, timelineBaseUrl: string): SavedObject {
  switch (source.type) {
    case 'index-pattern': return buildDataView(source, timelineBaseUrl);
    case 'search': return buildSearch(source);
    case 'lens': return buildLens(source);
    case 'dashboard': return buildDashboard(source);
    default: throw new HangwatchError('HW_RECORD_INVALID', [`unknown saved object type ${JSON.stringify((source as { type: unknown }).type)}`]);
  }
}

function envelope(type: SavedObjectType, id: string, attributes: Record<string, unknown>, references: SavedObject['references']): SavedObject {
  return { type, id, attributes, references, coreMigrationVersion: CORE_MIGRATION_VERSION, typeMigrationVersion: TYPE_MIGRATION_VERSIONS[type], managed: false };
}

function buildDataView(source: DataViewSource, timelineBaseUrl: string): SavedObject {
  const a = source.attributes;
  const formats = Object.fromEntries(Object.entries(a.fieldFormatMap).map(([field, format]) => [field, resolveFormat(format, timelineBaseUrl)]));
  return envelope('index-pattern', source.id, {
    title: a.title,
    name: a.name,
    timeFieldName: a.timeFieldName,
    // Fields are read from the mappings at run time (Kibana 8.x); an empty list keeps the object small.
    fields: '[]',
    fieldFormatMap: JSON.stringify(formats),
    runtimeFieldMap: JSON.stringify(a.runtimeFieldMap),
    fieldAttrs: JSON.stringify(a.fieldAttrs),
    sourceFilters: '[]',
    typeMeta: '{}',
  }, source.references);
}

function resolveFormat(format: FieldFormat, timelineBaseUrl: string): FieldFormat {
  const params = { ...(format.params ?? {}) };
  const lookup = params.$lookup;
  if (lookup !== undefined) {
    const table = typeof lookup === 'string' ? LOOKUPS[lookup] : undefined;
    if (!table) throw new HangwatchError('HW_RECORD_INVALID', [`unknown lookup table ${JSON.stringify(lookup)}`]);
    delete params.$lookup;
    params.lookupEntries = table();
  }
  if (format.id === 'url' && typeof params.urlTemplate === 'string' && params.urlTemplate.startsWith(`${DEFAULT_TIMELINE_BASE_URL}/`)) {
    params.urlTemplate = timelineBaseUrl + params.urlTemplate.slice(DEFAULT_TIMELINE_BASE_URL.length);
  }
  return { id: format.id, params };
}

function buildSearch(source: SearchSource): SavedObject {
  const a = source.attributes;
  const searchSource = { query: a.searchSource.query, filter: a.searchSource.filter, highlightAll: true, version: true, indexRefName: SEARCH_INDEX_REF };
  return envelope('search', source.id, {
    title: a.title,
    description: a.description,
    columns: a.columns,
    sort: a.sort,
    hits: 0,
    version: 1,
    kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify(searchSource) },
  }, source.references);
}

function buildLens(source: LensSource): SavedObject {
  return envelope('lens', source.id, { ...source.attributes }, source.references);
}

function buildDashboard(source: DashboardSource): SavedObject {
  const a = source.attributes;
  // By-reference panels: the panel names its object through `panelRefName`, resolved by the dashboard's
  // references named `<panelIndex>:panel_<panelIndex>` (the shape Kibana 8.x exports).
  const panels = a.panels.map((p) => ({
    version: PANEL_VERSION,
    type: p.type,
    gridData: { ...p.grid, i: p.id },
    panelIndex: p.id,
    embeddableConfig: { enhancements: {} },
    panelRefName: `panel_${p.id}`,
  }));
  const references = a.panels.map((p) => ({ type: p.type, id: p.ref, name: `${p.id}:panel_${p.id}` }));
  return envelope('dashboard', source.id, {
    title: a.title,
    description: a.description,
    panelsJSON: JSON.stringify(panels),
    optionsJSON: JSON.stringify(a.options),
    timeRestore: a.timeRestore,
    timeFrom: a.timeFrom,
    timeTo: a.timeTo,
    refreshInterval: a.refreshInterval,
    version: 1,
    kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: a.query, filter: [] }) },
  }, references);
}
