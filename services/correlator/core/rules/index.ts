import type { Diagnosis } from '../../../../shared/schema/incident.js';
import { cpuFeatureMismatch } from './cpu-feature-mismatch.js';
import { hostCpuContention } from './host-cpu-contention.js';
import { hostHungTask } from './host-hung-task.js';
import { hostIoStall } from './host-io-stall.js';
import { hostSoftLockup } from './host-soft-lockup.js';
import { kvmInternalError } from './kvm-internal-error.js';
import { migrationFailure } from './migration-failure.js';
import { missingHypervEnlightenments } from './missing-hyperv-enlightenments.js';
import { qemuProcessExit } from './qemu-process-exit.js';
import type { DiagnosisRule, RuleContext } from './rule.js';
import { describeUnknown } from './unknown.js';

// The rule table. Adding a diagnosis: one file beside this one (and its test), one line here.
// Extension point for `host-cpu-contention` (vocabulary reserved for a later issue): a rule reading host CPU
// pressure records (steal time, run queue, pidstat of the vCPU threads) from ctx.events, listed here.
export const DIAGNOSIS_RULES: readonly DiagnosisRule[] = [
  missingHypervEnlightenments,
  hostCpuContention,
  hostSoftLockup,
  hostHungTask,
  hostIoStall,
  migrationFailure,
  cpuFeatureMismatch,
  kvmInternalError,
  qemuProcessExit,
];

/** Every matching rule, most likely first (ties by code, so the order is stable); `unknown` when none matched. */
export function diagnose(ctx: RuleContext, rules: readonly DiagnosisRule[] = DIAGNOSIS_RULES): Diagnosis[] {
  const found: Diagnosis[] = [];
  for (const rule of rules) {
    const finding = rule.evaluate(rule.lookback === 'precursor' && ctx.earlier?.length ? { ...ctx, events: [...ctx.earlier, ...ctx.events] } : ctx);
    if (finding) found.push({ code: rule.code, ...finding });
  }
  if (found.length === 0) return [{ code: 'unknown', ...describeUnknown(ctx) }];
  return found.sort((a, b) => b.confidence - a.confidence || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

export type { DiagnosisRule, RuleContext, Finding } from './rule.js';
