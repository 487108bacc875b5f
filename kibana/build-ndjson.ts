import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildSavedObjects, toNdjson, type BuildOptions } from './src/build-objects.js';
import { loadSources } from './src/load-sources.js';

// Writes kibana/dist/hangwatch.ndjson from kibana/objects/. The built file is committed (a test keeps it equal
// to a fresh build), so it can be imported by hand: Stack Management > Saved objects > Import.
// Run: node --import tsx kibana/build-ndjson.ts [OUT]   (or: hangwatch kibana build)

export const DIST_FILE = join(import.meta.dirname, 'dist', 'hangwatch.ndjson');

export function buildNdjson(options: BuildOptions = {}): { ndjson: string; count: number } {
  const objects = buildSavedObjects(loadSources(), options);
  return { ndjson: toNdjson(objects), count: objects.length };
}

export function writeNdjson(out: string, options: BuildOptions = {}): number {
  const { ndjson, count } = buildNdjson(options);
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, ndjson);
  renameSync(tmp, out); // no half-written file for a concurrent reader
  return count;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const out = process.argv[2] ?? DIST_FILE;
  const count = writeNdjson(out);
  process.stderr.write(`kibana: wrote ${count} saved objects to ${out}\n`);
}
