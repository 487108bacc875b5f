import type { Bugcheck, EcsEvent, QemuFields } from '../../../../shared/schema/event.js';
import type { DiagnosisCode, IncidentKind } from '../../../../shared/vocabulary.js';

// A diagnosis rule is data plus one pure function: what it looks at is all in the context, so each rule file is
// tested on hand-built contexts, and adding a rule is one file and one line in rules/index.ts.

export interface RuleContext {
  readonly kind: IncidentKind;
  readonly domain: string;
  readonly hypervisor: string;
  readonly hangMs: number;
  readonly bugcheck?: Bugcheck;
  /** The domain's configuration as last seen before the hang (else first seen after); undefined when never seen. */
  readonly config?: { readonly seen: 'before' | 'after'; readonly qemu?: QemuFields; readonly libvirtVersion?: string };
  /** Records in the window: the domain's own and the hypervisor's host-wide ones, time-ordered. */
  readonly events: readonly EcsEvent[];
  /** The same kind of records before the window, back to the precursor lookback (for rules with `lookback: 'precursor'`). */
  readonly earlier?: readonly EcsEvent[];
  /** The records that made this a hang. */
  readonly signals: readonly EcsEvent[];
  readonly thresholds: { readonly ioAwaitMs: number; readonly ioUtilPct: number };
}

export interface Finding {
  readonly confidence: number;
  readonly summary: string;
  readonly remediation: string;
}

export interface DiagnosisRule {
  readonly code: DiagnosisCode;
  /** One line on what the rule recognises, for docs and `--explain`. */
  readonly description: string;
  /**
   * `precursor`: the cause can come well before the hang (a failed migration leaves the guest to die later), so
   * the rule also sees `earlier` records; its incidents' window and evidence widen to match when it comes first.
   */
  readonly lookback?: 'precursor';
  evaluate(ctx: RuleContext): Finding | undefined;
}

/** Records of the domain itself (not host-wide) with one of the actions. */
export function ownEvents(ctx: RuleContext, ...actions: string[]): EcsEvent[] {
  return ctx.events.filter((e) => e.libvirt?.domain?.name === ctx.domain && actions.includes(e.event.action));
}

/** Records of the hypervisor that name no domain (kernel, iostat, libvirtd lines about nobody). */
export function hostWideEvents(ctx: RuleContext, ...actions: string[]): EcsEvent[] {
  return ctx.events.filter((e) => !e.libvirt?.domain?.name && actions.includes(e.event.action));
}

export function round2(x: number): number {
  return Math.round(Math.min(1, Math.max(0, x)) * 100) / 100;
}
