import { HangwatchError } from '../../shared/errors.js';

// `hangwatch service NAME`: runs one pipeline service in the foreground (what docker-compose and the main job
// start, one process per service). Each service's config comes from its HANGWATCH_<NAME>_* variables.

const SERVICES: Record<string, () => Promise<{ main(): Promise<void> }>> = {
  parser: () => import('../../services/parser/main.js'),
  correlator: () => import('../../services/correlator/main.js'),
  indexer: () => import('../../services/indexer/main.js'),
  alerter: () => import('../../services/alerter/main.js'),
  timeline: () => import('../../services/timeline/main.js'),
  shipper: () => import('../../services/shipper/main.js'),
};

const HELP = `Usage: hangwatch service <${Object.keys(SERVICES).join('|')}>

Runs one pipeline service in the foreground until SIGTERM/SIGINT. Configuration comes from environment
variables (HANGWATCH_KAFKA_BROKERS, HANGWATCH_ES_URL, HANGWATCH_<SERVICE>_*; see README's configuration
reference). Each service serves /healthz, /readyz and /metrics on its HTTP port.
`;

export async function run(argv: string[]): Promise<number> {
  const [name] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(HELP);
    return name ? 0 : 2;
  }
  const load = SERVICES[name];
  if (!load) throw new HangwatchError('HW_USAGE', [`unknown service '${name}'\n\n${HELP}`]);
  const mod = await load();
  await mod.main();
  return 0;
}
