import type { DeadLetter } from '../../shared/schema/deadletter.js';
import type { EcsEvent } from '../../shared/schema/event.js';
import { buildDeadLetter } from '../../shared/deadletter.js';
import { HangwatchError } from '../../shared/errors.js';
import { readFile } from 'node:fs/promises';
import type { ParseOptions } from '../../services/parser/core/event-draft.js';
import { parseRecord, SourceStates } from '../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../services/parser/core/registry.js';
import { hostFromPath } from '../../services/parser/core/host-from-path.js';
import { readFileRecords } from '../../services/parser/adapters/read-file-records.js';
import { isArtefactFormat, readArtefactRecords } from '../../services/parser/adapters/read-artefact-records.js';
import type { Progress } from '../io/progress.js';
import type { CollectedFile } from './collect-files.js';

// Parses every collected file with the same cores as the parser service. A file of unknown format is not
// skipped silently: it becomes one dead letter naming it (with its first 64 KiB), and the run goes on.
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
}

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
    if (!file.format) {
      const head = (await readFile(file.path)).subarray(0, 64 * 1024);
      const error = new HangwatchError('HW_PARSE_UNKNOWN_FORMAT', [`cannot detect the format of ${file.path}`]);
      deadletters.push(buildDeadLetter({ stage: 'parse', error, original: head, source: { hostName: host, path: file.path, offset: 0 }, at: created }));
      report.deadletters++;
      progress.advance(file.size);
      continue;
    }
    let consumed = 0;
    // Binary guest artefacts (EVTX, dump headers) have their own readers; their records are not file bytes in order.
    const artefact = isArtefactFormat(file.format);
    const records = artefact
      ? readArtefactRecords({ path: file.path, host, created, format: file.format })
      : readFileRecords({ path: file.path, host, format: file.format, maxRecordBytes: options.maxRecordBytes, created });
    for await (const record of records) {
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

/** Indices of the files in parse order: the ones with dated records first, the year-less ones after; stable. */
export function datedFirst(files: readonly CollectedFile[]): number[] {
  const indices = files.map((_, i) => i);
  return [...indices.filter((i) => files[i]?.yearLess !== true), ...indices.filter((i) => files[i]?.yearLess === true)];
}
