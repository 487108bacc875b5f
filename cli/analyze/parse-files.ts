import type { DeadLetter } from '../../shared/schema/deadletter.js';
import type { EcsEvent } from '../../shared/schema/event.js';
import { buildDeadLetter, DEADLETTER_MAX_ORIGINAL_BYTES } from '../../shared/deadletter.js';
import { HangwatchError } from '../../shared/errors.js';
import { open } from 'node:fs/promises';
import type { ParseOptions } from '../../services/parser/core/event-draft.js';
import { parseRecord, SourceStates } from '../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../services/parser/core/registry.js';
import { hostFromPath } from '../../services/parser/core/host-from-path.js';
import { readFileRecords } from '../../services/parser/adapters/read-file-records.js';
import { isArtefactFormat, readArtefactRecords } from '../../services/parser/adapters/read-artefact-records.js';
import type { Progress } from '../io/progress.js';
import type { CollectedFile } from './collect-files.js';

// Parses every collected file with the same cores as the parser service. A file of unknown format is not
// skipped silently: it becomes one dead letter naming it (with its first 64 KiB, read without the rest: a 1 GiB
// file of no known format was read whole, 1.16 GB of memory, and 3 GiB failed with ERR_FS_FILE_TOO_LARGE), and the
// run goes on. So does a file that cannot be read, or whose reader fails part way (it was removed, a disk error):
// its records so far are kept, the failure is one more dead letter naming the file and the offset reached, and
// the other files are analysed as if it were not there.
// Year-less syslog stamps take their year from the same host's dated records (DESIGN.md section 6), so the files
// whose records carry full dates (libvirtd, qemu, iostat, EVTX, event XML, ISO and journal-export kernel logs) are
// parsed first, and kern.log / messages after them: a collection copied with fresh modification times (`cp`
// without -p, a git checkout, an untarred archive) then dates its kernel lines as the original does. Everything
// else is reported in collection order, as before.

export interface FileReport {
  readonly path: string;
  readonly format: string;
  readonly host: string;
  events: number;
  deadletters: number;
  /** It could not be read, or not to its end. */
  unreadable?: true;
}

/** What a dead letter keeps of a file it names: one byte more than a dead letter holds, so it says `truncated`. */
const HEAD_BYTES = DEADLETTER_MAX_ORIGINAL_BYTES + 1;

export interface ParsedCollection {
  readonly events: EcsEvent[];
  readonly deadletters: DeadLetter[];
  readonly files: FileReport[];
}

export async function parseCollectedFiles(
  files: readonly CollectedFile[],
  options: ParseOptions,
  created: string,
  defaultHost: string,
  progress: Progress,
): Promise<ParsedCollection> {
  const states = new SourceStates();
  const outcomes: Array<{ events: EcsEvent[]; deadletters: DeadLetter[]; report: FileReport }> = [];
  for (const index of datedFirst(files)) {
    const file = files[index] as CollectedFile;
    const host = hostFromPath(file.path) ?? defaultHost;
    const report: FileReport = { path: file.path, format: file.format ?? 'unknown', host, events: 0, deadletters: 0 };
    const events: EcsEvent[] = [];
    const deadletters: DeadLetter[] = [];
    outcomes[index] = { events, deadletters, report };
    const fail = (error: unknown, original: Buffer, offset: number): void => {
      deadletters.push(buildDeadLetter({ stage: 'parse', error, original, source: { hostName: host, path: file.path, offset }, at: created }));
      report.deadletters++;
    };
    if (file.unreadable !== undefined) {
      fail(new HangwatchError('HW_INPUT_UNREADABLE', [file.path, file.unreadable]), Buffer.alloc(0), 0);
      report.unreadable = true;
      continue;
    }
    if (!file.format) {
      try {
        const head = await readHead(file.path);
        fail(new HangwatchError('HW_PARSE_UNKNOWN_FORMAT', [`cannot detect the format of ${file.path} (${file.size} bytes; its first 64 KiB kept)`]), head, 0);
      } catch (error) {
        fail(fileError(file.path, error), Buffer.alloc(0), 0);
        report.unreadable = true;
      }
      progress.advance(file.size);
      continue;
    }
    let consumed = 0;
    let offset = 0;
    // Binary guest artefacts (EVTX, dump headers) have their own readers; their records are not file bytes in order.
    const artefact = isArtefactFormat(file.format);
    try {
      const records = artefact
        ? readArtefactRecords({ path: file.path, host, created, format: file.format })
        : readFileRecords({ path: file.path, host, format: file.format, maxRecordBytes: options.maxRecordBytes, created });
      for await (const record of records) {
        offset = record.offset;
        const outcome = parseRecord(record, FORMAT_PARSERS, states, options);
        for (const e of outcome.events) events.push(e);
        for (const d of outcome.deadletters) deadletters.push(d);
        report.events += outcome.events.length;
        report.deadletters += outcome.deadletters.length;
        if (artefact) continue; // progress for an artefact is its file size, counted once below
        const size = record.oversize?.length ?? record.bytes.length;
        consumed += size + 1;
        progress.advance(size + 1);
      }
    } catch (error) {
      fail(fileError(file.path, error), Buffer.alloc(0), offset);
      report.unreadable = true;
    }
    if (consumed < file.size) progress.advance(file.size - consumed);
  }
  const events: EcsEvent[] = [];
  const deadletters: DeadLetter[] = [];
  for (const outcome of outcomes) {
    for (const e of outcome.events) events.push(e);
    for (const d of outcome.deadletters) deadletters.push(d);
  }
  return { events, deadletters, files: outcomes.map((o) => o.report) };
}

/** The first bytes of a file, without reading the rest. */
async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** A reader's failure as the catalogue's error: the system's (an errno code) is unreadable input, else internal. */
function fileError(path: string, error: unknown): HangwatchError {
  if (error instanceof HangwatchError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return new HangwatchError('HW_INPUT_UNREADABLE', [path, code], { cause: error });
  return new HangwatchError('HW_INTERNAL', [`${path}: ${error instanceof Error ? error.message : String(error)}`], { cause: error });
}

/** Indices of the files in parse order: the ones with dated records first, the year-less ones after; stable. */
export function datedFirst(files: readonly CollectedFile[]): number[] {
  const indices = files.map((_, i) => i);
  return [...indices.filter((i) => files[i]?.yearLess !== true), ...indices.filter((i) => files[i]?.yearLess === true)];
}
