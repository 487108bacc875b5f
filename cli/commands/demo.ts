import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandArgs } from '../args.js';
import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { createElasticsearch } from '../../shared/clients/elasticsearch.js';
import { HangwatchError } from '../../shared/errors.js';
import type { Alert } from '../../shared/schema/alert.js';
import type { Incident } from '../../shared/schema/incident.js';
import { INDICES } from '../../shared/topics.js';
import { createStackContext, stackUp } from '../../infra/stack.js';
import { correlateAll } from '../../services/correlator/core/index.js';
import { collectFiles } from '../analyze/collect-files.js';
import { parseCollectedFiles } from '../analyze/parse-files.js';
import { formatAlertLine, formatIncidentLine } from '../analyze/summary.js';
import { createProgress } from '../io/progress.js';
import { startService, stopServices, waitReady, runCommand, type ServiceProcess } from '../demo/child-services.js';
import { converged, incidentDigest, observe, type Expectation } from '../demo/converge.js';
import { listSampleHosts, restoreSampleMtimes } from '../demo/sample-data.js';
import { showControls } from '../../shared/text/visible-controls.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const HELP = `Usage: hangwatch demo [--timeout-s N] [--keep-services]

The main job: runs the whole pipeline on the bundled sample data and summarizes what it found.
  1. starts (or reuses) the local Kafka and Elasticsearch (hangwatch stack up),
  2. starts the parser, correlator, indexer, alerter and timeline services as separate processes and, meanwhile,
     ships samples/seed (the field report's scenario) and samples/fleet (a generated 3-host day with injected
     hangs) with the shipper (hangwatch ship --once) and analyzes the same files offline (hangwatch analyze),
  3. waits until Elasticsearch holds every event and every incident of the offline analysis, each incident with
     the same kind, signals and diagnoses (exit 1 if that does not happen within --timeout-s),
  4. writes a timeline export per incident and prints the incidents, diagnoses, alerts and where to look.
The samples are a backfill (a day of logs sent file after file), so the demo's correlator runs with a lateness
bound of two days (HANGWATCH_CORRELATOR_LATENESS_MS overrides it; live tailing needs minutes), and its alerter
counts every sample incident however much newer data the topics hold (HANGWATCH_ALERTER_ALLOWED_LATENESS_MS).
A second run reuses what the first set up (read positions, consumer offsets, indices) and is quick.

Options:
  --timeout-s N      how long to wait for the pipeline to converge (default 300)
  --keep-services    leave the pipeline services running after the summary (default: stop them; the stack stays up)
