import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { NdjsonWriter } from '../io/ndjson-writer.js';

// The analyze output folder: the same documents the streaming pipeline indexes, one file per kind
// (DESIGN.md section 5), readable by `hangwatch timeline --source DIR`.

export const OUTPUT_FILES = {
  events: 'events.ndjson',
  incidents: 'incidents.ndjson',
  alerts: 'alerts.ndjson',
  deadletter: 'deadletter.ndjson',
} as const;

export async function writeNdjsonFile(dir: string, name: string, docs: Iterable<unknown>): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  const writer = NdjsonWriter.toFile(path);
  for (const doc of docs) await writer.write(doc);
  await writer.close();
  return path;
}
