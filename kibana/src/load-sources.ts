import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { HangwatchError } from '../../shared/errors.js';
import type { ObjectSource } from './source-types.js';
import { TYPE_MIGRATION_VERSIONS } from './versions.js';

// Reads kibana/objects/<type>/<id>.json. The folder and file name must match the object's type and id, so
// a reader finds an object by its id and a copied file cannot silently shadow another.

export const OBJECTS_DIR = join(import.meta.dirname, '..', 'objects');

export function loadSources(dir: string = OBJECTS_DIR): ObjectSource[] {
  const sources: ObjectSource[] = [];
  for (const type of readdirSync(dir).sort()) {
    if (!(type in TYPE_MIGRATION_VERSIONS)) throw new HangwatchError('HW_RECORD_INVALID', [`${join(dir, type)}: not a saved object type this build knows`]);
    for (const file of readdirSync(join(dir, type)).filter((f) => f.endsWith('.json')).sort()) {
      const path = join(dir, type, file);
      let source: ObjectSource;
      try {
        source = JSON.parse(readFileSync(path, 'utf8')) as ObjectSource;
      } catch (error) {
        throw new HangwatchError('HW_INPUT_UNREADABLE', [path, (error as Error).message], { cause: error });
      }
      if (source.type !== type || `${source.id}.json` !== basename(file)) {
        throw new HangwatchError('HW_RECORD_INVALID', [`${path}: type/id ${source.type}/${source.id} does not match its path`]);
      }
      sources.push(source);
    }
  }
  return sources;
}