Output: the summary on stdout; progress on stderr; service logs under .hangwatch/demo/logs/.
`;

/** The sample data spans one day (2017-03-15); two days of lateness hold all of it until the input is idle. */
const BACKFILL_LATENESS_MS = 48 * 3_600_000;
/** A replay of history: every sample incident counts for the alert rules, whatever newer incidents the topic holds. */
const BACKFILL_ALERT_LATENESS_MS = 100 * 365 * 86_400_000;

const SERVICE_PORTS = { parser: 18781, correlator: 18782, indexer: 18783, alerter: 18784, timeline: 18790 } as const;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { 'timeout-s': { type: 'string', default: '300' }, 'keep-services': { type: 'boolean' } }, HELP);
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const timeoutMs = Number(args.values['timeout-s']) * 1000;
  if (!(timeoutMs > 0)) throw new HangwatchError('HW_USAGE', ['--timeout-s must be a positive number']);
  const say = (m: string): void => void process.stderr.write(`demo: ${m}\n`);
  const started = Date.now();
  const work = join(REPO, '.hangwatch', 'demo');
  const logs = join(work, 'logs');
  const outDir = join(REPO, 'out', 'demo');
  await mkdir(logs, { recursive: true });
  await mkdir(join(outDir, 'timelines'), { recursive: true });

  say('starting the local Kafka and Elasticsearch (first run downloads them from Maven Central)');
  const { status } = await stackUp(createStackContext((m) => say(m)));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HANGWATCH_KAFKA_BROKERS: status.kafkaBrokers,
    HANGWATCH_ES_URL: status.esUrl,
    HANGWATCH_ALERTER_RULES_DIR: join(REPO, 'rules'),
    HANGWATCH_ALERTER_TIMELINE_BASE_URL: `http://127.0.0.1:${SERVICE_PORTS.timeline}`,
    HANGWATCH_PARSER_HTTP_PORT: String(SERVICE_PORTS.parser),
    HANGWATCH_CORRELATOR_HTTP_PORT: String(SERVICE_PORTS.correlator),
    HANGWATCH_INDEXER_HTTP_PORT: String(SERVICE_PORTS.indexer),
    HANGWATCH_ALERTER_HTTP_PORT: String(SERVICE_PORTS.alerter),
    HANGWATCH_TIMELINE_HTTP_PORT: String(SERVICE_PORTS.timeline),
    // The samples are a backfill: the shipper sends a day of logs file after file, so one host's records arrive up
    // to a day out of event-time order. Live tailing needs minutes of lateness; a backfill needs its span.
    HANGWATCH_CORRELATOR_LATENESS_MS: process.env.HANGWATCH_CORRELATOR_LATENESS_MS ?? String(BACKFILL_LATENESS_MS),
    // Likewise the alerter: it drops incidents more than an hour older than the newest it has read, and the topics
    // may already hold newer ones (the fault suite's 2017-03-22.. batches in CI, or live data): the 2017-03-15
    // samples would then fire nothing.
    HANGWATCH_ALERTER_ALLOWED_LATENESS_MS: process.env.HANGWATCH_ALERTER_ALLOWED_LATENESS_MS ?? String(BACKFILL_ALERT_LATENESS_MS),
  };

  const samples = join(REPO, 'samples');
  await restoreSampleMtimes(samples);
  const hosts = await listSampleHosts(samples);

  const procs: ServiceProcess[] = [];
  const es = createElasticsearch(loadConfig('', COMMON_SCHEMA, env));
  try {
    // Services, shipper and the offline analysis run at once: Kafka holds what is shipped until the services
    // read it, and the analysis is only needed when waiting for the result.
    for (const name of Object.keys(SERVICE_PORTS) as Array<keyof typeof SERVICE_PORTS>) {
      procs.push(await startService(REPO, name, env, logs, SERVICE_PORTS[name]));
    }
    const shipperConfig = join(work, 'shipper.yml');
    await writeFile(shipperConfig, renderShipperConfig(hosts, join(work, 'shipper-state')));
    say(`shipping the sample logs of ${hosts.map((h) => h.name).join(', ')} into Kafka (hangwatch ship --once) while the services start`);
    const shipped = runCommand(REPO, ['ship', '--config', shipperConfig, '--once'], env, join(logs, 'shipper.log'));
    say('analyzing the sample data offline meanwhile, to know what the pipeline must find');
    const expected = await expectedResults(hosts.map((h) => h.dir));
    await Promise.all(procs.map((p) => waitReady(p, 90_000)));
    say(`services ready: ${procs.map((p) => `${p.name} (:${p.httpPort})`).join(', ')}`);
    const shipCode = await shipped;
    if (shipCode !== 0) throw new HangwatchError('HW_INTERNAL', [`the shipper exited with ${shipCode}; see ${join(logs, 'shipper.log')}`]);
    say('the shipper has sent everything (positions in .hangwatch/demo/shipper-state: a second run sends only what is new)');

    say(`waiting until Elasticsearch holds ${expected.events} events and ${expected.incidentIds.length} incidents`);
    const progress = createProgress('demo: indexed', expected.events, 'items', 5000);
    let seen = 0;
    let observation = await observe(es, expected);
    const deadline = Date.now() + timeoutMs;
    while (!converged(observation, expected) && Date.now() < deadline) {
      for (const p of procs) if (p.exited) throw new HangwatchError('HW_INTERNAL', [`${p.name} stopped unexpectedly; see ${p.logFile}`]);
      await new Promise((r) => setTimeout(r, 1000));
      observation = await observe(es, expected);
      progress.advance(Math.max(0, Math.min(observation.events, expected.events) - seen));
      seen = Math.max(seen, Math.min(observation.events, expected.events));
    }
    progress.done(`${observation.events} events, ${observation.incidents} incidents, ${observation.deadletters} dead letters`);
    const ok = converged(observation, expected);
    if (!ok) say(`the pipeline did not converge in ${timeoutMs / 1000}s: ${observation.missingIncidents.length} incident(s) missing or different from the offline analysis; logs in ${relative(REPO, logs)}`);

    const wanted = new Set(expected.incidentIds);
    const incidents = (await searchAll<Incident>(es, INDICES.incidents, '@timestamp')).filter((i) => wanted.has(i.incident.id));
    // Alerts follow incidents through one more hop (alerter, indexer): the exports take that long anyway.
    const exports = await exportTimelines(incidents, outDir, say);
    const alerts = (await searchAll<Alert>(es, INDICES.alerts, '@timestamp')).filter((a) => a.alert.incidents.some((id) => wanted.has(id)));
    process.stdout.write(showControls(renderSummary({ incidents, alerts, exports, observation, expectedEvents: expected.events, esUrl: status.esUrl, seconds: (Date.now() - started) / 1000, logs: relative(REPO, logs) })));
    return ok ? 0 : 1;
  } finally {
    if (!args.values['keep-services']) await stopServices(procs);
    await es.close();
  }
}

