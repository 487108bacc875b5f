import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandArgs } from '../args.js';
import { IOSTAT_INTERVAL_HELP, readIostatIntervalMs } from '../iostat-interval-option.js';
import { HangwatchError } from '../../shared/errors.js';
import { parseInstant, parseZone } from '../../shared/time.js';
import { correlateAll } from '../../services/correlator/core/index.js';
import type { InventoryEntry } from '../../services/correlator/core/options.js';
import { evaluateRulesOffline } from '../../services/alerter/core/evaluate-offline.js';
import { loadRules } from '../../services/alerter/adapters/rules-fs.js';
import { collectFiles } from '../analyze/collect-files.js';
import { parseCollectedFiles } from '../analyze/parse-files.js';
import { formatSummary } from '../analyze/summary.js';
import { OUTPUT_FILES, writeNdjsonFile } from '../analyze/write-outputs.js';
import { createProgress } from '../io/progress.js';
import { showControls } from '../../shared/text/visible-controls.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const HELP = `Usage: hangwatch analyze [--out DIR] [--host-tz ZONE] [--guest-tz ZONE] [--inventory FILE] [--rules DIR] PATH...

Walks files and folders of collected logs (a copy of /var/log/libvirt, kernel logs, iostat output,
guests/<domain>/... with event XML and WinDbg reports, or a sosreport), detects each file's format, parses,
correlates guest hangs with what the host saw, diagnoses them and evaluates the alert rules, all in-process
(no Kafka, no Elasticsearch). A hypervisor's files are found under <host>/var/log/..., its guests' artefacts
under <host>/guests/<domain>/...

Writes DIR/events.ndjson, DIR/incidents.ndjson, DIR/alerts.ndjson and DIR/deadletter.ndjson, and prints one
line per incident (time, domain, bugcheck, top diagnosis) on stdout. Progress goes to stderr.

Options:
  --out DIR          output folder (default: ./hangwatch-analysis)
  --host-tz ZONE     zone of host records without an offset (kernel syslog, iostat): IANA name or +HH:MM (default UTC)
  --guest-tz ZONE    zone of guest local times when the records do not teach it (WinDbg GMT+8 does)
  --inventory FILE   JSON array of {domain, hypervisor?, computerName?, mac?}: explicit guest-to-domain mapping
  --rules DIR        alert rules folder (default: the bundled rules/)
  --year-reference TIME  reference instant for syslog lines without a year; wins over the host's dated records
                     (libvirtd, qemu, iostat, journal, dates inside the file), which win over each file's
                     modification time (weak: copies made without cp -p or from git get fresh ones)
${IOSTAT_INTERVAL_HELP}
  --window-before-ms N, --window-after-ms N   evidence window around each hang (default 30 min / 10 min)

