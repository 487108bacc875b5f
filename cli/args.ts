import { parseArgs, type ParseArgsConfig } from 'node:util';
import { HangwatchError } from '../shared/errors.js';

// Thin wrapper over node:util parseArgs: bad flags become HW_USAGE with the command's help attached.

export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  help: string,
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[]; help: boolean } {
  try {
    const parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { values: parsed.values as Record<string, string | boolean | string[] | undefined>, positionals: parsed.positionals, help: (parsed.values as Record<string, unknown>).help === true };
  } catch (error) {
    throw new HangwatchError('HW_USAGE', [`${(error as Error).message}\n\n${help}`]);
  }
}