async function expectedResults(dirs: readonly string[]): Promise<Expectation> {
  const files = await collectFiles(dirs);
  const quiet = { advance: () => undefined, done: () => undefined };
  const parsed = await parseCollectedFiles(files, { maxRecordBytes: 512 * 1024, validate: false }, new Date().toISOString(), hostname(), quiet);
  const { incidents, events } = correlateAll(parsed.events, {});
  return { events: events.length, incidentIds: incidents.map((i) => i.incident.id), digests: new Map(incidents.map((i) => [i.incident.id, incidentDigest(i)])) };
}

function renderShipperConfig(hosts: ReadonlyArray<{ name: string; dir: string }>, stateDir: string): string {
  const lines = [`state_dir: ${JSON.stringify(stateDir)}`, 'status_interval_ms: 0', 'http:', '  port: 0', 'inputs:'];
  for (const host of hosts) {
    lines.push(`  - type: folder`, `    path: ${JSON.stringify(host.dir)}`, `    recursive: true`, `    host: ${JSON.stringify(host.name)}`, `    format: auto`);
    lines.push(`    exclude: ["*.gz", "*.xz", "*.zst", "*.bz2", "truth.json", "README*"]`);
  }
  return `${lines.join('\n')}\n`;
}

async function searchAll<T>(es: ReturnType<typeof createElasticsearch>, index: string, sortField: string): Promise<T[]> {
  try {
    const r = await es.search<T>({ index, size: 1000, sort: [{ [sortField]: 'asc' }], ignore_unavailable: true });
    return r.hits.hits.map((h) => h._source as T);
  } catch {
    return [];
  }
}

/** One HTML and one Markdown timeline per incident, from the timeline service, all requested at once. */
async function exportTimelines(incidents: readonly Incident[], outDir: string, say: (m: string) => void): Promise<string[]> {
  const jobs = incidents.flatMap((incident) =>
    (['html', 'md'] as const).map(async (format) => {
      const id = incident.incident.id;
      const base = `${incident.libvirt.hypervisor ?? 'host'}-${incident.libvirt.domain.name ?? 'domain'}-${id.slice(0, 8)}`;
      const res = await fetch(`http://127.0.0.1:${SERVICE_PORTS.timeline}/timeline?incident=${encodeURIComponent(id)}&format=${format}&tz=UTC`);
      if (!res.ok) {
        say(`timeline ${format} of incident ${id} not written: the timeline service answered ${res.status}`);
        return undefined;
      }
      const path = join(outDir, 'timelines', `${base}.${format}`);
      await writeFile(path, Buffer.from(await res.arrayBuffer()));
      return path;
    }),
  );
  return (await Promise.all(jobs)).filter((p): p is string => p !== undefined);
}

interface SummaryInput {
  readonly incidents: readonly Incident[];
  readonly alerts: readonly Alert[];
  readonly exports: readonly string[];
  readonly observation: { events: number; deadletters: number };
  /** Events the offline analysis of the samples found (the indices may also hold other runs' documents). */
  readonly expectedEvents: number;
  readonly esUrl: string;
  readonly seconds: number;
  readonly logs: string;
}

function renderSummary(s: SummaryInput): string {
  const out: string[] = [''];
  const others = s.observation.events > s.expectedEvents ? ` (with documents of other runs: ${s.observation.events} events, ${s.observation.deadletters} dead letters in all)` : `, ${s.observation.deadletters} dead letters`;
  out.push(`hangwatch demo: done in ${s.seconds.toFixed(0)}s. The samples' ${s.expectedEvents} events are indexed${others}.`);
  out.push('', s.incidents.length ? `Guest hangs found (${s.incidents.length}):` : 'No guest hangs found.');
  for (const incident of s.incidents) {
    out.push(formatIncidentLine(incident));
    const top = incident.incident.diagnosis[0];
    if (top?.remediation) out.push(`      fix: ${top.remediation.split('\n')[0]}`);
  }
  out.push('', s.alerts.length ? `Alerts fired (${s.alerts.length}):` : 'No alerts fired.');
  for (const alert of s.alerts) out.push(formatAlertLine(alert));
  out.push('', 'Timeline exports:');
  for (const path of s.exports) out.push(`  ${relative(REPO, path)}`);
  out.push(
    '',
    'Query Elasticsearch:',
    `  curl -s '${s.esUrl}/${INDICES.incidents}/_search?pretty&sort=@timestamp:desc'`,
    `  curl -s '${s.esUrl}/${INDICES.eventsAlias}/_search?pretty&q=event.action:bugcheck'`,
    `  curl -s '${s.esUrl}/${INDICES.deadletter}/_search?pretty'`,
    'Kibana (where one runs): node bin/hangwatch.js kibana import --url http://localhost:5601',
    'Offline, no Kafka or Elasticsearch: node bin/hangwatch.js analyze --out out/analysis samples/seed',
    `Service logs: ${s.logs}/`,
    'Stop the local Kafka and Elasticsearch: node bin/hangwatch.js stack down   (add --purge to delete their data)',
    '',
  );
  return out.join('\n');
}
