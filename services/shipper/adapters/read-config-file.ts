import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { HangwatchError } from '../../../shared/errors.js';

// The configuration file: JSON when it ends in .json, YAML otherwise (YAML is a superset of JSON anyway).

export async function readConfigDocument(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new HangwatchError('HW_INPUT_UNREADABLE', [path, (error as NodeJS.ErrnoException).code ?? String(error)], { cause: error });
  }
  try {
    return path.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (error) {
    throw new HangwatchError('HW_CONFIG_INVALID', [`  - ${path}: ${(error as Error).message}`], { cause: error });
  }
}
