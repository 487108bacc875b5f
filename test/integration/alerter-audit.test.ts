// Issue 15 end to end on the real Kafka: `hangwatch audit --kafka` (the real CLI, real libvirt XML fixtures)
// produces findings, the alerter opens one exposure alert per exposed domain that never hung, and after the XML of
// one domain is fixed and audited again, a restarted alerter (replaying the audit topic) closes exactly that one
// and re-fires nothing. Own topics and groups per run; the shared stack is never stopped.
// Run through scripts/with-stack.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { COMMON_SCHEMA, loadConfig } from '../../shared/config.js';
import { createKafka } from '../../shared/clients/kafka.js';
import { createLogger } from '../../shared/logger.js';
import type { Alert } from '../../shared/schema/alert.js';
import { startAlerter, type StartedAlerter } from '../../services/alerter/main.js';
import { startTopicReader } from '../../services/alerter/adapters/topic-reader.js';

const root = join(import.meta.dirname, '..', '..');
const common = loadConfig('', COMMON_SCHEMA, process.env);
const run = randomUUID().slice(0, 8);
const topics = { incidents: `hw-it-audit-${run}.incidents`, alerts: `hw-it-audit-${run}.alerts`, silences: `hw-it-audit-${run}.silences`, audit: `hw-it-audit-${run}.audit` };
const GROUP = `hw-it-audit-${run}`;
const HOST = `sc7-${run}`;
const logger = createLogger({ name: 'alerter-audit-it', level: 'warn' });
let kafka: Kafka;
let running: StartedAlerter | undefined;
let dir: string;

function env(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HANGWATCH_ALERTER_RULES_DIR: join(root, 'rules'),
    HANGWATCH_ALERTER_GROUP_ID: GROUP,
    HANGWATCH_ALERTER_INCIDENTS_TOPIC: topics.incidents,
    HANGWATCH_ALERTER_ALERTS_TOPIC: topics.alerts,
    HANGWATCH_ALERTER_SILENCES_TOPIC: topics.silences,
    HANGWATCH_ALERTER_AUDIT_TOPIC: topics.audit,
    HANGWATCH_ALERTER_HTTP_PORT: '0',
    HANGWATCH_ALERTER_IDLE_CLOSE_AFTER_MS: '0',
    HANGWATCH_LOG_LEVEL: 'warn',
  };
}

function auditCli(): string {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'hangwatch.js'), 'audit', '--kafka', '--topic', topics.audit, '--host', HOST, '--format', 'json', dir], { encoding: 'utf8', env: process.env });
  assert.equal(result.status, 0, result.stderr);
  return result.stderr;
}

async function readAlerts(): Promise<Alert[]> {
  const alerts: Alert[] = [];
  const reader = await startTopicReader({
    kafka,
    topic: topics.alerts,
    groupPrefix: `${GROUP}-check`,
    logger,
    follow: false,
    onMessage: (m) => {
      if (m.value) alerts.push(JSON.parse(m.value.toString('utf8')) as Alert);
    },
  });
  await reader.caughtUp;
  return alerts.sort((a, b) => a['@timestamp'].localeCompare(b['@timestamp']) || a.alert.key.localeCompare(b.alert.key));
}

async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Findings the audit consumer has taken in (applied or recognized as already applied). */
async function findingsConsumed(alerter: StartedAlerter): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${alerter.httpPort}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^hangwatch_alerter_audit_findings_received_total\{kind="(finding|stale)"\} (\d+)$/gm)) n += Number(m[2]);
  return n;
}

const summary = (alerts: readonly Alert[]): string[] => alerts.map((a) => `${a.rule.id} ${a.alert.key.replace(`${HOST}/`, '')} ${a.alert.state}`);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hw-it-audit-'));
  cpSync(join(root, 'test', 'fixtures', 'domain-xml'), dir, { recursive: true });
  rmSync(join(dir, 'invalid'), { recursive: true, force: true });
  kafka = createKafka(common, `alerter-audit-it-${run}`);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: topics.incidents, numPartitions: 3 },
      { topic: topics.alerts, numPartitions: 3 },
      { topic: topics.silences, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      { topic: topics.audit, numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
    ],
  });
  await admin.disconnect();
});

after(async () => {
  await running?.stop();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => {});
  await admin.deleteGroups([GROUP, `${GROUP}-audit`]).catch(() => {});
  await admin.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

test('audit --kafka: exposed never-hung domains alert; a fixed domain closes after a restart; nothing re-fires', async () => {
  let alerter = await startAlerter(env(), logger);
  running = alerter;
  assert.match(auditCli(), new RegExp(`produced 5 finding\\(s\\) to ${topics.audit.replace(/\./g, '\\.')}`));
  const opened = await waitFor(readAlerts, (a) => a.length >= 3, 60_000, 'three opens');
  assert.deepEqual(summary(opened), ['exposed-windows-domain vm113 open', 'exposed-windows-domain win11-gaming open', 'exposed-windows-domain win2k16-sql open']);
  const vm113 = opened[0]!;
  assert.match(vm113.message, /^vm113 on sc7-\w+ runs Windows without relaxed, spinlocks, vapic, time \(exposed to CLOCK_WATCHDOG_TIMEOUT, not hung yet\); add inside <features>: <hyperv><relaxed state='on'\/>/);
  assert.deepEqual(vm113.alert.incidents, []);
  assert.equal(vm113.alert.findings?.length, 1);
  await waitFor(() => findingsConsumed(alerter), (n) => n === 5, 30_000, 'the five findings consumed');
  await alerter.stop();
  running = undefined;

  // vm113 gets the <hyperv> block (hv_time still missing: partial, which is not exposure) and is audited again.
  const file = join(dir, 'seed-vm113-libvirt1.3-no-hyperv.xml');
  const xml = readFileSync(file, 'utf8');
  writeFileSync(file, xml.replace('<pae/>', "<pae/>\n    <hyperv><relaxed state='on'/><vapic state='on'/><spinlocks state='on' retries='8191'/></hyperv>"));
  await new Promise((r) => setTimeout(r, 5)); // a later audit time, whatever the clock's resolution
  auditCli();

  alerter = await startAlerter(env(), logger);
  running = alerter;
  // The whole audit topic is replayed: the first run's findings are recognized, the second's applied.
  await waitFor(() => findingsConsumed(alerter), (n) => n === 10, 60_000, 'both runs consumed after the restart');
  await waitFor(async () => alerter.ready(), (ready) => ready, 30_000, 'readiness');
  const all = await waitFor(readAlerts, (a) => a.length >= 4, 30_000, 'the close');
  await alerter.stop();
  running = undefined;
  assert.deepEqual(summary(all), [...summary(opened), 'exposed-windows-domain vm113 closed']);
  const closed = all[3]!;
  assert.equal(closed.alert.id, vm113.alert.id);
  assert.match(closed.message, /finds it partial \(still missing time\)$/);
});
