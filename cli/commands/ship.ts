import { hostname } from 'node:os';
import { parseCommandArgs } from '../args.js';
import { createProgress, formatBytes, type Progress } from '../io/progress.js';
import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { createLogger } from '../../shared/logger.js';
import { MetricsRegistry } from '../../shared/metrics.js';
import { HangwatchError } from '../../shared/errors.js';
import { SHIPPER_SCHEMA } from '../../services/shipper/config.js';
import { buildShipperConfig } from '../../services/shipper/core/file-config.js';
import { readConfigDocument } from '../../services/shipper/adapters/read-config-file.js';
import { startShipper } from '../../services/shipper/adapters/start-shipper.js';

const HELP = `Usage: hangwatch ship --config FILE [--once]

Tails host and guest logs into Kafka (topic hangwatch.raw.v1, key = hypervisor host), remembering read positions
in the state folder so a restart resumes where it stopped. See docs/shipper.example.yml for the file.

Options:
  --config FILE   shipper configuration (YAML or JSON); default: $HANGWATCH_SHIPPER_CONFIG_FILE
  --once          ship what the files hold now and exit (backfills); a progress bar on a terminal

Environment: HANGWATCH_KAFKA_BROKERS, HANGWATCH_SHIPPER_<SETTING> overrides any file setting outside inputs
(e.g. HANGWATCH_SHIPPER_STATE_DIR, HANGWATCH_SHIPPER_KAFKA_COMPRESSION).
Without --once it runs until SIGINT/SIGTERM and serves /healthz, /readyz, /metrics (http.port).
Exit status: 0 when done, 1 when the configuration is invalid or an input or Kafka failed, 2 on bad usage.
`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { config: { type: 'string' }, once: { type: 'boolean', default: false } }, HELP);
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.positionals.length > 0) throw new HangwatchError('HW_USAGE', [`unexpected argument ${args.positionals[0]}\n\n${HELP}`]);
  if (!args.values.once) {
    const { main } = await import('../../services/shipper/main.js');
    await main(process.env, typeof args.values.config === 'string' ? args.values.config : undefined);
    return 0;
  }
  const common = loadConfig('', COMMON_SCHEMA, process.env);
  const own = loadConfig('SHIPPER', SHIPPER_SCHEMA, process.env);
  const path = typeof args.values.config === 'string' ? args.values.config : own.CONFIG_FILE;
  const config = buildShipperConfig(await readConfigDocument(path), process.env, { hostname: hostname() });
  const logger = createLogger({ name: 'shipper', level: common.LOG_LEVEL === 'info' ? 'warn' : common.LOG_LEVEL });
  let progress: Progress | null = null;
  let shipped = 0;
  const shipper = await startShipper({
    config,
    common,
    logger,
    metrics: new MetricsRegistry(),
    once: true,
    drainTimeoutMs: own.DRAIN_TIMEOUT_MS,
    onProgress: (bytes, runtime) => {
      shipped += bytes;
      progress ??= createProgress('ship', shipped + runtime.lagBytes(), 'bytes');
      progress.advance(bytes);
    },
  });
  const onSignal = (): void => void shipper.stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await shipper.done;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const summary = `${formatBytes(shipped)} shipped to ${config.kafka.topic}`;
  if (progress) (progress as Progress).done(summary);
  else process.stderr.write(`ship: nothing new to ship (${summary})\n`);
  return 0;
}
