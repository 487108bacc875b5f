import type { Bugcheck } from '../../../../shared/schema/event.js';
import { runGrammar } from '../../../../grammars/run-grammar.js';
import werGrammar from '../../../../grammars/generated/wer-1001.js';
import { buildBugcheck } from '../bugcheck.js';

// WER 1001 (BugCheck): the bugcheck code and parameters out of `param1` or the message, whatever the language
// of the prose around them (grammars/wer-1001.ne).

interface WerBugcheckParse {
  readonly code: string;
  readonly parameters: string[];
}

export const WER_GRAMMAR = 'wer-1001';

/** Throws ParseFailure (with expected tokens) when the text holds no `0xCODE (0xP1, ...)`. */
export function parseWerBugcheck(text: string): Bugcheck | undefined {
  const parsed = runGrammar<WerBugcheckParse>(WER_GRAMMAR, werGrammar, text);
  return buildBugcheck(parsed.code, parsed.parameters);
}
