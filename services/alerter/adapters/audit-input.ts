import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { rejoiningOnMembershipLoss } from '../../../shared/clients/batch-keep-alive.js';
import { watchConsumer } from '../../../shared/clients/kafka.js';
import type { Logger } from '../../../shared/logger.js';
import type { FailService } from '../../../shared/service-runtime.js';
import type { MetricsRegistry } from '../../../shared/metrics.js';
import type { Alert } from '../../../shared/schema/alert.js';
import { parseAuditRecord } from '../../audit/core/audit-record.js';
import type { ExposureEngine } from '../core/exposure.js';

// The alerter's second input: audit findings (`hangwatch audit --kafka`) for the exposure rules. Its own consumer
// group, so the audit topic's partitions (keyed by hypervisor/domain) are shared among the replicas apart from the
// incidents' (keyed by hypervisor). Like the incidents, it never commits offsets: every join replays the topic,
// and the engine (seeded from the alerts ledger, newer findings only) turns a replay into no new state change.

export interface AuditInputOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topic: string;
  readonly engine: ExposureEngine;
  /** Runs fn after every earlier batch or tick of the alerter (one engine, one outbox). */
  readonly serial: <T>(fn: () => Promise<T>) => Promise<T>;
  readonly emit: (alerts: readonly Alert[]) => Promise<void>;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  /** Called when a consumer crashed for good (kafkajs will not restart it): main stops the service, exit 1. */
  readonly onFatal?: FailService;
}

export interface AuditInput {
  /** Joined its group (or there is nothing to read). */
  readonly ready: () => boolean;
  stop(): Promise<void>;
}

export async function startAuditInput(options: AuditInputOptions): Promise<AuditInput> {
  const { kafka, topic, engine, logger } = options;
  const log = logger.child({ component: 'alerter-audit' });
  const received = options.metrics.counter('hangwatch_alerter_audit_findings_received_total', 'Audit finding records consumed, by kind (finding, stale, tombstone, invalid)');
  if (!(await topicExists(kafka, topic))) {
    // Not fatal: incident rules work without it, and a stack created before the audit topic existed lacks it.
    log.warn({ topic, rules: engine.ruleCount }, 'the audit topic does not exist: exposure rules get no findings (create it with `hangwatch stack topics`)');
    return { ready: () => true, stop: async () => {} };
  }
  let joined = false;
  const consumer: Consumer = kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false, sessionTimeout: 30_000 });
  watchConsumer(consumer, { what: 'alerter audit consumer', logger: log, ...(options.onFatal ? { onFatal: options.onFatal } : {}), onUp: (up) => (joined = up) });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: rejoiningOnMembershipLoss(async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
      await options.serial(async () => {
        const alerts: Alert[] = [];
        let last: string | undefined;
        for (const message of batch.messages) {
          if (!isRunning() || isStale()) break;
          last = message.offset;
          if (message.value === null) {
            // A compaction tombstone: the domain's findings were withdrawn; its alert stays as the last audit left it.
            received.inc({ kind: 'tombstone' });
            continue;
          }
          const finding = parseAuditRecord(message.value.toString('utf8'));
          if (!finding) {
            received.inc({ kind: 'invalid' });
            log.warn({ partition: batch.partition, offset: message.offset }, 'skipping a record that is not an audit finding');
            continue;
          }
          const result = engine.apply(finding);
          received.inc({ kind: result.stale ? 'stale' : 'finding' });
          alerts.push(...result.alerts);
        }
        await options.emit(alerts);
        if (last !== undefined) resolveOffset(last);
      });
      await heartbeat();
    }),
  });
  log.info({ topic, group: options.groupId, rules: engine.ruleCount }, 'reading audit findings');
  return {
    ready: () => joined,
    stop: async () => {
      await consumer.disconnect();
    },
  };
}

async function topicExists(kafka: Kafka, topic: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).includes(topic);
  } finally {
    await admin.disconnect();
  }
}
