import { z } from 'zod';
import { HangwatchError } from '../../../shared/errors.js';

// Silences mute notifications (webhooks, the notification log line) for one rule and key until they expire;
// the alert itself is still recorded on the alerts topic, so Kibana and replays see every episode. They live
// on the compacted topic hangwatch.silences.v1 (key: rule + key, latest wins, tombstone lifts a silence),
// so every alerter replica honours them. Expiry is wall-clock time: a silence is a human decision about now.

export const SilenceSchema = z.object({
  rule_id: z.string().min(1),
  key: z.string().min(1),
  created_at: z.string(),
  expires_at: z.string(),
  reason: z.string().optional(),
  created_by: z.string().optional(),
});
export type Silence = z.infer<typeof SilenceSchema>;

/** The Kafka record key of a silence: one record per rule and key on the compacted topic. */
export function silenceRecordKey(ruleId: string, key: string): string {
  return `${ruleId}\u0000${key}`;
}

export function buildSilence(ruleId: string, key: string, nowMs: number, forMs: number, reason?: string, createdBy?: string): Silence {
  if (forMs <= 0) throw new HangwatchError('HW_USAGE', ['--for must be a positive duration like 30m, 2h, 1d']);
  const silence: Silence = { rule_id: ruleId, key, created_at: new Date(nowMs).toISOString(), expires_at: new Date(nowMs + forMs).toISOString() };
  if (reason) silence.reason = reason;
  if (createdBy) silence.created_by = createdBy;
  return silence;
}

/** Parses a record's value; undefined for a tombstone or a record that is not a silence (logged by caller). */
export function parseSilence(value: string | null): Silence | undefined {
  if (value === null) return undefined;
  try {
    const parsed = SilenceSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export class SilenceBook {
  private readonly byKey = new Map<string, Silence>();

  /** Applies one record of the compacted topic: a silence, or a tombstone (null) lifting it. */
  apply(recordKey: string, silence: Silence | undefined): void {
    if (silence) this.byKey.set(recordKey, silence);
    else this.byKey.delete(recordKey);
  }

  isSilenced(ruleId: string, key: string, nowMs: number): boolean {
    const silence = this.byKey.get(silenceRecordKey(ruleId, key)) ?? this.byKey.get(silenceRecordKey(ruleId, '*'));
    return silence !== undefined && Date.parse(silence.expires_at) > nowMs;
  }

  active(nowMs: number): Silence[] {
    return [...this.byKey.values()].filter((s) => Date.parse(s.expires_at) > nowMs).sort((a, b) => a.expires_at.localeCompare(b.expires_at));
  }
}

/** Splits state changes into those to notify and those muted by an active silence at `nowMs`. */
export function partitionBySilence<A extends { rule: { id: string }; alert: { key: string } }>(
  alerts: readonly A[],
  book: SilenceBook,
  nowMs: number,
): { notify: A[]; silenced: A[] } {
  const notify: A[] = [];
  const silenced: A[] = [];
  for (const alert of alerts) (book.isSilenced(alert.rule.id, alert.alert.key, nowMs) ? silenced : notify).push(alert);
  return { notify, silenced };
}
