import { ParseFailure } from '../parse-failure.js';

// JSON.parse, then limits checked by an iterative walk (no recursion, so the check itself cannot overflow the
// stack): nesting depth (a deeply nested document would exhaust the stack of whatever walks it later) and
// member count (a record with thousands of keys would become an event with thousands of fields). V8's
// JSON.parse is not recursive, and the record's size is already bounded by maxRecordBytes. Malformed JSON is
// HW_JSON_MALFORMED; over the limits HW_RECORD_INVALID. (A char-by-char pre-scan in JS measured ~17 us per
// 1 KB document, more than everything else in the Winlogbeat path together.)

export interface JsonLimits {
  readonly maxDepth: number;
  readonly maxMembers: number;
}

export const DEFAULT_JSON_LIMITS: JsonLimits = { maxDepth: 20, maxMembers: 5_000 };

function assertWithinLimits(root: unknown, grammar: string, limits: JsonLimits): void {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 0 }];
  let members = 0;
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    if (typeof value !== 'object' || value === null) continue;
    if (depth + 1 > limits.maxDepth) throw new ParseFailure('HW_RECORD_INVALID', grammar, `JSON nested deeper than ${limits.maxDepth} levels`);
    const children = Array.isArray(value) ? value : Object.values(value);
    members += children.length;
    if (members > limits.maxMembers) throw new ParseFailure('HW_RECORD_INVALID', grammar, `JSON with more than ${limits.maxMembers} members`);
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
  }
}

export function parseBoundedJson(text: string, grammar: string, limits: JsonLimits = DEFAULT_JSON_LIMITS): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ParseFailure('HW_JSON_MALFORMED', grammar, message.slice(0, 200), [], error);
  }
  assertWithinLimits(value, grammar, limits);
  return value;
}
