import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { parseCommandArgs } from '../args.js';
import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { createKafka } from '../../shared/clients/kafka.js';
import { HangwatchError } from '../../shared/errors.js';
import { createLogger } from '../../shared/logger.js';
import { ALERTER_PREFIX, ALERTER_SCHEMA } from '../../services/alerter/config.js';
import { loadRules } from '../../services/alerter/adapters/rules-fs.js';
import { startTopicReader } from '../../services/alerter/adapters/topic-reader.js';
import { formatDurationMs, parseDurationMs } from '../../services/alerter/core/duration.js';
import type { Filter, Rule } from '../../services/alerter/core/rule.js';
import { RuleInvalidError } from '../../services/alerter/core/rule-parse.js';
import { SilenceBook, buildSilence, parseSilence, silenceRecordKey } from '../../services/alerter/core/silence.js';
import { showControls } from '../../shared/text/visible-controls.js';

// `hangwatch alerts`: the rules as data (list, check) and silences on the compacted silences topic.

const HELP = `Usage: hangwatch alerts <subcommand> [options]

Subcommands:
  list [--rules DIR] [--json]          the rules and their settings (default DIR: HANGWATCH_ALERTER_RULES_DIR or rules)
  check [DIR]                          validate every *.yml in DIR; problems are printed as FILE:LINE: message
  silence RULE KEY --for DURATION [--reason TEXT]
                                       mute notifications (webhooks) of RULE for KEY (e.g. sc7/vm105, or * for
                                       every key) for DURATION (30m, 2h, 1d); alerts are still recorded
  unsilence RULE KEY                   lift a silence before it expires
  silences [--json]                    list the silences active now

Silences are records on the compacted topic HANGWATCH_ALERTER_SILENCES_TOPIC (default hangwatch.silences.v1)
of the Kafka at HANGWATCH_KAFKA_BROKERS, so every alerter replica honours them. Exit status: 0 done,
1 invalid rules or Kafka unreachable, 2 usage error.
`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'list':
      return listRules(rest);
    case 'check':
      return checkRules(rest);
    case 'silence':
      return silence(rest);
    case 'unsilence':
      return unsilence(rest);
    case 'silences':
      return listSilences(rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(HELP);
      return sub === undefined ? 2 : 0;
    default:
      throw new HangwatchError('HW_USAGE', [`unknown subcommand '${sub}'\n\n${HELP}`]);
  }
}

function alerterConfig() {
  return loadConfig(ALERTER_PREFIX, ALERTER_SCHEMA, process.env);
}

function listRules(argv: string[]): number {
  const args = parseCommandArgs(argv, { rules: { type: 'string' }, json: { type: 'boolean' } }, HELP);
  if (args.help) return help();
  const dir = (args.values.rules as string | undefined) ?? alerterConfig().RULES_DIR;
  const rules = loadRules(resolve(dir));
  if (args.values.json) {
    for (const rule of rules) process.stdout.write(`${JSON.stringify(describeRule(rule))}\n`);
    return 0;
  }
  for (const rule of rules) {
    const d = describeRule(rule);
    process.stdout.write(`${rule.id}  (${rule.type})  ${rule.name}\n`);
    for (const [k, v] of Object.entries(d)) if (!['id', 'type', 'name'].includes(k) && v !== undefined && v !== '') process.stdout.write(`    ${k.padEnd(12)} ${Array.isArray(v) ? v.join(', ') || '-' : String(v)}\n`);
  }
  return 0;
}

function describeRule(rule: Rule): Record<string, string | number | string[] | undefined> {
  return {
    id: rule.id,
    type: rule.type,
    name: rule.name,
    description: rule.description,
    where: rule.where.map(describeFilter),
    group_by: rule.groupBy.length > 0 ? [...rule.groupBy] : ['(fleet)'],
    distinct: rule.type === 'cardinality' ? rule.distinct : undefined,
    input: rule.type === 'exposure' ? 'audit findings' : 'incidents',
    window: rule.type === 'threshold' || rule.type === 'cardinality' ? formatDurationMs(rule.windowMs) : undefined,
    threshold: rule.type === 'threshold' || rule.type === 'cardinality' ? `>= ${rule.threshold}` : undefined,
    // An exposure episode closes on a later finding that no longer matches, not after a quiet period.
    quiet_period: rule.type === 'exposure' ? 'until a later finding no longer matches' : formatDurationMs(rule.quietPeriodMs),
    throttle: rule.type === 'exposure' ? undefined : rule.throttleMs > 0 ? formatDurationMs(rule.throttleMs) : 'none',
    source: `${rule.source.file}:${rule.source.line}`,
  };
}

function describeFilter(filter: Filter): string {
  switch (filter.op) {
    case 'equals': return `${filter.field} == ${filter.value}`;
    case 'in': return `${filter.field} in [${filter.values.join(', ')}]`;
    case 'exists': return `${filter.field} ${filter.exists ? 'exists' : 'is absent'}`;
    case 'not_contains': return `${filter.field} does not contain ${filter.value}`;
  }
}

