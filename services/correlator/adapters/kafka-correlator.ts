import type { FailService, RunningConsumer } from '../../../shared/service-runtime.js';
import { batchKeepAlive, rejoiningOnMembershipLoss } from '../../../shared/clients/batch-keep-alive.js';
import { watchConsumer } from '../../../shared/clients/kafka.js';
import type { Consumer, EachBatchPayload, Kafka, Message, Producer } from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import { buildDeadLetter } from '../../../shared/deadletter.js';
import { HangwatchError } from '../../../shared/errors.js';
import type { Logger } from '../../../shared/logger.js';
import type { MetricsRegistry } from '../../../shared/metrics.js';
import { listEventProblems, SCHEMA_VERSION, type EcsEvent } from '../../../shared/schema/event.js';
import { TOPICS } from '../../../shared/topics.js';
import { Correlator, type CorrelatorOutput } from '../core/correlator.js';
import { GuestPlacements } from '../core/guest-placements.js';
import type { FactsSnapshot } from '../core/facts-snapshot.js';
import { OffsetLedger } from '../core/offset-ledger.js';
import { resolveOptions, type CorrelatorOptions } from '../core/options.js';
import { publishSnapshots, readSnapshots } from './identity-snapshots.js';
import { followIdentity, macRecordMessages } from './identity-topic.js';
import { headerText, HYPERVISOR_HEADER, partitionIncidentsByHypervisor } from './incident-partitioner.js';

// The correlator service's I/O. Consumes hangwatch.events.v1 (keyed by hypervisor, so one partition holds a
// host's and its guests' records), one Correlator per partition. Produces:
// - incidents to hangwatch.incidents.v1, key incident.id (what the indexer and alerter read), null value for a
//   tombstone, header `hw-hypervisor`, partition chosen from that header (incident-partitioner.ts): one
//   hypervisor's incidents are on one partition;
// - re-emitted (re-attributed / re-timed) events back to hangwatch.events.v1, key hypervisor, same event.id,
//   header `hw-enriched: 1`: the indexer replaces the document, and this consumer skips them, so nothing loops;
// - guest records that arrived with no hypervisor and are now placed by MAC, back to hangwatch.events.v1 keyed
//   by that hypervisor, same event.id, without `hw-enriched`: the indexer replaces the unresolved document and
//   the replica owning that hypervisor correlates them (they carry a hypervisor now, so they never come back);
// - MAC placements learned from qemu command lines to the compacted hangwatch.identity.v1 (`mac:` keys), which
//   every replica follows live to re-emit the unplaced guest records it holds (identity-topic.ts);
// - records that are not events to the dead-letter topic (stage `correlate`).
// Offsets are committed only up to the first record the state still needs (OffsetLedger), after everything the
// batch produced was acknowledged and the learned facts were snapshotted to the identity topic: a restart
// replays from there and converges on the same incidents (same ids).

export const ENRICHED_HEADER = 'hw-enriched';
export { HYPERVISOR_HEADER };

export interface KafkaCorrelatorOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly correlatorOptions: CorrelatorOptions;
  readonly snapshotFacts: boolean;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  /** Called when the consumer crashed for good (kafkajs will not restart it): main stops the service, exit 1. */
  readonly onFatal?: FailService;
}

export type KafkaCorrelator = RunningConsumer;

