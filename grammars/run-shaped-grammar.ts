import nearley from 'nearley';
import type { Lexer, Token } from 'moo';
import { ParseFailure } from '../services/parser/core/parse-failure.js';
import { compileGrammar, expectedTokens } from './run-grammar.js';

// Hot-path runner for grammars whose terminals are token *types* only (no literal matching): the parse of a
// line then depends only on its sequence of token types, its "shape". A log file has a handful of shapes, so
// nearley runs once per shape and the result is kept as a plan (where each token lands in the structure);
// every later line of that shape is lexed by moo and the plan is applied. Measured on libvirtd lines: nearley
// per line ~6 us (161k lines/s), lexing ~0.7 us (1.4M lines/s). Same results, same errors (a failing shape
// is cached with its expected tokens), ambiguity still rejected the first time a shape is seen.

type Structure = Token | null | undefined | string | number | boolean | Structure[] | { [key: string]: Structure };
type Plan = { kind: 'ok'; template: unknown } | { kind: 'fail'; reason: string; expected: string[]; ambiguous?: number };

const MAX_SHAPES = 4096;
/**
 * The most tokens a line may have. nearley's chart grows with the tokens of an ambiguous prefix: one iostat line
 * of 16 KiB `a a a ...` (8k tokens) took 2 s and 400 MB, 64 KiB ran out of memory. Real lines have at most ~100
 * (the widest fixture: an iostat JSON row, 92); a longer one is no line of these grammars.
 */
export const MAX_LINE_TOKENS = 1024;
const plans = new WeakMap<nearley.CompiledRules, Map<string, Plan>>();

/** Marker standing for "the i-th token" inside a cached template. */
class TokenSlot {
  constructor(readonly index: number) {}
}

export function runShapedGrammar<T>(name: string, rules: nearley.CompiledRules, lexer: Lexer, input: string): T {
  const tokens: Token[] = [];
  try {
    lexer.reset(input);
    for (let t = lexer.next(); t !== undefined; t = lexer.next()) {
      if (tokens.length === MAX_LINE_TOKENS) throw new ParseFailure('HW_PARSE_NO_MATCH', name, `a line of more than ${MAX_LINE_TOKENS} tokens`, []);
      tokens.push(t);
    }
  } catch (error) {
    if (error instanceof ParseFailure) throw error;
    throw new ParseFailure('HW_PARSE_NO_MATCH', name, firstLine(error), []);
  }
  let shapes = plans.get(rules);
  if (!shapes) {
    shapes = new Map();
    plans.set(rules, shapes);
  }
  let key = '';
  for (const t of tokens) key += `${t.type}\u0001`;
  let plan = shapes.get(key);
  if (!plan) {
    plan = planShape(rules, lexer, tokens);
    if (shapes.size < MAX_SHAPES) shapes.set(key, plan);
  }
  if (plan.kind === 'fail') {
    if (plan.ambiguous) throw new ParseFailure('HW_PARSE_AMBIGUOUS', name, String(plan.ambiguous));
    throw new ParseFailure('HW_PARSE_NO_MATCH', name, plan.reason, plan.expected);
  }
  return fill(plan.template, tokens) as T;
}

function planShape(rules: nearley.CompiledRules, lexer: Lexer, tokens: readonly Token[]): Plan {
  const parser = new nearley.Parser(compileGrammar(rules), { lexer: replayLexer(lexer, tokens) } as nearley.ParserOptions);
  try {
    parser.feed('');
  } catch (error) {
    return { kind: 'fail', reason: firstLine(error), expected: expectedTokens(error) };
  }
  const results = parser.results as Structure[];
  if (results.length === 0) return { kind: 'fail', reason: 'unexpected end of input', expected: [] };
  if (results.length > 1) return { kind: 'fail', reason: 'ambiguous', expected: [], ambiguous: results.length };
  const index = new Map<Token, number>();
  tokens.forEach((t, i) => index.set(t, i));
  return { kind: 'ok', template: toTemplate(results[0], index) };
}

function toTemplate(value: Structure, index: ReadonlyMap<Token, number>): unknown {
  if (value === null || typeof value !== 'object') return value;
  const at = index.get(value as Token);
  if (at !== undefined) return new TokenSlot(at);
  if (Array.isArray(value)) return value.map((v) => toTemplate(v, index));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = toTemplate(v as Structure, index);
  return out;
}

function fill(template: unknown, tokens: readonly Token[]): unknown {
  if (template === null || typeof template !== 'object') return template;
  if (template instanceof TokenSlot) return tokens[template.index];
  if (Array.isArray(template)) return template.map((v) => fill(v, tokens));
  const out: Record<string, unknown> = {};
  for (const k in template as Record<string, unknown>) out[k] = fill((template as Record<string, unknown>)[k], tokens);
  return out;
}

/** A lexer that replays tokens already produced, so nearley sees exactly what the cache key describes. */
function replayLexer(lexer: Lexer, tokens: readonly Token[]): unknown {
  let i = 0;
  return {
    reset: () => undefined,
    next: () => tokens[i++],
    save: () => ({}),
    formatError: (token: Token, message: string) => (token ? `${message} at token ${i} (${token.type})` : `${message} at end of input`),
    has: (type: string) => (lexer as unknown as { has(t: string): boolean }).has(type),
  };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? message).slice(0, 300);
}
