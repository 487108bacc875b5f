import { parseCommandArgs } from '../args.js';
import { HangwatchError } from '../../shared/errors.js';
import { createStackContext, isStackRunning, stackDown, stackStatus, stackUp } from '../../infra/stack.js';
import { formatStatus } from '../../infra/status-format.js';
import { createTopicsOn } from '../../infra/create-topics.js';
import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { createKafka } from '../../shared/clients/kafka.js';

// hangwatch stack up | down [--purge] | status [--json]: the local Kafka + Elasticsearch (DESIGN.md section 8).
// Progress and summaries go to stderr; only `status --json` writes data, to stdout.

const HELP = `Usage: hangwatch stack <up | down [--purge] | status [--json] | topics [--partitions N] [--replication-factor N]>

  up        start Kafka and Elasticsearch (downloaded from Maven Central once), create the topics; idempotent
  down      stop what 'up' started; --purge also deletes their data and logs (not the download cache)
  status    whether each service runs and answers; --json prints it on stdout; exits 1 unless both run
  topics    create the missing hangwatch topics on the cluster of HANGWATCH_KAFKA_BROKERS (any cluster, e.g. the
            docker-compose setup job); --partitions (default 3) and --replication-factor (default 1)

Environment: HANGWATCH_STACK_HOME (default <repo>/.hangwatch/stack), HANGWATCH_STACK_KAFKA_PORT (9092),
HANGWATCH_STACK_ES_PORT (9200), HANGWATCH_STACK_TOPIC_PARTITIONS (3), HANGWATCH_STACK_ES_WRITE_QUEUE_SIZE, and
the other HANGWATCH_STACK_* settings of infra/settings.ts.
`;

function progress(message: string): void {
  process.stderr.write(`hangwatch stack: ${message}\n`);
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals, help } = parseCommandArgs(argv, { purge: { type: 'boolean' }, json: { type: 'boolean' }, partitions: { type: 'string', default: '3' }, 'replication-factor': { type: 'string', default: '1' } }, HELP);
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
    case 'topics': {
      const partitions = Number(values.partitions);
      const replication = Number(values['replication-factor']);
      if (!Number.isInteger(partitions) || partitions < 1 || !Number.isInteger(replication) || replication < 1) {
        throw new HangwatchError('HW_USAGE', ['--partitions and --replication-factor take whole numbers from 1']);
      }
      const common = loadConfig('', COMMON_SCHEMA, process.env);
      const created = await createTopicsOn(createKafka(common, 'setup'), partitions, replication);
      progress(created.length > 0 ? `created ${created.join(', ')}` : 'every hangwatch topic exists already');
      return 0;
    }
    default:
      throw new HangwatchError('HW_USAGE', [`${action === undefined ? 'missing' : `unknown`} action${action ? ` '${action}'` : ''}\n\n${HELP}`]);
  }
}
