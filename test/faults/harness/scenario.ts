import assert from 'node:assert/strict';
import type { Client } from '@elastic/elasticsearch';
import { generateBatch, type Batch, type BatchOptions } from './corpus.js';
import { describe, waitForBatch, type WaitResult } from './observe.js';
import type { Pipeline, ShipperSettings } from './pipeline.js';
import { recordRow } from './table.js';
import { WORK } from './paths.js';
import { TIME_SCALE } from './mode.js';
import { join } from 'node:path';

// One fault test over a running pipeline: generate a batch, ship it, strike while it streams, wait until
// Elasticsearch holds the batch completely (or the timeout), record the table row, assert the end state.

export interface FaultContext {
  readonly pipeline: Pipeline;
  readonly batch: Batch;
  readonly es: Client;
}

export interface FaultSpec {
  /** Table order key (file prefix + index), e.g. `20-03`. */
  readonly order: string;
  readonly fault: string;
  readonly batch: Omit<BatchOptions, 'tag'>;
  readonly shipper?: ShipperSettings;
  /** The shipper's state folder (default: one per batch under the pipeline's folder). */
  readonly shipperStateDir?: string;
  /** Rearranges the generated batch before the shipper starts (and says what the end state must be). */
  readonly prepare?: (batch: Batch) => Promise<Batch>;
  /**
   * Runs after the shipper started; resolves when the fault is over (recovery is measured from then), with a
   * note for the table saying where in the stream the fault struck.
   */
  readonly strike?: (ctx: FaultContext) => Promise<string | void>;
  readonly timeoutMs?: number;
  readonly notes?: string;
}

/**
 * The shipper sends a batch as Kafka batches of at most this many records, acknowledged one after another:
 * the batch streams through the pipeline in steps, so a fault strikes mid-stream even at short-mode volumes
 * (the default, 10k records per Kafka batch, would send a short-mode batch in one or two).
 */
export const STREAMING_SHIPPER: ShipperSettings = { kafka: { batch_max_records: 250 } };

let counter = 0;

/** A short tag unique to the batch: letters and digits only, as host names take it. */
export function batchTag(): string {
  counter += 1;
  return `t${Date.now().toString(36).slice(-5)}${counter}`;
}

export async function runFault(pipeline: Pipeline, es: Client, spec: FaultSpec): Promise<WaitResult & { readonly batch: Batch }> {
  const generated = await generateBatch(join(WORK, 'batches'), { ...spec.batch, tag: batchTag() });
  const batch = spec.prepare ? await spec.prepare(generated) : generated;
  await pipeline.startShipper(batch, { ...STREAMING_SHIPPER, ...spec.shipper }, spec.shipperStateDir);
  let recovered: WaitResult;
  let struck: string | void;
  try {
    struck = await spec.strike?.({ pipeline, batch, es });
    const faultEnd = Date.now();
    recovered = await waitForBatch(es, batch, { timeoutMs: spec.timeoutMs ?? 420_000 * TIME_SCALE, since: faultEnd, crashed: () => pipeline.crashed() });
  } finally {
    await pipeline.stopShipper();
  }
  const o = recovered.observation;
  const restarts = pipeline.takeRestarts();
  const supervised = restarts.length ? `restarted by the supervisor after exiting on its own: ${restarts.map((r) => `${r.name} (${r.signal ?? `exit ${r.code}`})`).join(', ')}` : '';
  await recordRow(spec.order, {
    fault: spec.fault,
    recordsIn: o.recordsIn,
    indexed: o.indexed,
    deadletters: o.deadletters,
    duplicates: o.duplicates,
    lost: o.lost,
    recovery: spec.strike ? (recovered.converged ? `${(recovered.elapsedMs / 1000).toFixed(1)} s` : 'not converged') : recovered.converged ? `(${(recovered.elapsedMs / 1000).toFixed(1)} s to complete)` : 'not converged',
    notes: [spec.notes, struck, supervised, recovered.converged ? '' : describe(o), o.alertsDiffering.length ? `alert id differs from offline: ${o.alertsDiffering.join(' ')}` : '', o.alertsWithdrawn.length ? `${o.alertsWithdrawn.length} episode(s) closed as withdrawn (opened by an incident later merged away), the survivor's episode as offline` : ''].filter(Boolean).join('; '),
  });
  assertComplete(recovered, spec.fault);
  return { ...recovered, batch };
}

export function assertComplete(result: WaitResult, fault: string): void {
  const o = result.observation;
  assert.ok(o.recordsIn > 0, `${fault}: the batch has records`);
  assert.equal(o.lost, 0, `${fault}: records lost: ${describe(o)}`);
  assert.equal(o.duplicates, 0, `${fault}: duplicates: ${describe(o)}`);
  assert.equal(o.unexpected, 0, `${fault}: unexpected documents: ${describe(o)}`);
  assert.deepEqual([o.incidentsMissing, o.incidentsDiffering, o.incidentsExtra], [[], [], []], `${fault}: incidents differ from the offline analysis: ${describe(o)}`);
  assert.deepEqual([o.alertsMissing, o.alertsExtra], [[], []], `${fault}: alert episodes differ from the offline analysis: ${describe(o)}`);
  assert.ok(result.converged);
}

/** Waits until a condition holds (polling), failing with `what` after the timeout. */
export async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