function checkRules(argv: string[]): number {
  const args = parseCommandArgs(argv, {}, HELP);
  if (args.help) return help();
  const dir = args.positionals[0] ?? alerterConfig().RULES_DIR;
  try {
    const rules = loadRules(resolve(dir));
    process.stdout.write(`ok: ${rules.length} rule(s) in ${dir}: ${rules.map((r) => r.id).join(', ')}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof RuleInvalidError)) throw error;
    for (const p of error.problems) process.stdout.write(showControls(`${p.file}:${p.line}: ${p.message}\n`));
    process.stderr.write(`hangwatch: HW_RULE_INVALID: ${error.problems.length} problem(s) in ${dir}\n`);
    return 1;
  }
}

async function silence(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { for: { type: 'string' }, reason: { type: 'string' }, rules: { type: 'string' } }, HELP);
  if (args.help) return help();
  const [ruleId, key] = args.positionals;
  if (!ruleId || !key || args.positionals.length !== 2) throw new HangwatchError('HW_USAGE', [`silence needs RULE and KEY\n\n${HELP}`]);
  const forText = args.values.for as string | undefined;
  const forMs = forText === undefined ? undefined : parseDurationMs(forText);
  if (forMs === undefined) throw new HangwatchError('HW_USAGE', [`--for needs a duration like 30m, 2h, 1d (got ${JSON.stringify(forText ?? '')})`]);
  const config = alerterConfig();
  const rules = loadRules(resolve((args.values.rules as string | undefined) ?? config.RULES_DIR));
  if (!rules.some((r) => r.id === ruleId)) throw new HangwatchError('HW_USAGE', [`unknown rule '${ruleId}' (known: ${rules.map((r) => r.id).join(', ')})`]);
  const record = buildSilence(ruleId, key, Date.now(), forMs, args.values.reason as string | undefined, safeUser());
  await produceSilence(config.SILENCES_TOPIC, silenceRecordKey(ruleId, key), JSON.stringify(record));
  process.stdout.write(`${JSON.stringify(record)}\n`);
  return 0;
}

async function unsilence(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, {}, HELP);
  if (args.help) return help();
  const [ruleId, key] = args.positionals;
  if (!ruleId || !key || args.positionals.length !== 2) throw new HangwatchError('HW_USAGE', [`unsilence needs RULE and KEY\n\n${HELP}`]);
  await produceSilence(alerterConfig().SILENCES_TOPIC, silenceRecordKey(ruleId, key), null);
  process.stdout.write(`lifted: ${ruleId} ${key}\n`);
  return 0;
}

async function produceSilence(topic: string, key: string, value: string | null): Promise<void> {
  const common = loadConfig('', COMMON_SCHEMA, process.env);
  const producer = createKafka(common, 'alerts-cli').producer({ allowAutoTopicCreation: false });
  try {
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key, value }] });
  } catch (error) {
    throw new HangwatchError('HW_KAFKA_UNAVAILABLE', [common.KAFKA_BROKERS.join(','), (error as Error).message], { cause: error });
  } finally {
    await producer.disconnect().catch(() => {});
  }
}

async function listSilences(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { json: { type: 'boolean' } }, HELP);
  if (args.help) return help();
  const common = loadConfig('', COMMON_SCHEMA, process.env);
  const book = new SilenceBook();
  try {
    const reader = await startTopicReader({
      kafka: createKafka(common, 'alerts-cli'),
      topic: alerterConfig().SILENCES_TOPIC,
      groupPrefix: 'hangwatch-alerts-cli',
      logger: createLogger({ name: 'alerts', level: common.LOG_LEVEL }),
      follow: false,
      onMessage: (message) => {
        const key = message.key?.toString('utf8');
        if (key !== undefined) book.apply(key, parseSilence(message.value === null ? null : message.value.toString('utf8')));
      },
    });
    await reader.caughtUp;
  } catch (error) {
    throw new HangwatchError('HW_KAFKA_UNAVAILABLE', [common.KAFKA_BROKERS.join(','), (error as Error).message], { cause: error });
  }
  const active = book.active(Date.now());
  for (const s of active) {
    process.stdout.write(args.values.json ? `${JSON.stringify(s)}\n` : showControls(`${s.rule_id}  ${s.key}  until ${s.expires_at}${s.reason ? `  (${s.reason})` : ''}${s.created_by ? `  by ${s.created_by}` : ''}\n`));
  }
  if (!args.values.json && active.length === 0) process.stderr.write('no active silences\n');
  return 0;
}

function safeUser(): string | undefined {
  try {
    return process.env.USER ?? userInfo().username;
  } catch {
    return undefined;
  }
}

function help(): number {
  process.stdout.write(HELP);
  return 0;
}
