import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import { rejoiningOnMembershipLoss } from '../../../shared/clients/batch-keep-alive.js';
import { watchConsumer } from '../../../shared/clients/kafka.js';
import type { Logger } from '../../../shared/logger.js';
import type { FailService } from '../../../shared/service-runtime.js';
import type { MetricsRegistry } from '../../../shared/metrics.js';
import { AlertSchema, type Alert } from '../../../shared/schema/alert.js';
import { SCHEMA_VERSION } from '../../../shared/schema/event.js';
import { IncidentSchema } from '../../../shared/schema/incident.js';
import { AlertEngine, type EngineOptions } from '../core/engine.js';
import { ExposureEngine } from '../core/exposure.js';
import { ReorderBuffer } from '../core/reorder-buffer.js';
import { ReplayGuard } from '../core/replay-guard.js';
import { isTrustedIncidentTime } from '../core/trusted-incident-time.js';
import type { Rule } from '../core/rule.js';
import { SilenceBook, parseSilence, partitionBySilence } from '../core/silence.js';
import { startAuditInput, type AuditInput } from './audit-input.js';
import { startTopicReader, type TopicReader } from './topic-reader.js';
import type { WebhookSender } from './webhook-sender.js';

// The streaming alerter. Its state is a pure function of the incidents topic (and, for exposure rules, of the
// audit topic: audit-input.ts), so it never commits offsets:
// on every start (and every rebalance) it replays its partitions from the beginning, after loading the
// alerts already produced (ReplayGuard), and produces only the state changes that are new. Restarts neither
// re-fire nor lose an alert; every replica honours the silences it follows on the compacted topic.

export interface KafkaAlerterOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  /** audit: findings for the exposure rules; absent, empty or `none`: not read. */
  readonly topics: { readonly incidents: string; readonly alerts: string; readonly silences: string; readonly audit?: string };
  readonly rules: readonly Rule[];
  readonly engine: EngineOptions;
  readonly idleCloseAfterMs: number;
  readonly tickMs: number;
  readonly webhooks: readonly WebhookSender[];
  readonly webhookDrainTimeoutMs: number;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  readonly now?: () => number;
  /** Called when a consumer crashed for good (kafkajs will not restart it): main stops the service, exit 1. */
  readonly onFatal?: FailService;
}

export interface KafkaAlerter {
  /** Ledger and silences loaded, group joined, and the assigned partitions replayed to their end at join. */
  readonly ready: () => boolean;
  stop(): Promise<void>;
}

