import type { Bugcheck, EcsEvent } from '../../../shared/schema/event.js';
import type { Incident } from '../../../shared/schema/incident.js';
import { incidentId } from '../../../shared/identity.js';
import { isoUtc, zoneOffsetAt, type Zone } from '../../../shared/time.js';
import type { IncidentKind } from '../../../shared/vocabulary.js';
import { selectEvidence } from './evidence.js';
import type { HangSignal } from './hang-signals.js';
import { firstSignalOf, type SignalGroup } from './group-signals.js';
import type { ResolvedOptions } from './options.js';
import { diagnose } from './rules/index.js';
import type { RuleContext } from './rules/rule.js';

// One group of hang signals + what the hypervisor saw around it -> one incident (DESIGN.md section 5).

export interface IncidentInputs {
  readonly hypervisor: string;
  readonly domain: string;
  readonly group: SignalGroup;
  /** Records in [fromMs, toMs] that may be evidence: the domain's and host-wide ones (io-stats only when stalled). */
  readonly windowEvents: (fromMs: number, toMs: number) => readonly EcsEvent[];
  /** The domain's vm-config as last seen before the instant, else first seen after. */
  readonly configAround: (ms: number) => { event: EcsEvent; seen: 'before' | 'after' } | undefined;
  readonly daemonVersionAt: (ms: number) => string | undefined;
  readonly guestZoneAt: (ms: number) => Zone | undefined;
  readonly options: ResolvedOptions;
}

export function buildIncident(input: IncidentInputs): Incident {
  const { group, domain, hypervisor, options } = input;
  const signals = group.signals;
  const anchor = chooseTimeAnchor(signals);
  const hangMs = anchor.hangMs;
  const kind = kindOf(signals);
  const bugcheck = mergeBugchecks(signals);
  const gte = hangMs - options.windowBeforeMs;
  const lte = hangMs + options.windowAfterMs;
  const events = input.windowEvents(gte, lte);
  const signalEvents = signals.map((s) => s.tracked.current);
  const around = input.configAround(hangMs);
  const libvirtVersion = around?.event.libvirt?.version ?? input.daemonVersionAt(hangMs);
  const qemu = around ? configQemuFields(around.event) : undefined;
  const ruleContext: RuleContext = {
    kind,
    domain,
    hypervisor,
    hangMs,
    ...(bugcheck ? { bugcheck } : {}),
    ...(around ? { config: { seen: around.seen, ...(qemu ? { qemu } : {}), ...(libvirtVersion ? { libvirtVersion } : {}) } } : {}),
    events,
    signals: signalEvents,
    thresholds: { ioAwaitMs: options.ioAwaitMsThreshold, ioUtilPct: options.ioUtilPctThreshold },
  };
  const diagnosis = diagnose(ruleContext);
  const zone = input.guestZoneAt(hangMs);
  const incident: Incident = {
    '@timestamp': isoUtc(hangMs),
    event: { kind: 'event', dataset: 'hangwatch.incident' },
    incident: {
      id: incidentId(hypervisor, domain, firstSignalOf(group).id),
      kind,
      diagnosis,
      evidence: selectEvidence(events, domain, hangMs, options.maxEvidence),
      window: { gte: isoUtc(gte), lte: isoUtc(lte) },
      clock: {
        ...(zone ? { zone: zone.name, offset_minutes: zoneOffsetAt(zone, hangMs) } : {}),
        basis: anchor.tracked.current.hangwatch.time.basis,
      },
      signals: signals.map((s) => s.id).sort(),
    },
    libvirt: { domain: { name: domain }, hypervisor },
    message: describeIncident(kind, domain, hypervisor, bugcheck, diagnosis[0]?.code),
  };
  const uuid = around?.event.libvirt?.domain?.uuid;
  if (uuid) incident.libvirt.domain.uuid = uuid;
  if (around) {
    incident.incident.config = { seen: around.seen, ...(qemu ? { qemu } : {}), ...(libvirtVersion ? { libvirt: { version: libvirtVersion } } : {}) };
  }
  if (bugcheck) incident.windows = { bugcheck };
  return incident;
}

/** The latest instant at which a record of the stream can still change this incident (for finalization). */
export function lastInfluenceMs(group: SignalGroup): number {
  return Math.max(...group.signals.map((s) => Math.max(s.tsMs, s.hangMs)));
}

/** When the guest hung: a record written at the moment of the crash beats an exit, which beats a boot-time estimate. */
function chooseTimeAnchor(signals: readonly HangSignal[]): HangSignal {
  const order = { crash: 0, 'exit-abnormal': 1, 'exit-soft': 1, boot: 2 } as const;
  return [...signals].sort((a, b) => order[a.cls] - order[b.cls] || a.hangMs - b.hangMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))[0]!;
}

function kindOf(signals: readonly HangSignal[]): IncidentKind {
  if (signals.some((s) => s.bugcheck)) return 'bugcheck';
  if (signals.some((s) => s.tracked.current.event.action === 'guest-panic')) return 'guest-panic';
  if (signals.some((s) => s.cls === 'exit-abnormal' || s.cls === 'exit-soft')) return 'qemu-exit';
  return 'hard-hang';
}

/** The richest bugcheck among the signals; a name or parameters missing from it are filled from the others. */
function mergeBugchecks(signals: readonly HangSignal[]): Bugcheck | undefined {
  const withCode = signals.filter((s) => s.bugcheck).sort((a, b) => a.bugcheckRank - b.bugcheckRank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const best = withCode[0]?.bugcheck;
  if (!best) return undefined;
  const merged: Bugcheck = { ...best };
  for (const s of withCode) {
    if (s.bugcheck?.code !== merged.code) continue;
    if (!merged.name && s.bugcheck.name) merged.name = s.bugcheck.name;
    if (!merged.parameters && s.bugcheck.parameters) merged.parameters = [...s.bugcheck.parameters];
    if (!merged.arguments && s.bugcheck.arguments) merged.arguments = { ...s.bugcheck.arguments };
  }
  return merged;
}

/** The configuration part of a vm-config record (not the per-record signal/shutdown/cpuid facts). */
function configQemuFields(event: EcsEvent): NonNullable<EcsEvent['qemu']> | undefined {
  if (!event.qemu) return undefined;
  const { signal: _signal, shutdown: _shutdown, cpuid: _cpuid, ...config } = event.qemu;
  return config;
}

function describeIncident(kind: IncidentKind, domain: string, hypervisor: string, bugcheck: Bugcheck | undefined, top: string | undefined): string {
  const what = bugcheck ? `bugcheck ${bugcheck.code}${bugcheck.name ? ` ${bugcheck.name}` : ''}` : kind;
  return `${domain} on ${hypervisor}: ${what}; likely cause: ${top ?? 'unknown'}`;
}
