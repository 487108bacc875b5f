import { Partitioners, type ICustomPartitioner, type IHeaders } from 'kafkajs';
import { TOPICS } from '../../../shared/topics.js';

// Incidents stay keyed by incident.id (the indexer's _id, and the key a tombstone must share with its upserts
// for compaction), but their partition is chosen from the hypervisor (header `hw-hypervisor`), hashed with the
// very same murmur2 as kafkajs' default (Java-compatible) partitioner: one hypervisor's incidents, upserts and
// tombstones alike, are on one partition, in the order the correlator produced them, and a consumer keyed by
// hypervisor (a Java client included) finds them where it expects. Every other topic is partitioned as usual.

export const HYPERVISOR_HEADER = 'hw-hypervisor';

export const partitionIncidentsByHypervisor: ICustomPartitioner = () => {
  const byKey = Partitioners.DefaultPartitioner();
  return (args) => {
    if (args.topic !== TOPICS.incidents) return byKey(args);
    const hypervisor = headerText(args.message.headers, HYPERVISOR_HEADER);
    if (hypervisor === undefined) return byKey(args);
    return byKey({ ...args, message: { ...args.message, key: hypervisor } });
  };
};

export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
