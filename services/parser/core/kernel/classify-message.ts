import rules from '../../../../grammars/generated/kernel-message.js';
import { runGrammar } from '../../../../grammars/run-grammar.js';
import { ParseFailure } from '../parse-failure.js';
import { OTHER_MESSAGE, type KernelMessage } from './message-shape.js';

export interface Classified {
  readonly message: KernelMessage;
  /** A known message head with a body the grammar does not know (the kernel reworded it): kept as `other`. */
  readonly unrecognized: boolean;
}

export function classifyKernelMessage(text: string): Classified {
  try {
    return { message: runGrammar<KernelMessage>('kernel-message', rules, text), unrecognized: false };
  } catch (error) {
    // Only "no match" falls back; an ambiguous parse is a grammar bug and must reach the dead letters.
    if (error instanceof ParseFailure && error.code === 'HW_PARSE_NO_MATCH') return { message: OTHER_MESSAGE, unrecognized: true };
    throw error;
  }
}