export async function startKafkaAlerter(options: KafkaAlerterOptions): Promise<KafkaAlerter> {
  const { kafka, logger, metrics, topics } = options;
  const now = options.now ?? Date.now;
  const log = logger.child({ component: 'alerter' });
  const received = metrics.counter('hangwatch_alerter_incidents_received_total', 'Incident records consumed, by kind (upsert, tombstone, invalid)');
  const alertsTotal = metrics.counter('hangwatch_alerter_alerts_total', 'Alert state changes produced, by rule and state');
  const silencedTotal = metrics.counter('hangwatch_alerter_notifications_silenced_total', 'Alert state changes not notified because of a silence');
  const replaySkipped = metrics.counter('hangwatch_alerter_replay_skipped_total', 'State changes re-derived by replay and not produced again, by reason');
  const tooLate = metrics.counter('hangwatch_alerter_incidents_too_late_total', 'Incidents older than the allowed lateness, not counted');
  const waitingGauge = metrics.gauge('hangwatch_alerter_reorder_waiting', 'Incidents waiting for the slowest partition before they are evaluated');
  const openGauge = metrics.gauge('hangwatch_alerter_open_episodes', 'Alert episodes currently open');
  const lagGauge = metrics.gauge('hangwatch_consumer_lag', 'Messages behind the partition high watermark');

  // 1. What was already produced: the alerts topic, read to its end. It also seeds the exposure rules' state,
  // since their input (the compacted audit topic) may no longer hold the finding that opened an episode.
  const guard = new ReplayGuard();
  const exposure = new ExposureEngine(options.rules);
  const ledger = await startTopicReader({
    kafka,
    topic: topics.alerts,
    groupPrefix: `${options.groupId}-ledger`,
    logger: log,
    follow: false,
    onMessage: (message) => {
      const alert = parseAlert(message.value);
      if (alert) {
        guard.remember(alert);
        exposure.seed(alert);
      }
    },
  });
  await ledger.caughtUp;
  log.info({ produced: guard.size }, 'alert ledger loaded');

  // 2. Silences, followed for the whole run.
  const silences = new SilenceBook();
  const silenceReader: TopicReader = await startTopicReader({
    kafka,
    topic: topics.silences,
    groupPrefix: `${options.groupId}-silences`,
    logger: log,
    follow: true,
    ...(options.onFatal ? { onFatal: options.onFatal } : {}),
    onMessage: (message) => {
      const key = message.key?.toString('utf8');
      if (key === undefined) return;
      const value = message.value === null ? null : message.value.toString('utf8');
      const silence = parseSilence(value);
      if (value !== null && !silence) log.warn({ key }, 'ignoring a silence record that does not parse');
      silences.apply(key, silence);
    },
  });
  await silenceReader.caughtUp;

  // 3. The engine, the outbox and the delivery of state changes.
  // Partitions are read at unequal speeds (a replay delivers one partition's whole history in a few batches),
  // so event time is the slowest partition still behind its end, or the newest seen when none is behind;
  // incidents wait in the reorder buffer until it has passed them. Only trusted incident times count (a guest
  // claiming the year 2200 would release everything at once); lateness and closing are the engine's, per hypervisor.
  const engine = new AlertEngine(options.rules, options.engine);
  const buffer = new ReorderBuffer();
  const newest = new Map<string, number>(); // partition -> newest incident time read
  const behind = new Set<string>(); // partitions with records left to read
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const outbox: Alert[] = [];
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn);
    chain = next.catch(() => undefined);
    return next;
  };

  const emit = async (alerts: readonly Alert[]): Promise<void> => {
    for (const alert of alerts) {
      const admission = guard.admit(alert);
      if (admission === 'new') outbox.push(alert);
      else replaySkipped.inc({ reason: admission });
    }
    if (outbox.length === 0) return;
    // Kept until Kafka acknowledged them: a failed send is retried with the next batch or tick, because the
    // engine will not derive these changes again.
    const sending = outbox.slice();
    await producer.send({
      topic: topics.alerts,
      acks: -1,
      messages: sending.map((alert) => ({ key: alert.alert.id, value: JSON.stringify(alert), headers: { 'schema-version': SCHEMA_VERSION } })),
    });
    outbox.splice(0, sending.length);
    const { notify, silenced } = partitionBySilence(sending, silences, now());
    for (const alert of sending) {
      alertsTotal.inc({ rule: alert.rule.id, state: alert.alert.state });
      log.info(
        { alertId: alert.alert.id, rule: alert.rule.id, key: alert.alert.key, state: alert.alert.state, count: alert.alert.count, at: alert['@timestamp'], silenced: silenced.includes(alert) },
        alert.message,
      );
    }
    silencedTotal.inc({}, silenced.length);
    for (const alert of notify) for (const webhook of options.webhooks) webhook.enqueue(alert);
    openGauge.set(undefined, engine.openEpisodeCount() + exposure.openEpisodeCount());
  };

  // 4. Audit findings, for the exposure rules only. Started before the incidents consumer: the incidents' first
  // join then still finds what was produced right after start among the partitions to replay (measured: started
  // after it, test/integration/alerter-restart.test.ts saw incidents of one partition released before another's).
  let audit: AuditInput | undefined;
  if (exposure.ruleCount > 0 && topics.audit && topics.audit !== 'none') {
    audit = await startAuditInput({ kafka, groupId: `${options.groupId}-audit`, topic: topics.audit, engine: exposure, serial, emit, logger: log, metrics, ...(options.onFatal ? { onFatal: options.onFatal } : {}) });
  }

  // 5. Incidents: replayed from the beginning of each assigned partition on every join.
  const consumer: Consumer = kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false, sessionTimeout: 30_000 });
  const targets = new Map<string, bigint>(); // partition -> end offset at join, until reached
  const positions = new Map<string, bigint>(); // partition -> next offset to process
  let joined = false;
  let running = true;
  let lastArrival = now();
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    void (async () => {
      const assigned = event.payload.memberAssignment[topics.incidents] ?? [];
      const admin = kafka.admin();
      await admin.connect();
      try {
        const offsets = await admin.fetchTopicOffsets(topics.incidents);
        targets.clear();
        for (const o of offsets) {
          const done = positions.get(`${o.partition}`) ?? BigInt(o.low);
          if (assigned.includes(o.partition) && BigInt(o.high) > done) targets.set(`${o.partition}`, BigInt(o.high));
        }
      } finally {
        await admin.disconnect();
      }
      joined = true;
      log.info({ partitions: assigned, replaying: targets.size }, 'joined the alerter group');
    })().catch((error: unknown) => log.error({ err: error }, 'cannot read partition end offsets'));
  });
  // Up again only once the join's end offsets are known (GROUP_JOIN above), so onUp only takes readiness down.
  watchConsumer(consumer, { what: 'alerter incidents consumer', logger: log, ...(options.onFatal ? { onFatal: options.onFatal } : {}), onUp: (up) => (joined &&= up) });
  await consumer.connect();
  await consumer.subscribe({ topic: topics.incidents, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: rejoiningOnMembershipLoss(async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
      await serial(async () => {
        const alerts: Alert[] = [];
        let last: string | undefined;
        for (const message of batch.messages) {
          if (!isRunning() || isStale()) break;
          last = message.offset;
          const id = message.key?.toString('utf8');
          if (message.value === null) {
            received.inc({ kind: 'tombstone' });
            if (id) {
              buffer.remove(id);
              alerts.push(...engine.remove(id));
            }
            continue;
          }
          const incident = parseIncident(message.value);
          if (!incident) {
            received.inc({ kind: 'invalid' });
            log.warn({ partition: batch.partition, offset: message.offset }, 'skipping a record that is not an incident');
            continue;
          }
          const ts = Date.parse(incident['@timestamp']);
          if (isTrustedIncidentTime(incident) && ts > (newest.get(`${batch.partition}`) ?? -Infinity)) newest.set(`${batch.partition}`, ts);
          received.inc({ kind: 'upsert' });
          buffer.add(incident);
        }
        if (last !== undefined) {
          positions.set(`${batch.partition}`, BigInt(last) + 1n);
          const end = targets.get(`${batch.partition}`);
          if (end !== undefined && BigInt(last) + 1n >= end) targets.delete(`${batch.partition}`);
          if (BigInt(last) + 1n < BigInt(batch.highWatermark)) behind.add(`${batch.partition}`);
          else behind.delete(`${batch.partition}`);
        }
        alerts.push(...releaseDue());
        await emit(alerts);
        if (last === undefined) return;
        resolveOffset(last);
        lastArrival = now();
        lagGauge.set({ topic: batch.topic, partition: String(batch.partition) }, Math.max(0, Number(batch.highWatermark) - Number(last) - 1));
      });
      await heartbeat();
    }),
  });

  const caughtUp = (): boolean => joined && targets.size === 0;
  function releaseDue(): Alert[] {
    const alerts: Alert[] = [];
    for (const incident of buffer.release(watermark(), joined && behind.size === 0 && targets.size === 0)) {
      const result = engine.upsert(incident);
      if (result.tooLate) {
        tooLate.inc();
        log.warn({ incidentId: incident.incident.id, at: incident['@timestamp'] }, 'incident older than the allowed lateness: not counted');
      }
      alerts.push(...result.alerts);
    }
    waitingGauge.set(undefined, buffer.size);
    return alerts;
  }
  function watermark(): number {
    const lagging = new Set([...behind, ...targets.keys()]);
    if (!joined) return -Infinity;
    if (lagging.size > 0) return Math.min(...[...lagging].map((p) => newest.get(p) ?? -Infinity));
    return newest.size > 0 ? Math.max(...newest.values()) : -Infinity;
  }
  // 6. Time passes without incidents: close quiet episodes, send held-back updates (event time runs on with
  // the wall clock only once the input has been idle, and never before the replay has caught up).
  const timer = setInterval(() => {
    void serial(async () => {
      if (buffer.size > 0) await emit(releaseDue());
      if (!caughtUp() || options.idleCloseAfterMs === 0) return;
      const idle = now() - lastArrival;
      if (idle < options.idleCloseAfterMs) return;
      await emit(engine.advanceIdle(idle));
    }).catch((error: unknown) => log.error({ err: error }, 'idle tick failed'));
  }, options.tickMs);
  timer.unref();

  return {
    ready: () => running && caughtUp() && silenceReader.isCaughtUp() && (audit?.ready() ?? true),
    stop: async () => {
      running = false;
      clearInterval(timer);
      await consumer.disconnect();
      await audit?.stop();
      await chain;
      await Promise.all(options.webhooks.map((w) => w.drain(options.webhookDrainTimeoutMs)));
      await silenceReader.stop();
      await producer.disconnect();
    },
  };
}

function parseIncident(value: Buffer): ReturnType<typeof IncidentSchema.parse> | undefined {
  try {
    const parsed = IncidentSchema.safeParse(JSON.parse(value.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function parseAlert(value: Buffer | null): Alert | undefined {
  if (value === null) return undefined;
  try {
    const parsed = AlertSchema.safeParse(JSON.parse(value.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
