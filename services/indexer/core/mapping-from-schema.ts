import type { z } from 'zod';

// Elasticsearch mappings generated from the one runtime schema (shared/schema), so the index templates can
// never forget a field the events carry. Strings are keyword unless overridden; whole numbers long; other
// numbers double; dates are the strings whose schema is a UTC instant (a regex ending in `Z$`), plus the ECS
// date fields listed by name (for schemas that type them as plain strings, e.g. the dead letter's @timestamp).

export type EsMapping = Record<string, unknown>;

export interface MappingOverrides {
  /** Dotted path -> mapping that replaces the generated one. */
  readonly fields?: Readonly<Record<string, EsMapping>>;
}

const DATE_FIELD = /(^|\.)(@timestamp|created|ingested|boot_time|first_seen|last_seen|gte|lte|time_utc|system_time)$/;
const KEYWORD: EsMapping = { type: 'keyword', ignore_above: 1024 };

interface ZodCheckDef {
  readonly check?: string;
  readonly format?: string;
  readonly pattern?: RegExp;
}

interface ZodDef {
  readonly type: string;
  readonly innerType?: unknown;
  readonly element?: unknown;
  readonly shape?: Record<string, unknown>;
  readonly checks?: ReadonlyArray<{ _zod: { def: ZodCheckDef } }>;
  readonly options?: readonly unknown[];
}

function defOf(schema: unknown): ZodDef {
  return (schema as { _zod: { def: ZodDef } })._zod.def;
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
    properties[name] = override ?? leafMapping(unwrap(child), path, overrides);
  }
  return { properties };
}

/** A string schema whose regex only accepts UTC instants (`...T...Z`). Local date-times (no `Z`) stay keywords. */
function isInstantString(def: ZodDef): boolean {
  return (def.checks ?? []).some((c) => {
    const pattern = c._zod.def.pattern;
    return c._zod.def.format === 'regex' && pattern instanceof RegExp && pattern.source.includes('T') && pattern.source.endsWith('Z$');
  });
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
      return isInstantString(def) || DATE_FIELD.test(path) ? { type: 'date' } : KEYWORD;
    case 'enum':
    case 'literal':
    case 'union':
    default:
      return KEYWORD;
  }
}
