import { HangwatchError, type ErrorCode } from '../../../shared/errors.js';

/** Thrown by format parsers: becomes a dead letter with the grammar's expected tokens. */
export class ParseFailure extends HangwatchError {
  readonly expected: readonly string[];
  readonly grammar: string;
  constructor(code: ErrorCode, grammar: string, detail: string, expected: readonly string[] = [], cause?: unknown) {
    super(code, [detail], cause === undefined ? undefined : { cause });
    this.name = 'ParseFailure';
    this.grammar = grammar;
    this.expected = expected;
  }
}
