import { open } from 'node:fs/promises';
import type { RawRecord } from '../../../shared/raw-record.js';
import type { Format } from '../../../shared/vocabulary.js';
import { HangwatchError } from '../../../shared/errors.js';
import { FINGERPRINT_BYTES, fingerprintHead } from '../../shipper/core/fingerprint.js';
import { detectFormatByMagic } from '../core/detect-format.js';
import { readDumpHeaderRecord } from './read-dump-header.js';
import { readEvtxRecords } from './read-evtx-records.js';

// Binary guest artefacts copied off a guest disk (issue 10): EVTX files and crash dump headers. Both `hangwatch
// analyze` and the shipper's guest-artefacts input call readArtefactRecords(source) and get RawRecords like
// read-file-records.ts yields: EVTX records as event XML (damaged parts as chunk bytes), a dump as its header.

export const ARTEFACT_FORMATS: ReadonlySet<Format> = new Set<Format>(['evtx', 'dump']);

export function isArtefactFormat(format: Format | 'auto' | undefined): format is 'evtx' | 'dump' {
  return format !== undefined && format !== 'auto' && ARTEFACT_FORMATS.has(format);
}

export interface ArtefactSource {
  readonly path: string;
  /** Hypervisor host the guest belongs to (key of the raw topic). */
  readonly host: string;
  /** ISO time stamped as event.created. */
  readonly created: string;
  /** Known format, or 'auto' to decide by magic bytes. */
  readonly format?: 'evtx' | 'dump' | 'auto';
}

export async function* readArtefactRecords(source: ArtefactSource): AsyncGenerator<RawRecord> {
  let handle;
  try {
    handle = await open(source.path, 'r');
  } catch (error) {
    throw new HangwatchError('HW_INPUT_UNREADABLE', [source.path, (error as NodeJS.ErrnoException).code ?? String(error)], { cause: error });
  }
  try {
    const info = await handle.stat();
    const head = Buffer.alloc(FINGERPRINT_BYTES);
    const { bytesRead } = await handle.read(head, 0, FINGERPRINT_BYTES, 0);
    const format = source.format === undefined || source.format === 'auto' ? (detectFormatByMagic(head.subarray(0, bytesRead)) ?? 'dump') : source.format;
    const base = {
      host: source.host,
      path: source.path,
      format,
      fingerprint: fingerprintHead(head.subarray(0, bytesRead), true) ?? 'empty',
      created: source.created,
      mtime: info.mtime.toISOString(),
    };
    if (format === 'evtx') yield* readEvtxRecords(handle, info.size, base);
    else yield* readDumpHeaderRecord(handle, base, info.size);
  } catch (error) {
    if (error instanceof HangwatchError) throw error;
    throw new HangwatchError('HW_INPUT_UNREADABLE', [source.path, (error as NodeJS.ErrnoException).code ?? String(error)], { cause: error });
  } finally {
    await handle.close();
  }
}
