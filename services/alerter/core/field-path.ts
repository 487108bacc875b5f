// Dotted paths into nested incidents (`incident.config.qemu.hyperv`, `incident.diagnosis.code`). Unlike
// shared/fields.ts getField, a path that crosses an array collects from every element, so a filter on
// `incident.diagnosis.code` sees every diagnosis, as Elasticsearch would.

export function readPath(doc: unknown, path: string): unknown {
  if (doc !== null && typeof doc === 'object' && path in (doc as Record<string, unknown>)) {
    return (doc as Record<string, unknown>)[path];
  }
  return readParts(doc, path.split('.'), 0);
}

function readParts(cur: unknown, parts: readonly string[], index: number): unknown {
  if (index === parts.length) return cur;
  if (Array.isArray(cur)) {
    const out = cur.flatMap((item) => {
      const value = readParts(item, parts, index);
      if (value === undefined) return [];
      return Array.isArray(value) ? value : [value];
    });
    return out.length > 0 ? out : undefined;
  }
  if (cur === null || typeof cur !== 'object') return undefined;
  return readParts((cur as Record<string, unknown>)[parts[index] as string], parts, index + 1);
}

/** A scalar as the text used in keys and messages; arrays joined with commas. */
export function scalarText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map((v) => String(v)).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
