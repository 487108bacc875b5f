import type { z } from 'zod';

// Elasticsearch mappings generated from the one runtime schema (shared/schema), so the index templates can
// never forget a field the events carry. Strings are keyword unless overridden; whole numbers long; other
// numbers double; the date fields are listed by name (ISO strings in the schema).

export type EsMapping = Record<string, unknown>;

export interface MappingOverrides {
  /** Dotted path -> mapping that replaces the generated one. */
  readonly fields?: Readonly<Record<string, EsMapping>>;
}

const DATE_FIELD = /(^|\.)(@timestamp|created|ingested|boot_time|first_seen|last_seen|gte|lte|time_utc)$/;

interface ZodInternals {
  _zod: { def: { type: string; innerType?: unknown; element?: unknown; shape?: Record<string, unknown>; checks?: Array<{ _zod: { def: { format?: string } } }>; options?: unknown[]; values?: unknown[]; entries?: Record<string, unknown> } };
}

function defOf(schema: unknown): ZodInternals['_zod']['def'] {
  return (schema as ZodInternals)._zod.def;
}

/** Unwraps optional/nullable/default wrappers and arrays (ES fields are multi-valued by nature). */
function unwrap(schema: unknown): unknown {
  let s = schema;
  for (;;) {
    const def = defOf(s);
    if ((def.type === 'optional' || def.type === 'nullable' || def.type === 'default' || def.type === 'readonly') && def.innerType) s = def.innerType;
    else if (def.type === 'array' && def.element) s = def.element;
    else return s;
  }
}

export function mappingFromSchema(schema: z.ZodType, overrides: MappingOverrides = {}, prefix = ''): EsMapping {
  const properties: Record<string, EsMapping> = {};
  const shape = defOf(unwrap(schema)).shape ?? {};
  for (const [name, child] of Object.entries(shape)) {
    const path = prefix ? `${prefix}.${name}` : name;
    const override = overrides.fields?.[path];
    if (override) {
      properties[name] = override;
      continue;
    }
    properties[name] = leafMapping(unwrap(child), path, overrides);
  }
  return { properties };
}

function leafMapping(schema: unknown, path: string, overrides: MappingOverrides): EsMapping {
  const def = defOf(schema);
  switch (def.type) {
    case 'object':
      return mappingFromSchema(schema as z.ZodType, overrides, path);
    case 'record':
      return { type: 'object', dynamic: true };
    case 'number': {
      const integer = (def.checks ?? []).some((c) => (c._zod.def.format ?? '').includes('int'));
      return { type: integer ? 'long' : 'double' };
    }
    case 'boolean':
      return { type: 'boolean' };
    case 'string':
    case 'enum':
    case 'literal':
      return DATE_FIELD.test(path) ? { type: 'date' } : { type: 'keyword', ignore_above: 1024 };
    case 'union':
      return { type: 'keyword', ignore_above: 1024 };
    default:
      return { type: 'keyword', ignore_above: 1024 };
  }
}
