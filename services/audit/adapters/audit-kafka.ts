import type { Kafka } from 'kafkajs';
import { sendBatchBounded } from '../../../shared/clients/kafka.js';
import { HangwatchError } from '../../../shared/errors.js';
import { SCHEMA_VERSION } from '../../../shared/schema/event.js';
import type { AuditFinding } from '../core/audit-finding.js';
import { auditRecordKey } from '../core/audit-record.js';

// Produces audit findings to the audit topic (hangwatch.audit.v1), key hypervisor/domain, for the alerter's
// exposure rules and, when it is pointed at the topic, the indexer. acks=all and one request after another, so a
// domain's findings stay in order on its partition.

export async function produceAuditFindings(kafka: Kafka, topic: string, findings: readonly AuditFinding[], brokers: string): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  try {
    await producer.connect();
    if (findings.length > 0) {
      await sendBatchBounded(producer, {
        acks: -1,
        topicMessages: [{ topic, messages: findings.map((f) => ({ key: auditRecordKey(f), value: JSON.stringify(f), headers: { 'schema-version': SCHEMA_VERSION } })) }],
      });
    }
    return findings.length;
  } catch (error) {
    throw new HangwatchError('HW_KAFKA_UNAVAILABLE', [brokers, error instanceof Error ? error.message : String(error)], { cause: error });
  } finally {
    await producer.disconnect().catch(() => {});
  }
}
