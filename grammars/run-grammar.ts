import nearley from 'nearley';
import { ParseFailure } from '../services/parser/core/parse-failure.js';

// Runs a compiled nearley grammar over one input (pgsql-ast-parser's habit): a new Parser per input from a
// cached compiled grammar, exactly one result required (ambiguity is a grammar bug and dead-letters), and
// nearley's long error rewritten into a short list of expected tokens.

const compiledCache = new WeakMap<object, nearley.Grammar>();

export function compileGrammar(rules: nearley.CompiledRules): nearley.Grammar {
  let grammar = compiledCache.get(rules);
  if (!grammar) {
    grammar = nearley.Grammar.fromCompiled(rules);
    compiledCache.set(rules, grammar);
  }
  return grammar;
}

export function runGrammar<T>(name: string, rules: nearley.CompiledRules, input: string): T {
  const parser = new nearley.Parser(compileGrammar(rules));
  try {
    parser.feed(input);
  } catch (error) {
    throw new ParseFailure('HW_PARSE_NO_MATCH', name, shortReason(error), expectedTokens(error));
  }
  const results = parser.results as T[];
  if (results.length === 0) throw new ParseFailure('HW_PARSE_NO_MATCH', name, `${name}: unexpected end of input`, []);
  if (results.length > 1) throw new ParseFailure('HW_PARSE_AMBIGUOUS', name, String(results.length));
  return results[0] as T;
}

function shortReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n')[0] ?? message;
  return first.slice(0, 300);
}

/** Pulls "A X based on:" lines out of nearley's error text: the token types it would have accepted. */
export function expectedTokens(error: unknown): string[] {
  const message = error instanceof Error ? error.message : String(error);
  const out = new Set<string>();
  for (const m of message.matchAll(/^A (.+?) based on:/gm)) {
    if (m[1]) out.add(m[1].replace(/^"(.*)"$/, '$1'));
    if (out.size >= 12) break;
  }
  return [...out];
}
