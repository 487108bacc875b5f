import rules from '../../../../grammars/generated/kernel-message.js';
import { kernelMessageLexer } from '../../../../grammars/lexers/kernel-message.js';
import { runShapedGrammar } from '../../../../grammars/run-shaped-grammar.js';
import { ParseFailure } from '../parse-failure.js';
import { buildKernelMessage, OTHER_MESSAGE, type KernelMessage, type PlacedMessage } from './message-shape.js';

export interface Classified {
  readonly message: KernelMessage;
  /** A known message head with a body the grammar does not know (the kernel reworded it): kept as `other`. */
  readonly unrecognized: boolean;
}

const OTHER: Classified = { message: OTHER_MESSAGE, unrecognized: false };

export function classifyKernelMessage(text: string): Classified {
  // Most kernel lines start with no known head: the lexer's first token is then the whole-message `text`,
  // which the grammar maps to `other` anyway. Deciding that from one token skips a nearley parser per line
  // (bench/kernel-grammar.ts: about a third of the per-line cost).
  kernelMessageLexer.reset(text);
  const first = kernelMessageLexer.next();
  if (first === undefined || first.type === 'text') return OTHER;
  try {
    return { message: buildKernelMessage(runShapedGrammar<PlacedMessage>('kernel-message', rules, kernelMessageLexer, text)), unrecognized: false };
  } catch (error) {
    // Only "no match" falls back; an ambiguous parse is a grammar bug and must reach the dead letters.
    if (error instanceof ParseFailure && error.code === 'HW_PARSE_NO_MATCH') return { message: OTHER_MESSAGE, unrecognized: true };
    throw error;
  }
}
