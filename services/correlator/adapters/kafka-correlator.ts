import type { Consumer, EachBatchPayload, IHeaders, Kafka, Message, Producer } from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import { buildDeadLetter } from '../../../shared/deadletter.js';
import { HangwatchError } from '../../../shared/errors.js';
import type { Logger } from '../../../shared/logger.js';
import type { MetricsRegistry } from '../../../shared/metrics.js';
import { listEventProblems, SCHEMA_VERSION, type EcsEvent } from '../../../shared/schema/event.js';
import { TOPICS } from '../../../shared/topics.js';
import { Correlator } from '../core/correlator.js';
import type { FactsSnapshot } from '../core/facts-snapshot.js';
import { OffsetLedger } from '../core/offset-ledger.js';
import { resolveOptions, type CorrelatorOptions } from '../core/options.js';
import { publishSnapshots, readSnapshots } from './identity-snapshots.js';

// The correlator service's I/O. Consumes hangwatch.events.v1 (keyed by hypervisor, so one partition holds a
// host's and its guests' records), one Correlator per partition. Produces:
// - incidents to hangwatch.incidents.v1, key incident.id (what the indexer and alerter read), null value for a
//   tombstone, header `hw-hypervisor`;
// - re-emitted (re-attributed / re-timed) events back to hangwatch.events.v1, key hypervisor, same event.id,
//   header `hw-enriched: 1`: the indexer replaces the document, and this consumer skips them, so nothing loops;
// - records that are not events to the dead-letter topic (stage `correlate`).
// Offsets are committed only up to the first record the state still needs (OffsetLedger), after everything the
// batch produced was acknowledged and the learned facts were snapshotted to the identity topic: a restart
// replays from there and converges on the same incidents (same ids).

export const ENRICHED_HEADER = 'hw-enriched';
export const HYPERVISOR_HEADER = 'hw-hypervisor';

export interface KafkaCorrelatorOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly correlatorOptions: CorrelatorOptions;
  readonly snapshotFacts: boolean;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
}

export interface KafkaCorrelator {
  readonly ready: () => boolean;
  stop(): Promise<void>;
}

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
  const correlators = new Map<number, Correlator>();
  const correlatorFor = (partition: number): Correlator => {
    let c = correlators.get(partition);
    if (!c) correlators.set(partition, (c = new Correlator(resolved, (h) => snapshots.get(h))));
    return c;
  };
  const ledger = new OffsetLedger();
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const consumer: Consumer = kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false, sessionTimeout: 30_000 });
  let running = false;
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.events, fromBeginning: true });

  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
      const correlator = correlatorFor(batch.partition);
      const key = String(batch.partition);
      const incidentMessages: Message[] = [];
      const eventMessages: Message[] = [];
      const letters: Message[] = [];
      let last: string | undefined;
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break;
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
        ledger.note(key, message.offset, event.libvirt?.hypervisor ?? '', Date.parse(event['@timestamp']), event.hangwatch.time.basis === 'zone' && !event.hangwatch.time.zone);
        for (const incident of out.incidents) {
          incidentMessages.push({ key: incident.incident.id, value: JSON.stringify(incident), headers: { 'schema-version': SCHEMA_VERSION, [HYPERVISOR_HEADER]: incident.libvirt.hypervisor ?? '' } });
        }
        for (const id of out.tombstones) incidentMessages.push({ key: id, value: null, headers: { [HYPERVISOR_HEADER]: event.libvirt?.hypervisor ?? '' } });
        upserts.inc({}, out.incidents.length);
        tombstones.inc({}, out.tombstones.length);
        for (const e of out.events) {
          eventMessages.push({ key: e.libvirt?.hypervisor ?? '', value: JSON.stringify(e), headers: { 'schema-version': SCHEMA_VERSION, [ENRICHED_HEADER]: '1' } });
        }
        reemitted.inc({}, out.events.length);
      }
      if (last === undefined) return;
      const topicMessages = [];
      if (incidentMessages.length > 0) topicMessages.push({ topic: TOPICS.incidents, messages: incidentMessages });
      if (eventMessages.length > 0) topicMessages.push({ topic: TOPICS.events, messages: eventMessages });
      if (letters.length > 0) topicMessages.push({ topic: TOPICS.deadletter, messages: letters });
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
      logger.debug({ partition: batch.partition, received: batch.messages.length, incidents: incidentMessages.length, reemitted: eventMessages.length, commit }, 'batch correlated');
    },
  });
  running = true;
  consumer.on(consumer.events.CRASH, (e) => {
    running = false;
    logger.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
  });
  return {
    ready: () => running,
    stop: async () => {
      running = false;
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
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
