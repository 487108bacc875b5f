import { readFileSync } from 'node:fs';
import { DIST_FILE, buildNdjson, writeNdjson } from '../../kibana/build-ndjson.js';
import type { Credentials } from '../../kibana/src/import-request.js';
import { importSavedObjects } from '../../kibana/src/import-saved-objects.js';
import { HangwatchError } from '../../shared/errors.js';
import { parseCommandArgs } from '../args.js';

// `hangwatch kibana build | import`: the saved objects of kibana/ (data views, searches, Lens, dashboards).
// Secrets come only from files or the environment (DESIGN.md section 3), never from arguments.

const HELP = `Usage:
  hangwatch kibana build [--out FILE|-] [--timeline-url URL]
  hangwatch kibana import --url URL [--space SPACE] [--api-key-file FILE | --user USER [--password-file FILE]]
                          [--timeline-url URL] [--file NDJSON] [--wait-seconds N]

build    writes the saved objects as ndjson (default ${DIST_FILE}; '-' for stdout)
import   posts them to Kibana's saved objects import API with overwrite=true
  --url            Kibana base URL, e.g. http://localhost:5601 (a base path such as /kibana is kept)
  --space          Kibana space id (default: the default space)
  --api-key-file   file holding a Kibana/Elasticsearch API key (sent as "Authorization: ApiKey ...")
  --user           basic auth user; the password comes from HANGWATCH_KIBANA_PASSWORD or --password-file
  --timeline-url   base URL of the timeline service for incident links (default http://localhost:8790)
  --file           import this ndjson instead of building from kibana/objects
  --wait-seconds   keep retrying this long while Kibana is unreachable or not ready (default 0)

Exit: 0 imported; 1 Kibana unreachable, refused or some objects failed (listed on stderr); 2 usage.
`;
import { showControls } from '../../shared/text/visible-controls.js';

const OPTIONS = {
  out: { type: 'string' },
  url: { type: 'string' },
  space: { type: 'string' },
  'api-key-file': { type: 'string' },
  user: { type: 'string' },
  'password-file': { type: 'string' },
  'timeline-url': { type: 'string' },
  file: { type: 'string' },
  'wait-seconds': { type: 'string' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals, help } = parseCommandArgs(argv, OPTIONS, HELP);
  if (help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [verb, ...extra] = positionals;
  if (extra.length > 0) throw new HangwatchError('HW_USAGE', [`unexpected arguments: ${extra.join(' ')}\n\n${HELP}`]);
  const timelineBaseUrl = stringOption(values, 'timeline-url');
  if (verb === 'build') return runBuild(stringOption(values, 'out') ?? DIST_FILE, timelineBaseUrl);
  if (verb === 'import') return runImport(values, timelineBaseUrl);
  throw new HangwatchError('HW_USAGE', [`expected 'build' or 'import'${verb ? `, got '${verb}'` : ''}\n\n${HELP}`]);
}

function runBuild(out: string, timelineBaseUrl: string | undefined): number {
  const options = timelineBaseUrl === undefined ? {} : { timelineBaseUrl };
  if (out === '-') {
    const { ndjson, count } = buildNdjson(options);
    process.stdout.write(ndjson);
    process.stderr.write(`kibana: built ${count} saved objects\n`);
    return 0;
  }
  const count = writeNdjson(out, options);
  process.stderr.write(`kibana: wrote ${count} saved objects to ${out}\n`);
  return 0;
}

async function runImport(values: Record<string, unknown>, timelineBaseUrl: string | undefined): Promise<number> {
  const url = stringOption(values, 'url');
  if (!url) throw new HangwatchError('HW_USAGE', [`--url is required\n\n${HELP}`]);
  const space = stringOption(values, 'space');
  const credentials = readCredentials(values);
  const file = stringOption(values, 'file');
  if (file !== undefined && timelineBaseUrl !== undefined) throw new HangwatchError('HW_USAGE', ['--timeline-url applies when building; it cannot change a prebuilt --file']);
  const ndjson = file === undefined ? buildNdjson(timelineBaseUrl === undefined ? {} : { timelineBaseUrl }).ndjson : readText(file);
  const waitSeconds = readWaitSeconds(stringOption(values, 'wait-seconds'));
  const report = await importSavedObjects({
    baseUrl: url,
    ...(space === undefined ? {} : { space }),
    credentials,
    ndjson,
    waitSeconds,
    onRetry: (reason, delayMs) => process.stderr.write(`kibana: not ready (${reason}); retrying in ${delayMs / 1000}s\n`),
  });
  for (const warning of report.warnings) process.stderr.write(`kibana: warning: ${showControls(warning)}\n`);
  process.stderr.write(`kibana: imported ${report.successCount} saved objects into ${report.url}\n`);
  return 0;
}

function readCredentials(values: Record<string, unknown>): Credentials {
  const apiKeyFile = stringOption(values, 'api-key-file');
  const user = stringOption(values, 'user');
  const passwordFile = stringOption(values, 'password-file');
  if (apiKeyFile !== undefined && user !== undefined) throw new HangwatchError('HW_USAGE', ['give either --api-key-file or --user, not both']);
  if (passwordFile !== undefined && user === undefined) throw new HangwatchError('HW_USAGE', ['--password-file needs --user']);
  if (apiKeyFile !== undefined) {
    const apiKey = readText(apiKeyFile).trim();
    if (!apiKey) throw new HangwatchError('HW_USAGE', [`${apiKeyFile} is empty`]);
    return { kind: 'api-key', apiKey };
  }
  if (user !== undefined) {
    const fromEnv = process.env.HANGWATCH_KIBANA_PASSWORD;
    // A password file ends with a newline more often than a password does.
    const password = passwordFile !== undefined ? readText(passwordFile).replace(/\r?\n$/, '') : fromEnv;
    if (password === undefined || password === '') throw new HangwatchError('HW_USAGE', ['--user needs a password: set HANGWATCH_KIBANA_PASSWORD or give --password-file']);
    return { kind: 'basic', user, password };
  }
  return { kind: 'none' };
}

function readWaitSeconds(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new HangwatchError('HW_USAGE', [`--wait-seconds must be a number >= 0, got ${JSON.stringify(text)}`]);
  return n;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new HangwatchError('HW_INPUT_UNREADABLE', [path, (error as Error).message], { cause: error });
  }
}

function stringOption(values: Record<string, unknown>, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}
