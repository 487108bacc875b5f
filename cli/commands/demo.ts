import { HangwatchError } from '../../shared/errors.js';

// Placeholder until this command lands; the CLI lists it so its help stays in one place.
export async function run(_argv: string[]): Promise<number> {
  throw new HangwatchError('HW_USAGE', ['hangwatch demo is not available in this build yet']);
}
