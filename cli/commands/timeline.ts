import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { parseCommandArgs } from '../args.js';
import { createElasticsearch } from '../../shared/clients/elasticsearch.js';
import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { HangwatchError } from '../../shared/errors.js';
import { redactUrl } from '../../shared/logger.js';
import { parseInstant, parseZone } from '../../shared/time.js';
import { DirSource } from '../../services/timeline/adapters/dir-source.js';
import { EsSource } from '../../services/timeline/adapters/es-source.js';
import { writeChunks } from '../../services/timeline/adapters/write-chunks.js';
import { TIMELINE_PREFIX, TIMELINE_SCHEMA } from '../../services/timeline/config.js';
import { exportTimeline, resolveScope } from '../../services/timeline/core/export-timeline.js';
import { isTimelineFormat, TIMELINE_FORMATS, type TimelineFormat } from '../../services/timeline/core/render.js';
import type { TimelineSource } from '../../services/timeline/core/timeline-source.js';

const HELP = `Usage: hangwatch timeline (--incident ID | --domain NAME --from TIME --to TIME | --host NAME --from TIME --to TIME)
                          [--format md|html|csv|jsonl] [--tz ZONE] [--out FILE] [--source es|DIR]

Exports one ordered story of host and guest: what the hypervisor and the guest logged, the hang, the reboot
and the diagnosis, in one time zone.

  --incident ID   the incident's window: its domain's events, its guest's, and the hypervisor's host-wide events
  --domain NAME   a domain's events (and its hypervisors' host-wide events) between --from and --to
  --host NAME     everything a hypervisor and its guests logged between --from and --to
  --from, --to    ISO 8601 (2017-03-15T13:00:00+08:00); without an offset they are read in --tz
  --format        md (default; or from --out's extension), html (self-contained, swimlanes), csv and jsonl
                  (Timesketch imports them as is)
  --tz ZONE       IANA name (Asia/Shanghai) or offset (+08:00); default UTC
  --out FILE      write there instead of stdout
  --source        es (default: HANGWATCH_ES_URL, indices from HANGWATCH_TIMELINE_*_INDEX) or a folder written
                  by 'hangwatch analyze' (events.ndjson, incidents.ndjson, alerts.ndjson)

Data goes to stdout or --out; progress and errors to stderr.
`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    {
      incident: { type: 'string' },
      domain: { type: 'string' },
      host: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string', short: 'f' },
      tz: { type: 'string' },
      out: { type: 'string', short: 'o' },
      source: { type: 'string' },
    },
    HELP,
  );
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const v = args.values as Record<string, string | undefined>;
  const format = chooseFormat(v.format, v.out);
  const zone = parseZone(v.tz ?? 'UTC');
  const scope = resolveScope({
    incident: v.incident,
    domain: v.domain,
    host: v.host,
    fromMs: v.from !== undefined ? parseInstant(v.from, zone) : undefined,
    toMs: v.to !== undefined ? parseInstant(v.to, zone) : undefined,
  });
  if (typeof scope === 'string') throw new HangwatchError('HW_USAGE', [`${scope.replace(/\b(incident|domain|host|from|to)\b/g, '--$1')}\n\n${HELP}`]);

  const { source, label } = openSource(v.source ?? 'es');
  const progress = startProgress();
  try {
    const result = await exportTimeline(source, {
      scope,
      format,
      zone,
      generatedMs: Date.now(),
      sourceLabel: label,
      onTotal: progress.total,
      onRow: progress.row,
    });
    const bytes = v.out ? await writeFileAtomically(result.chunks, v.out) : await writeChunks(result.chunks, process.stdout);
    progress.done(bytes, v.out ? resolve(v.out) : undefined);
    return 0;
  } finally {
    progress.stop();
    await source.close();
  }
}

/** A failed export leaves no half-written file that could pass for a whole timeline. */
async function writeFileAtomically(chunks: AsyncIterable<string>, path: string): Promise<number> {
  const partial = `${path}.partial-${process.pid}`;
  const out = createWriteStream(partial);
  try {
    const bytes = await writeChunks(chunks, out);
    await new Promise<void>((done, fail) => out.end((error?: Error | null) => (error ? fail(error) : done())));
    await rename(partial, path);
    return bytes;
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true });
    throw error;
  }
}

function chooseFormat(format: string | undefined, out: string | undefined): TimelineFormat {
  const chosen = format ?? (out ? extname(out).slice(1).toLowerCase().replace(/^markdown$/, 'md').replace(/^(ndjson|json)$/, 'jsonl').replace(/^htm$/, 'html') : 'md');
  if (isTimelineFormat(chosen)) return chosen;
  if (format === undefined) return 'md';
  throw new HangwatchError('HW_USAGE', [`--format must be one of ${TIMELINE_FORMATS.join(', ')}`]);
}

function openSource(spec: string): { source: TimelineSource; label: string } {
  if (spec !== 'es') return { source: new DirSource(spec), label: `hangwatch analyze output ${basename(resolve(spec))}` };
  const common = loadConfig('', COMMON_SCHEMA, process.env);
  const config = loadConfig(TIMELINE_PREFIX, TIMELINE_SCHEMA, process.env);
  const client = createElasticsearch(common);
  const source = new EsSource(client, {
    eventsIndex: config.EVENTS_INDEX,
    incidentsIndex: config.INCIDENTS_INDEX,
    alertsIndex: config.ALERTS_INDEX,
    pageSize: config.PAGE_SIZE,
    keepAlive: `${config.PIT_KEEP_ALIVE_S}s`,
    url: common.ES_URL,
  });
  return {
    source: { ...bind(source), close: async () => client.close() },
    label: `Elasticsearch ${redactUrl(common.ES_URL)} (${config.EVENTS_INDEX})`,
  };
}

function bind(source: EsSource): TimelineSource {
  return {
    findIncident: (id) => source.findIncident(id),
    findHypervisors: (d, f, t) => source.findHypervisors(d, f, t),
    streamEvents: (filter, onTotal) => source.streamEvents(filter, onTotal),
    findAlerts: (q) => source.findAlerts(q),
    close: () => source.close(),
  };
}

/** Progress on stderr, only when it is a terminal: large ranges take a while, pipes and logs stay clean. */
function startProgress(): { total: (n: number) => void; row: () => void; done: (bytes: number, path?: string) => void; stop: () => void } {
  let total: number | undefined;
  let rows = 0;
  const tty = process.stderr.isTTY === true;
  const draw = () => process.stderr.write(`\rtimeline: ${rows.toLocaleString('en-US')}${total !== undefined ? ` / ${total.toLocaleString('en-US')} events` : ' rows'}   `);
  const timer = tty ? setInterval(draw, 250) : undefined;
  timer?.unref();
  return {
    total: (n) => (total = n),
    row: () => rows++,
    done: (bytes, path) => {
      if (tty) process.stderr.write('\r\u001b[K');
      process.stderr.write(`timeline: ${rows} rows, ${bytes} bytes${path ? ` written to ${path}` : ''}\n`);
    },
    stop: () => clearInterval(timer),
  };
}
