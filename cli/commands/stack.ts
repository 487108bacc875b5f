import { parseCommandArgs } from '../args.js';
import { HangwatchError } from '../../shared/errors.js';
import { createStackContext, isStackRunning, stackDown, stackStatus, stackUp } from '../../infra/stack.js';
import { formatStatus } from '../../infra/status-format.js';

// hangwatch stack up | down [--purge] | status [--json]: the local Kafka + Elasticsearch (DESIGN.md section 8).
// Progress and summaries go to stderr; only `status --json` writes data, to stdout.

const HELP = `Usage: hangwatch stack <up | down [--purge] | status [--json]>

  up        start Kafka and Elasticsearch (downloaded from Maven Central once), create the topics; idempotent
  down      stop what 'up' started; --purge also deletes their data and logs (not the download cache)
  status    whether each service runs and answers; --json prints it on stdout; exits 1 unless both run

Environment: HANGWATCH_STACK_HOME (default <repo>/.hangwatch/stack), HANGWATCH_STACK_KAFKA_PORT (9092),
HANGWATCH_STACK_ES_PORT (9200), HANGWATCH_STACK_TOPIC_PARTITIONS (3), HANGWATCH_STACK_ES_WRITE_QUEUE_SIZE, and
the other HANGWATCH_STACK_* settings of infra/settings.ts.
`;

function progress(message: string): void {
  process.stderr.write(`hangwatch stack: ${message}\n`);
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals, help } = parseCommandArgs(argv, { purge: { type: 'boolean' }, json: { type: 'boolean' } }, HELP);
  if (help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [action, ...extra] = positionals;
  if (extra.length > 0) throw new HangwatchError('HW_USAGE', [`unexpected arguments: ${extra.join(' ')}\n\n${HELP}`]);
  const ctx = createStackContext(progress);
  switch (action) {
    case 'up': {
      const result = await stackUp(ctx);
      process.stderr.write(`${formatStatus(result.status)}\n`);
      return isStackRunning(result.status) ? 0 : 1;
    }
    case 'down':
      await stackDown(ctx, { purge: values.purge === true });
      return 0;
    case 'status': {
      const status = await stackStatus(ctx);
      if (values.json === true) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      else process.stderr.write(`${formatStatus(status)}\n`);
      return isStackRunning(status) ? 0 : 1;
    }
    default:
      throw new HangwatchError('HW_USAGE', [`${action === undefined ? 'missing' : `unknown`} action${action ? ` '${action}'` : ''}\n\n${HELP}`]);
  }
}
