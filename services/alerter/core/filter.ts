import type { Filter, Scalar } from './rule.js';
import { readPath } from './field-path.js';

// Filter semantics follow a search engine's: a field holding an array matches `equals`/`in` when any element
// does, `not_contains` when no element does; an absent field contains nothing, so `not_contains` holds.

export function matchesAll(doc: unknown, filters: readonly Filter[]): boolean {
  return filters.every((filter) => matchesFilter(doc, filter));
}

export function matchesFilter(doc: unknown, filter: Filter): boolean {
  const value = readPath(doc, filter.field);
  const values = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
  switch (filter.op) {
    case 'exists':
      return (values.length > 0) === filter.exists;
    case 'equals':
      return values.some((v) => sameScalar(v, filter.value));
    case 'in':
      return values.some((v) => filter.values.some((allowed) => sameScalar(v, allowed)));
    case 'not_contains':
      if (typeof value === 'string') return !value.includes(String(filter.value));
      return !values.some((v) => sameScalar(v, filter.value));
  }
}

// Rule files are YAML, where `0x101` and `"0x101"` read differently; comparing as text keeps an unquoted
// number in a rule from silently never matching a string field.
function sameScalar(actual: unknown, expected: Scalar): boolean {
  if (actual === expected) return true;
  if (actual === null || typeof actual === 'object') return false;
  return String(actual) === String(expected);
}
