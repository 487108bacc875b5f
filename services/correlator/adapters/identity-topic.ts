import type { Kafka, KafkaMessage, Message } from 'kafkajs';
import type { Logger } from '../../../shared/logger.js';
import { TOPICS } from '../../../shared/topics.js';
import { startTopicReader, type TopicReader } from '../../alerter/adapters/topic-reader.js';
import type { MacRecord } from '../core/guest-placements.js';

// MAC placements on the compacted identity topic (DESIGN.md section 7): key `mac:<hypervisor>:<mac>`, value the
// MacRecord (every domain that used the MAC on that hypervisor, at its qemu command line's time). One key per
// hypervisor and MAC, so a guest that migrates is on both hosts' keys and only the replica that owns a
// hypervisor's partition writes its keys: no two writers race on one key. Written by the correlator in the
// same produce as the batch's incidents (before its offsets are committed); followed live by every correlator
// replica (to re-emit guest records that arrived unplaced) and by the parser (to place Winlogbeat records).

export const MAC_KEY_PREFIX = 'mac:';
export const MAC_RECORD_VERSION = 1;

export function macRecordMessages(records: readonly MacRecord[]): Message[] {
  return records.map((r) => ({ key: `${MAC_KEY_PREFIX}${r.hypervisor}:${r.mac}`, value: JSON.stringify({ version: MAC_RECORD_VERSION, ...r }) }));
}

/** A `mac:` record of the identity topic, or undefined for any other key, a tombstone or an unreadable value. */
export function readMacRecord(message: Pick<KafkaMessage, 'key' | 'value'>): MacRecord | undefined {
  const key = message.key?.toString('utf8') ?? '';
  if (!key.startsWith(MAC_KEY_PREFIX) || message.value === null) return undefined;
  try {
    const value = JSON.parse(message.value.toString('utf8')) as Partial<MacRecord> & { version?: number };
    if (value.version !== MAC_RECORD_VERSION || typeof value.hypervisor !== 'string' || typeof value.mac !== 'string' || !Array.isArray(value.facts)) return undefined;
    const facts = value.facts.filter((f) => typeof f?.atMs === 'number' && typeof f.eventId === 'string' && typeof f.value === 'string');
    return { hypervisor: value.hypervisor, mac: value.mac, facts };
  } catch {
    return undefined;
  }
}

export interface IdentityFollowerOptions {
  readonly kafka: Kafka;
  /** Prefix of the reader's throw-away consumer group (every replica reads every partition). */
  readonly groupPrefix: string;
  readonly logger: Logger;
  readonly onMac: (record: MacRecord) => void;
}

/** Reads the identity topic from its start and keeps following it; `caughtUp` resolves at the end offsets of the start. */
export async function followIdentity(options: IdentityFollowerOptions): Promise<TopicReader> {
  return startTopicReader({
    kafka: options.kafka,
    topic: TOPICS.identity,
    groupPrefix: options.groupPrefix,
    logger: options.logger,
    follow: true,
    onMessage: (message) => {
      const record = readMacRecord(message);
      if (record) options.onMac(record);
    },
  });
}
