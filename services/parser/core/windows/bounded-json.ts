import { ParseFailure } from '../parse-failure.js';

// JSON.parse with limits checked first, in one pass over the text: nesting depth (a deeply nested document can
// exhaust the stack of whatever walks it later) and member count (a record with millions of keys would become
// an event of millions of fields). Malformed JSON is HW_JSON_MALFORMED; over the limits HW_RECORD_INVALID.

export interface JsonLimits {
  readonly maxDepth: number;
  readonly maxMembers: number;
}

export const DEFAULT_JSON_LIMITS: JsonLimits = { maxDepth: 20, maxMembers: 5_000 };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;

export function parseBoundedJson(text: string, grammar: string, limits: JsonLimits = DEFAULT_JSON_LIMITS): unknown {
  let depth = 0;
  let members = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > limits.maxDepth) throw new ParseFailure('HW_RECORD_INVALID', grammar, `JSON nested deeper than ${limits.maxDepth} levels`);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
    else if (c === COLON && ++members > limits.maxMembers) {
      throw new ParseFailure('HW_RECORD_INVALID', grammar, `JSON with more than ${limits.maxMembers} members`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ParseFailure('HW_JSON_MALFORMED', grammar, message.slice(0, 200), [], error);
  }
}
