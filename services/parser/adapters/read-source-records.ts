import { open } from 'node:fs/promises';
import type { RawRecord } from '../../../shared/raw-record.js';
import type { Format } from '../../../shared/vocabulary.js';
import { HangwatchError } from '../../../shared/errors.js';
import { detectFormatByMagic, detectFormatByPath } from '../core/detect-format.js';
import { isArtefactFormat, readArtefactRecords } from './read-artefact-records.js';
import { readFileRecords, type FileSource } from './read-file-records.js';

// One entry point for reading a file as raw records, whatever it holds: `hangwatch parse` and `hangwatch analyze`
// both call it, so an .evtx or .dmp given to either goes through the binary artefact readers (EVTX records as event
// XML, a dump as its header) and a text log through the line framer. Splitting a binary file into "lines" gave
// thousands of dead letters and no event.

/** Decides which reader a file needs: the declared format, else its path, else its first bytes. */
export async function resolveReadFormat(path: string, declared: Format | 'auto'): Promise<Format | 'auto'> {
  if (declared !== 'auto') return declared;
  const byPath = detectFormatByPath(path);
  if (byPath !== undefined) return isArtefactFormat(byPath) ? byPath : 'auto';
  return (await sniffArtefactMagic(path)) ?? 'auto';
}

export async function* readSourceRecords(source: FileSource): AsyncGenerator<RawRecord> {
  const format = await resolveReadFormat(source.path, source.format);
  if (isArtefactFormat(format)) {
    yield* readArtefactRecords({ path: source.path, host: source.host, created: source.created, format });
    return;
  }
  yield* readFileRecords({ ...source, format: source.format });
}

async function sniffArtefactMagic(path: string): Promise<'evtx' | 'dump' | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new HangwatchError('HW_INPUT_UNREADABLE', [path, (error as NodeJS.ErrnoException).code ?? String(error)], { cause: error });
  }
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await handle.read(head, 0, 8, 0);
    const magic = detectFormatByMagic(head.subarray(0, bytesRead));
    return magic === 'evtx' || magic === 'dump' ? magic : undefined;
  } finally {
    await handle.close();
  }
}