export async function startKafkaCorrelator(options: KafkaCorrelatorOptions): Promise<KafkaCorrelator> {
  const { kafka, logger, metrics } = options;
  const resolved = resolveOptions(options.correlatorOptions);
  const received = metrics.counter('hangwatch_correlator_events_received_total', 'Events consumed');
  const upserts = metrics.counter('hangwatch_correlator_incident_upserts_total', 'Incident upserts produced');
  const tombstones = metrics.counter('hangwatch_correlator_incident_tombstones_total', 'Incident tombstones produced');
  const reemitted = metrics.counter('hangwatch_correlator_events_reemitted_total', 'Enriched events re-emitted');
  const dead = metrics.counter('hangwatch_correlator_deadletters_total', 'Records sent to the dead letter topic');
  const held = metrics.gauge('hangwatch_correlator_events_held', 'Events held in state per partition');
  const lag = metrics.gauge('hangwatch_consumer_lag', 'Messages behind the partition high watermark');
  const snapshots: Map<string, FactsSnapshot> = options.snapshotFacts ? await readSnapshots(kafka, options.groupId, logger) : new Map();
  // Fleet-wide MAC placements, shared by this process's partitions and fed by every replica via the identity topic.
  const placements = new GuestPlacements();
  const correlators = new Map<number, Correlator>();
  const correlatorFor = (partition: number): Correlator => {
    let c = correlators.get(partition);
    if (!c) correlators.set(partition, (c = new Correlator(resolved, (h) => snapshots.get(h), placements)));
    return c;
  };
  // Batches and re-homing passes change the same state: one at a time (kafkajs awaits inside a batch).
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn);
    chain = next.catch(() => undefined);
    return next;
  };
  const rehomed = metrics.counter('hangwatch_correlator_events_rehomed_total', 'Unplaced guest records re-emitted on the hypervisor their MAC places them on');
  const ledger = new OffsetLedger();
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: partitionIncidentsByHypervisor });
  const consumer: Consumer = kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false, sessionTimeout: 30_000 });
  let running = false;
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.events, fromBeginning: true });

  /** Messages for one output of the core (incidents, tombstones, enriched and re-homed events, placements). */
  const collect = (out: CorrelatorOutput, into: { incidents: Message[]; events: Message[]; identity: Message[] }): void => {
    for (const incident of out.incidents) {
      into.incidents.push({ key: incident.incident.id, value: JSON.stringify(incident), headers: { 'schema-version': SCHEMA_VERSION, [HYPERVISOR_HEADER]: incident.libvirt.hypervisor ?? '' } });
    }
    out.tombstones.forEach((id, i) => into.incidents.push({ key: id, value: null, headers: { [HYPERVISOR_HEADER]: out.tombstoneHypervisors[i] ?? '' } }));
    upserts.inc({}, out.incidents.length);
    tombstones.inc({}, out.tombstones.length);
    for (const e of out.events) {
      into.events.push({ key: e.libvirt?.hypervisor ?? '', value: JSON.stringify(e), headers: { 'schema-version': SCHEMA_VERSION, [ENRICHED_HEADER]: '1' } });
    }
    reemitted.inc({}, out.events.length);
    for (const e of out.rehomed) into.events.push({ key: e.libvirt?.hypervisor ?? '', value: JSON.stringify(e), headers: { 'schema-version': SCHEMA_VERSION } });
    rehomed.inc({}, out.rehomed.length);
    into.identity.push(...macRecordMessages(out.identity));
  };
  const topicMessagesOf = (into: { incidents: Message[]; events: Message[]; identity: Message[] }, letters: Message[] = []) => {
    const topicMessages = [];
    if (into.incidents.length > 0) topicMessages.push({ topic: TOPICS.incidents, messages: into.incidents });
    if (into.events.length > 0) topicMessages.push({ topic: TOPICS.events, messages: into.events });
    if (into.identity.length > 0) topicMessages.push({ topic: TOPICS.identity, messages: into.identity });
    if (letters.length > 0) topicMessages.push({ topic: TOPICS.deadletter, messages: letters });
    return topicMessages;
  };
  /** Every partition's held unplaced guest records against the placements known now. */
  const rehomeAll = (into: { incidents: Message[]; events: Message[]; identity: Message[] }): void => {
    for (const c of correlators.values()) collect(c.rehome(), into);
  };

  // Placements from the other replicas (and our own, echoed): a re-homing pass whenever one is new.
  let pending = false;
  const identity = await followIdentity({
    kafka,
    groupPrefix: `${options.groupId}-identity`,
    logger,
    onMac: (record) => {
      if (!placements.learn(record) || pending) return;
      pending = true;
      void serial(async () => {
        pending = false;
        const into = { incidents: [], events: [], identity: [] };
        rehomeAll(into);
        const topicMessages = topicMessagesOf(into);
        if (topicMessages.length > 0) await producer.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.GZIP });
      }).catch((error: unknown) => logger.error({ err: error }, 're-homing pass failed: the records stay unplaced until a restart replays them'));
    },
  });
  // Placements older than the replayed events are known before the first of them is correlated.
  await identity.caughtUp;

  const correlateBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> => {
    const correlator = correlatorFor(batch.partition);
    const key = String(batch.partition);
    const into = { incidents: [] as Message[], events: [] as Message[], identity: [] as Message[] };
    const letters: Message[] = [];
    const placementsBefore = placements.version;
    let last: string | undefined;
    const keepAlive = batchKeepAlive(heartbeat);
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      const beat = keepAlive();
      if (beat) await beat;
      last = message.offset;
      if (headerText(message.headers, ENRICHED_HEADER) === '1') {
        ledger.skip(key, message.offset);
        continue;
      }
      received.inc();
      const event = readEvent(message.value);
      if (typeof event === 'string') {
        const error = new HangwatchError('HW_SCHEMA_INVALID', [event]);
        const letter = buildDeadLetter({ stage: 'correlate', error, original: message.value ?? '', source: { kafka: { topic: batch.topic, partition: batch.partition, offset: message.offset } }, at: new Date().toISOString() });
        letters.push({ key: message.key, value: JSON.stringify(letter), headers: { 'schema-version': SCHEMA_VERSION } });
        ledger.skip(key, message.offset);
        continue;
      }
      const out = correlator.push(event);
      // Placed at once: the state does not keep it, its re-homed copy goes out with this batch, before the commit.
      if (out.rehomed.some((e) => e.event.id === event.event.id)) ledger.skip(key, message.offset);
      else ledger.note(key, message.offset, event.libvirt?.hypervisor ?? '', Date.parse(event['@timestamp']), event.hangwatch.time.basis === 'zone' && !event.hangwatch.time.zone);
      collect(out, into);
    }
    if (last === undefined) return;
    // A placement learned here may place records another partition of this process holds.
    if (placements.version !== placementsBefore) rehomeAll(into);
    const topicMessages = topicMessagesOf(into, letters);
    if (topicMessages.length > 0) await producer.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.GZIP });
    dead.inc({}, letters.length);
    resolveOffset(last);
    const commit = ledger.committable(key, (h) => correlator.horizonMs(h));
    if (commit !== undefined) {
      if (options.snapshotFacts) {
        await publishSnapshots(producer, correlator.hypervisors().map((h) => correlator.snapshotFacts(h)).filter((s): s is FactsSnapshot => s !== undefined));
      }
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: commit }]);
    }
    await heartbeat();
    held.set({ partition: key }, ledger.held(key));
    lag.set({ topic: batch.topic, partition: key }, Math.max(0, Number(batch.highWatermark) - Number(last) - 1));
    logger.debug({ partition: batch.partition, received: batch.messages.length, incidents: into.incidents.length, events: into.events.length, commit }, 'batch correlated');
  };

  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: rejoiningOnMembershipLoss((payload: EachBatchPayload) => serial(() => correlateBatch(payload))),
  });
  running = true;
  watchConsumer(consumer, { what: 'correlator consumer', logger, ...(options.onFatal ? { onFatal: options.onFatal } : {}), onUp: (up) => (running = up) });
  return {
    ready: () => running,
    stop: async () => {
      running = false;
      await identity.stop();
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

/** The event, or the reason it is not one. */
function readEvent(value: Buffer | null): EcsEvent | string {
  if (value === null) return 'null value';
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  const problems = listEventProblems(parsed);
  return problems.length === 0 ? (parsed as EcsEvent) : problems.slice(0, 5).join('; ');
}
