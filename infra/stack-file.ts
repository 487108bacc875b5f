import { writeFile } from 'node:fs/promises';
import { readOptional } from './pid-file.js';

// <stack home>/stack.json: where the running stack answers, written by `up`, read by `status` and with-stack,
// so they find the stack even when the HANGWATCH_STACK_* ports of the caller differ from the ones used at `up`.

export interface StackFile {
  readonly kafkaPort: number;
  readonly kafkaControllerPort: number;
  readonly esPort: number;
  readonly esTransportPort: number;
}

export function parseStackFile(text: string | undefined): StackFile | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<Record<keyof StackFile, unknown>>;
    const ports = [value.kafkaPort, value.kafkaControllerPort, value.esPort, value.esTransportPort];
    if (!ports.every((p) => typeof p === 'number' && Number.isInteger(p) && p > 0 && p < 65536)) return undefined;
    return value as StackFile;
  } catch {
    return undefined;
  }
}

export async function readStackFile(path: string): Promise<StackFile | undefined> {
  return parseStackFile(await readOptional(path));
}

export async function writeStackFile(path: string, file: StackFile): Promise<void> {
  await writeFile(path, `${JSON.stringify(file, null, 2)}\n`);
}
