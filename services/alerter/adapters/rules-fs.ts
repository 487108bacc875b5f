import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { HangwatchError } from '../../../shared/errors.js';
import type { Rule } from '../core/rule.js';
import { RuleInvalidError, checkUniqueRuleIds, parseRulesText, type RuleProblem } from '../core/rule-parse.js';

// Reads every rules/*.yml (and *.yaml) of a folder, in name order so listings and ids are stable, and
// validates them all before failing, so one run of `hangwatch alerts check` shows every problem.

export function loadRules(dir: string): Rule[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (error) {
    throw new HangwatchError('HW_INPUT_UNREADABLE', [dir, (error as NodeJS.ErrnoException).code ?? String(error)], { cause: error });
  }
  const rules: Rule[] = [];
  const problems: RuleProblem[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const shown = displayPath(path);
    try {
      rules.push(...parseRulesText(readFileSync(path, 'utf8'), shown));
    } catch (error) {
      if (error instanceof RuleInvalidError) problems.push(...error.problems);
      else throw new HangwatchError('HW_INPUT_UNREADABLE', [shown, (error as Error).message], { cause: error });
    }
  }
  if (problems.length > 0) throw new RuleInvalidError(problems);
  checkUniqueRuleIds(rules);
  return rules;
}

/** Paths relative to the working directory when below it: what a person types and an editor opens. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}
