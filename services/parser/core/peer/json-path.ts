// Reading peer shippers' JSON documents: the same field arrives nested (`{"log":{"file":{"path":..}}}`, as
// Beats and Vector write it) or as a flat dotted key (`{"log.file.path":..}`, after some processors or an
// rsyslog template), and numbers sometimes as strings (Vector's `offset_key` value, rsyslog properties).

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `a.b.c` from nested objects, else from a flat dotted key, else undefined. */
export function readPath(doc: Json, path: string): unknown {
  if (path in doc) return doc[path];
  let node: unknown = doc;
  for (const part of path.split('.')) {
    if (!isObject(node)) return undefined;
    node = node[part];
  }
  return node;
}

/** The first of the paths holding a non-empty string (numbers as their decimal text). */
export function readText(doc: Json, ...paths: readonly string[]): string | undefined {
  for (const path of paths) {
    const value = readPath(doc, path);
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return undefined;
}

/** The first of the paths holding a non-negative safe integer (or its decimal text). */
export function readCount(doc: Json, ...paths: readonly string[]): number | undefined {
  for (const path of paths) {
    const value = readPath(doc, path);
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
    if (Number.isSafeInteger(n) && n >= 0) return n;
  }
  return undefined;
}
