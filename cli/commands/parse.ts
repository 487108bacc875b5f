import { hostname } from 'node:os';
import { parseCommandArgs } from '../args.js';
import { IOSTAT_INTERVAL_HELP, readIostatIntervalMs } from '../iostat-interval-option.js';
import { BatchedNdjsonWriter } from '../io/batched-ndjson-writer.js';
import { HangwatchError } from '../../shared/errors.js';
import { FORMATS, type Format } from '../../shared/vocabulary.js';
import { parseInstant, parseZone } from '../../shared/time.js';
import { FORMAT_PARSERS } from '../../services/parser/core/registry.js';
import { parseRecord, SourceStates } from '../../services/parser/core/parse-record.js';
import { readStreamRecords } from '../../services/parser/adapters/read-file-records.js';
import { readSourceRecords } from '../../services/parser/adapters/read-source-records.js';
import { isArtefactFormat } from '../../services/parser/adapters/read-artefact-records.js';
import { hostFromPath } from '../../services/parser/core/host-from-path.js';

const HELP = `Usage: hangwatch parse --format FORMAT [--host NAME] [--tz ZONE] [--guest-tz ZONE] [--year-reference TIME] [--iostat-interval SECONDS] [--deadletter FILE] [FILE...]

Parses log records into normalized ECS events, one JSON document per line on stdout.
Reads standard input when no FILE is given (text formats only: an .evtx or .dmp is read from a FILE).
Binary guest artefacts (.evtx event logs, .dmp crash dumps, by --format, path or magic bytes) are read with the
same readers as \`hangwatch analyze\`: one event per EVTX record, the dump's header as one event.

Options:
  --format FORMAT     ${FORMATS.join(' | ')} | auto (default: auto, by path then content)
  --host NAME         hypervisor host the records belong to (default: from a <host>/var/log/... path, else this machine)
  --tz ZONE           zone of host records without an offset (kernel syslog): IANA name or +HH:MM (default UTC)
  --guest-tz ZONE     zone of guest records written in local time (EventLog 6008, WinDbg without offset)
  --year-reference TIME  reference instant for syslog lines without a year (ISO 8601), instead of the host's
                      dated records or the file's modification time
${IOSTAT_INTERVAL_HELP}
  --deadletter FILE   write dead letters (records that could not be parsed) to FILE instead of stderr
  --max-record-bytes N  records larger than this are dead letters (default 16777216)

The last line on stderr is always: parsed=<events> deadletter=<dead letters>
Exit status: 0 when the input was read (even with dead letters), 1 when a file could not be read, 2 on bad usage.
`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    {
      format: { type: 'string', default: 'auto' },
      host: { type: 'string' },
      tz: { type: 'string' },
      'guest-tz': { type: 'string' },
      deadletter: { type: 'string' },
      'year-reference': { type: 'string' },
      'iostat-interval': { type: 'string' },
      'max-record-bytes': { type: 'string', default: String(16 << 20) },
    },
    HELP,
  );
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const format = String(args.values.format);
  if (format !== 'auto' && !(FORMATS as readonly string[]).includes(format)) throw new HangwatchError('HW_USAGE', [`unknown --format ${format}\n\n${HELP}`]);
  const maxRecordBytes = Number(args.values['max-record-bytes']);
  if (!Number.isInteger(maxRecordBytes) || maxRecordBytes <= 0) throw new HangwatchError('HW_USAGE', ['--max-record-bytes must be a positive whole number']);
  const yearReferenceMs = args.values['year-reference'] ? parseInstant(String(args.values['year-reference'])) : undefined;
  const iostatIntervalMs = readIostatIntervalMs(args.values['iostat-interval']);
  if (args.positionals.length === 0 && isArtefactFormat(format as Format)) {
    throw new HangwatchError('HW_USAGE', [`--format ${format} reads a file, not standard input: give the file's path`]);
  }
  const options = {
    maxRecordBytes,
    ...(yearReferenceMs !== undefined ? { yearReferenceMs } : {}),
    ...(iostatIntervalMs !== undefined ? { iostatIntervalMs } : {}),
    validate: false,
    ...(args.values.tz ? { hostZone: parseZone(String(args.values.tz)) } : {}),
    ...(args.values['guest-tz'] ? { guestZone: parseZone(String(args.values['guest-tz'])) } : {}),
  };
  // Batched: a run of invalid lines is one dead letter per line, and one stream write each was ~10% of it.
  const out = BatchedNdjsonWriter.toStream(process.stdout);
  const dead = args.values.deadletter ? BatchedNdjsonWriter.toFile(String(args.values.deadletter)) : BatchedNdjsonWriter.toStream(process.stderr);
  const states = new SourceStates();
  const created = new Date().toISOString();
  let parsed = 0;
  let deadletters = 0;
  let exitCode = 0;
  const sources = args.positionals.length > 0 ? args.positionals : ['-'];
  for (const path of sources) {
    const host = args.values.host ? String(args.values.host) : (hostFromPath(path) ?? hostname());
    const source = { path: path === '-' ? '<stdin>' : path, host, format: format as Format | 'auto', maxRecordBytes, created };
    try {
      const records = path === '-' ? readStreamRecords(process.stdin, { ...source, fingerprint: `stdin-${created}` }) : readSourceRecords(source);
      for await (const record of records) {
        const outcome = parseRecord(record, FORMAT_PARSERS, states, options);
        for (const event of outcome.events) {
          const full = out.write(event);
          if (full) await full;
        }
        for (const letter of outcome.deadletters) {
          const full = dead.write(letter);
          if (full) await full;
        }
        parsed += outcome.events.length;
        deadletters += outcome.deadletters.length;
      }
    } catch (error) {
      if (!(error instanceof HangwatchError) || error.code !== 'HW_INPUT_UNREADABLE') throw error;
      process.stderr.write(`hangwatch parse: ${error.message}\n`);
      exitCode = 1;
    }
  }
  await out.close();
  await dead.close();
  process.stderr.write(`parsed=${parsed} deadletter=${deadletters}\n`);
  return exitCode;
}