Exit status: 0 when the input was read (finding incidents is not an error; a file inside it that could not be
read, or not to its end, is a dead letter and the others are analysed), 1 when a PATH could not be read, 2 on bad
usage.
`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    {
      out: { type: 'string', default: 'hangwatch-analysis' },
      'host-tz': { type: 'string' },
      'guest-tz': { type: 'string' },
      inventory: { type: 'string' },
      rules: { type: 'string' },
      'year-reference': { type: 'string' },
      'iostat-interval': { type: 'string' },
      'window-before-ms': { type: 'string' },
      'window-after-ms': { type: 'string' },
    },
    HELP,
  );
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.positionals.length === 0) throw new HangwatchError('HW_USAGE', [`name at least one PATH to analyze\n\n${HELP}`]);
  const out = resolve(String(args.values.out));
  const hostZone = args.values['host-tz'] ? parseZone(String(args.values['host-tz'])) : undefined;
  const guestZone = args.values['guest-tz'] ? parseZone(String(args.values['guest-tz'])) : undefined;
  const rules = loadRules(args.values.rules ? String(args.values.rules) : join(REPO, 'rules'));
  const inventory = args.values.inventory ? readInventory(String(args.values.inventory)) : [];
  const created = new Date().toISOString();
  const yearReferenceMs = args.values['year-reference'] ? parseInstant(String(args.values['year-reference'])) : undefined;
  const iostatIntervalMs = readIostatIntervalMs(args.values['iostat-interval']);

  const files = await collectFiles(args.positionals);
  const totalBytes = files.reduce((n, f) => n + f.size, 0);
  const progress = createProgress('analyze: parsing', totalBytes, 'bytes');
  const parsed = await parseCollectedFiles(files, { maxRecordBytes: 16 << 20, validate: false, ...(yearReferenceMs !== undefined ? { yearReferenceMs } : {}), ...(iostatIntervalMs !== undefined ? { iostatIntervalMs } : {}), ...(hostZone ? { hostZone } : {}), ...(guestZone ? { guestZone } : {}) }, created, hostname(), progress);
  progress.done(`${files.length} files, ${parsed.events.length} events, ${parsed.deadletters.length} dead letters`);

  const correlated = correlateAll(parsed.events, {
    inventory,
    ...(args.values['window-before-ms'] ? { windowBeforeMs: positiveInt(args.values['window-before-ms'], '--window-before-ms') } : {}),
    ...(args.values['window-after-ms'] ? { windowAfterMs: positiveInt(args.values['window-after-ms'], '--window-after-ms') } : {}),
    ...(guestZone ? { guestZones: Object.fromEntries([...new Set(parsed.events.map((e) => e.libvirt?.domain?.name).filter((d): d is string => !!d))].map((d) => [d, guestZone.name])) } : {}),
  });
  const alerts = evaluateRulesOffline(correlated.incidents, rules);
  const events = [...correlated.events].sort((a, b) => (a['@timestamp'] < b['@timestamp'] ? -1 : a['@timestamp'] > b['@timestamp'] ? 1 : a.event.id < b.event.id ? -1 : 1));

  const written = [
    await writeNdjsonFile(out, OUTPUT_FILES.events, events),
    await writeNdjsonFile(out, OUTPUT_FILES.incidents, correlated.incidents),
    await writeNdjsonFile(out, OUTPUT_FILES.alerts, alerts),
    await writeNdjsonFile(out, OUTPUT_FILES.deadletter, parsed.deadletters),
  ];
  const hosts = new Set(parsed.files.map((f) => f.host));
  const unknown = parsed.files.filter((f) => f.format === 'unknown' && !f.unreadable).length;
  const unreadable = parsed.files.filter((f) => f.unreadable).length;
  const notes = [...(unknown ? [`${unknown} files of unknown format`] : []), ...(unreadable ? [`${unreadable} files unreadable`] : [])];
  process.stdout.write(
    `hangwatch analyze: ${files.length} files from ${hosts.size} host(s), ${events.length} events, ${parsed.deadletters.length} dead letters${notes.length ? ` (${notes.join(', ')}: see ${OUTPUT_FILES.deadletter})` : ''}\n`,
  );
  process.stdout.write(showControls(formatSummary(correlated.incidents, alerts)));
  process.stdout.write(`Written: ${written.join(', ')}\n`);
  if (correlated.incidents[0]) {
    process.stdout.write(`Timeline: hangwatch timeline --incident ${correlated.incidents[0].incident.id} --source ${out} --format html --out incident.html\n`);
  }
  return 0;
}

function readInventory(path: string): InventoryEntry[] {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new HangwatchError('HW_CONFIG_INVALID', [`  - --inventory ${path}: ${(error as Error).message}`]);
  }
  if (!Array.isArray(value) || !value.every((e) => e && typeof e === 'object' && typeof (e as { domain?: unknown }).domain === 'string')) {
    throw new HangwatchError('HW_CONFIG_INVALID', [`  - --inventory ${path}: expected a JSON array of {domain, hypervisor?, computerName?, mac?}`]);
  }
  return value as InventoryEntry[];
}

function positiveInt(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new HangwatchError('HW_USAGE', [`${name} must be a whole number of milliseconds`]);
  return n;
}
