import type { Logger } from '../../../shared/logger.js';
import type { MetricsRegistry } from '../../../shared/metrics.js';
import type { InputConfig } from '../core/file-config.js';
import type { HostMetricsKind } from '../core/host-metrics-records.js';
import { buildSampleRecord } from '../core/sample-record.js';
import type { OutRecord } from '../core/send-queue.js';
import { startHostMetricsInput, type HostMetricsInput } from './host-metrics.js';

// `type: metrics` inputs (issue 15): the host metrics sampler's records go straight into the send queue (no spool:
// a sample is only worth something fresh, and its id comes from its sampling instant, core/sample-record.ts).
// While Kafka is away and the queue is full a round is dropped whole, counted and logged once per outage:
// reading files pauses under backpressure, but a sampler cannot pause time.

export interface MetricsInputs {
  stop(): Promise<void>;
}

export function startMetricsInputs(inputs: readonly InputConfig[], offer: (record: OutRecord) => boolean, logger: Logger, metrics: MetricsRegistry): MetricsInputs {
  const dropped = metrics.counter('hangwatch_shipper_samples_dropped_total', 'Host metrics records dropped because the send queue was full (Kafka unreachable)');
  const samplers: HostMetricsInput[] = inputs.map((input) => {
    const log = logger.child({ input: input.name });
    const next = new Map<HostMetricsKind, { sampledMs: number; index: number }>();
    let dropping = false;
    log.info({ interval_ms: input.intervalMs, virsh: input.virsh }, 'starting host metrics input');
    return startHostMetricsInput(
      {
        intervalMs: input.intervalMs,
        virsh: input.virsh,
        onError: (what, error) => log.warn({ what, err: error }, 'host metrics: part of a sampling round failed; the next round tries again'),
      },
      (text, kind, sampledMs) => {
        const at = next.get(kind);
        const index = at?.sampledMs === sampledMs ? at.index : 0;
        next.set(kind, { sampledMs, index: index + 1 });
        const accepted = offer(buildSampleRecord({ host: input.host, kind, sampledMs, index, text, created: new Date().toISOString() }));
        if (accepted) {
          if (dropping) log.info('host metrics: the send queue has room again; sampling records shipped again');
          dropping = false;
          return;
        }
        dropped.inc({ kind });
        if (!dropping) log.warn({ kind }, 'host metrics: the send queue is full (Kafka unreachable?); samples are dropped and counted until it drains');
        dropping = true;
      },
    );
  });
  return {
    async stop() {
      await Promise.all(samplers.map((s) => s.stop()));
    },
  };
}
