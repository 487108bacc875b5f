import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { HangwatchError } from '../../../shared/errors.js';

// Reads an NDJSON file line by line (never the whole file at once). A line that is not JSON stops the export
// with its line number: a timeline that skipped records would mislead the postmortem.

export async function* readNdjson(path: string): AsyncGenerator<unknown> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '') continue;
      try {
        yield JSON.parse(line) as unknown;
      } catch (error) {
        throw new HangwatchError('HW_JSON_MALFORMED', [`${path}:${lineNumber}: ${(error as Error).message}`], { cause: error });
      }
    }
  } catch (error) {
    if (error instanceof HangwatchError) throw error;
    throw new HangwatchError('HW_INPUT_UNREADABLE', [path, (error as NodeJS.ErrnoException).code ?? (error as Error).message], { cause: error });
  } finally {
    lines.close();
    stream.destroy();
  }
}
