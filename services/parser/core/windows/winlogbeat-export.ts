import { ParseFailure } from '../parse-failure.js';

// The Winlogbeat documents inside one JSON record, whatever shape it was exported in: the document itself
// (Winlogbeat's file and Kafka outputs), an Elasticsearch hit (`{"_index":..,"_id":..,"_source":{..}}`, or with
// `fields` when the search asked for fields instead of the source), a `_search` response (`hits.hits`), or an
// array of any of these (elastic/beats' golden files, `jq -s`). The file framer (json-document-framer.ts) already
// cuts arrays and search responses into their elements; a record that arrives whole (a Kafka message, a test)
// gets the same documents here.

export type Json = Record<string, unknown>;

export interface ExportedDocument {
  readonly doc: Json;
  /** The element's own JSON when the record held several: each event keeps only its own text as event.original. */
  readonly original?: string;
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function notAnObject(): ParseFailure {
  return new ParseFailure('HW_RECORD_INVALID', 'winlogbeat', 'a Winlogbeat record is a JSON object', ['{']);
}

/** Keys that would reach Object.prototype when used as property names while rebuilding nested objects. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function mergeInto(target: Json, key: string, value: unknown): void {
  const existing = target[key];
  if (isObject(existing) && isObject(value)) {
    for (const [k, v] of Object.entries(value)) if (!UNSAFE_KEYS.has(k)) mergeInto(existing, k, v);
  } else if (existing === undefined) {
    target[key] = value;
  }
}

/**
 * `{"winlog.event_id": 41}` as `{"winlog": {"event_id": 41}}`: dotted names are what Elasticsearch's `fields`,
 * Kibana's CSV-to-JSON and some Logstash pipelines give. Nested and dotted forms of one document are merged.
 */
export function expandDottedKeys(doc: Json): Json {
  const keys = Object.keys(doc);
  if (!keys.some((k) => k.includes('.'))) return doc;
  const out: Json = {};
  for (const key of keys) {
    const parts = key.split('.');
    if (parts.some((p) => p === '' || UNSAFE_KEYS.has(p))) continue;
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (next !== undefined && !isObject(next)) break;
      node = next === undefined ? (node[part] = {}) : next;
    }
    mergeInto(node, parts[parts.length - 1] as string, doc[key]);
  }
  return out;
}

/** Elasticsearch `fields`: every value is an array; a single value is the value itself (host.mac stays a list). */
function documentFromFields(fields: Json): Json {
  const flat: Json = {};
  for (const [key, value] of Object.entries(fields)) flat[key] = Array.isArray(value) && value.length === 1 ? value[0] : value;
  return expandDottedKeys(flat);
}

function unwrapHit(value: Json): Json {
  if (isObject(value._source)) return expandDottedKeys(value._source);
  if (isObject(value.fields) && ('_index' in value || '_id' in value)) return documentFromFields(value.fields);
  return expandDottedKeys(value);
}

function searchHits(value: Json): unknown[] | undefined {
  const hits = value.hits;
  return isObject(hits) && Array.isArray(hits.hits) ? hits.hits : undefined;
}

function collect(value: unknown, out: Json[]): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, out);
    return;
  }
  if (!isObject(value)) throw notAnObject();
  const hits = searchHits(value);
  if (hits !== undefined) {
    for (const hit of hits) collect(hit, out);
    return;
  }
  out.push(value);
}

/** The documents of a parsed record; throws HW_RECORD_INVALID when an element is not an object. */
export function exportedDocuments(value: unknown): ExportedDocument[] {
  const elements: Json[] = [];
  collect(value, elements);
  if (elements.length === 1 && elements[0] === value) return [{ doc: unwrapHit(value as Json) }];
  return elements.map((element) => ({ doc: unwrapHit(element), original: JSON.stringify(element) }));
}
