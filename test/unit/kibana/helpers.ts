import { alertsMapping, deadletterMapping, eventsMapping, incidentsMapping } from '../../../services/indexer/core/templates.js';
import { INDICES } from '../../../shared/topics.js';
import { buildSavedObjects } from '../../../kibana/src/build-objects.js';
import { loadSources } from '../../../kibana/src/load-sources.js';
import type { SavedObject } from '../../../kibana/src/source-types.js';

// What the Kibana tests share: the built objects, and the fields each data view can see, taken from the
// indexer's own mappings (services/indexer/core/templates.ts) so a mapping change shows up here.

export function builtObjects(): SavedObject[] {
  return buildSavedObjects(loadSources());
}

export interface FieldInfo {
  readonly type: string;
  readonly indexed: boolean;
  readonly docValues: boolean;
  readonly runtime: boolean;
}

type Mapping = { properties?: Record<string, Mapping>; fields?: Record<string, Mapping>; type?: string; index?: boolean; doc_values?: boolean };

export function flattenMapping(mapping: Mapping, prefix = '', out = new Map<string, FieldInfo>()): Map<string, FieldInfo> {
  for (const [name, child] of Object.entries(mapping.properties ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (child.properties) {
      flattenMapping(child, path, out);
      continue;
    }
    const type = child.type ?? 'object';
    out.set(path, { type, indexed: child.index !== false && type !== 'object', docValues: child.doc_values !== false && type !== 'text' && type !== 'object', runtime: false });
    for (const [sub, subMapping] of Object.entries(child.fields ?? {})) {
      const subType = subMapping.type ?? 'keyword';
      out.set(`${path}.${sub}`, { type: subType, indexed: subMapping.index !== false, docValues: subMapping.doc_values !== false && subType !== 'text', runtime: false });
    }
  }
  return out;
}

/** The index mapping behind each data view title. */
export const MAPPING_BY_TITLE: Record<string, () => unknown> = {
  [INDICES.eventsPattern]: eventsMapping,
  [INDICES.incidents]: incidentsMapping,
  [INDICES.alerts]: alertsMapping,
  [INDICES.deadletter]: deadletterMapping,
};

/** Fields of a data view: its index mapping plus its runtime fields. */
export function fieldsOfDataView(dataView: SavedObject): Map<string, FieldInfo> {
  const title = String(dataView.attributes.title);
  const mapping = MAPPING_BY_TITLE[title];
  if (!mapping) throw new Error(`no index mapping for data view title ${title}`);
  const fields = flattenMapping(mapping() as Mapping);
  const runtime = JSON.parse(String(dataView.attributes.runtimeFieldMap)) as Record<string, { type: string }>;
  for (const [name, def] of Object.entries(runtime)) fields.set(name, { type: def.type, indexed: true, docValues: true, runtime: true });
  return fields;
}

const NUMERIC = new Set(['long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'unsigned_long']);
const AGGREGATABLE = new Set([...NUMERIC, 'keyword', 'date', 'date_nanos', 'boolean', 'ip']);

export function isAggregatable(f: FieldInfo): boolean {
  return AGGREGATABLE.has(f.type) && f.docValues;
}
export function isNumeric(f: FieldInfo): boolean {
  return NUMERIC.has(f.type);
}
export function isDate(f: FieldInfo): boolean {
  return f.type === 'date' || f.type === 'date_nanos';
}

/** `field : value` pairs of a KQL query (quoted values unquoted); enough for the simple queries kept here. */
export function kqlClauses(query: string): { field: string; values: string[] }[] {
  const clauses: { field: string; values: string[] }[] = [];
  const re = /([A-Za-z@_][\w.@-]*)\s*:\s*(\((?:[^()"]|"(?:[^"\\]|\\.)*")*\)|"(?:[^"\\]|\\.)*"|[^\s()]+)/g;
  for (const m of query.matchAll(re)) {
    const field = m[1] as string;
    const raw = m[2] as string;
    const values = [...raw.matchAll(/"((?:[^"\\]|\\.)*)"|([^\s()"]+)/g)]
      .map((v) => v[1] ?? v[2] ?? '')
      .filter((v) => v !== 'or' && v !== 'and' && v !== 'not');
    clauses.push({ field, values });
  }
  return clauses;
}
