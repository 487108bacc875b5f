import type { Bugcheck, EcsEvent } from '../../../shared/schema/event.js';
import type { Incident } from '../../../shared/schema/incident.js';
import { incidentId } from '../../../shared/identity.js';
import { isoUtc, zoneOffsetAt, type Zone } from '../../../shared/time.js';
import type { IncidentKind } from '../../../shared/vocabulary.js';
import { selectEvidence } from './evidence.js';
import type { SkewMeasurement } from './guest-clock.js';
import type { HangSignal } from './hang-signals.js';
import { firstSignalOf, type SignalGroup } from './group-signals.js';
import type { ResolvedOptions } from './options.js';
import { diagnose, DIAGNOSIS_RULES } from './rules/index.js';
import type { RuleContext } from './rules/rule.js';
import { isSuspectTime } from './trusted-time.js';

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
  /** The guest's clock skew measured for a time on the guest's own clock (guest-clock.ts). */
  readonly guestSkewAt: (guestMs: number) => SkewMeasurement | undefined;
  readonly options: ResolvedOptions;
}

export function buildIncident(input: IncidentInputs): Incident {
  const { group, domain, hypervisor, options } = input;
  const signals = group.signals;
  const leading = withoutTrailingKills(signals, options.hungBeforeExitMs);
  const anchor = chooseTimeAnchor(leading);
  // A report dated by the anchor (its dump header, its 41) says how the incident's time was found.
  const datedByAnchor = signals.find((s) => s.partnerId === anchor.id);
  const hangMs = anchor.hangMs;
  const kind = kindOf(leading);
  const bugcheck = mergeBugchecks(signals);
  const gte = hangMs - options.windowBeforeMs;
  const lte = hangMs + options.windowAfterMs;
  const events = input.windowEvents(gte, lte);
  const precursorGte = hangMs - options.precursorLookbackMs;
  const earlier = precursorGte < gte ? input.windowEvents(precursorGte, gte).filter((e) => Date.parse(e['@timestamp']) < gte) : [];
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
    earlier,
    signals: signalEvents,
    thresholds: { ioAwaitMs: options.ioAwaitMsThreshold, ioUtilPct: options.ioUtilPctThreshold },
  };
  const diagnosis = diagnose(ruleContext);
  // When the likeliest cause is a precursor found before the window, the window searched (and the evidence) widen.
  const widened = DIAGNOSIS_RULES.find((r) => r.code === diagnosis[0]?.code)?.lookback === 'precursor' && earlier.length > 0;
  const searchedGte = widened ? precursorGte : gte;
  const zone = input.guestZoneAt(hangMs);
  // The skew in force when the guest hung: looked up at the anchor's own guest-clock time.
  const skew = input.guestSkewAt(hangMs + (anchor.tracked.enrichment.correctedMs ?? 0));
  const corrected = skew && skew.skewMs !== 0 && Math.abs(skew.skewMs) >= options.skewCorrectMs && options.skewCorrectMs <= options.skewMaxMs ? skew.skewMs : undefined;
  const incident: Incident = {
    '@timestamp': isoUtc(hangMs),
    event: { kind: 'event', dataset: 'hangwatch.incident' },
    incident: {
      id: incidentId(hypervisor, domain, firstSignalOf(group).id),
      kind,
      diagnosis,
      evidence: selectEvidence(withSignals(widened ? [...earlier, ...events] : events, signalEvents), domain, hangMs, options.maxEvidence),
      window: { gte: isoUtc(searchedGte), lte: isoUtc(lte) },
      clock: {
        ...(zone ? { zone: zone.name, offset_minutes: zoneOffsetAt(zone, hangMs) } : {}),
        ...(skew ? { skew_ms: skew.skewMs } : {}),
        ...(corrected !== undefined ? { corrected_ms: corrected } : {}),
        basis: (datedByAnchor ?? anchor).tracked.current.hangwatch.time.basis,
        ...(isSuspectTime(anchor.tracked.input) ? { suspect: true } : {}),
      },
      signals: signals.map((s) => s.id).sort(),
    },
    libvirt: { domain: { name: domain }, hypervisor },
    message: describeIncident(kind, domain, hypervisor, bugcheck, diagnosis[0]?.code) + (corrected !== undefined ? `; guest clock ${formatSkew(corrected)} against the host (boot vs qemu start), guest times corrected` : ''),
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

/**
 * The kill of a guest that had already hung: a SIGTERM / destroy later than `hungBeforeExitMs` after the lost
 * shutdown time the guest's next boot recorded (6008). It stays in the incident as evidence, but says nothing
 * about when or how the guest hung. (A 41 alone only bounds the death by the last sign of life, so it cannot
 * tell a kill of a frozen guest from an unexpected exit; then the exit stands.)
 */
function withoutTrailingKills(signals: readonly HangSignal[], hungBeforeExitMs: number): HangSignal[] {
  const measured = signals.filter((s) => s.cls === 'boot' && s.measured).map((s) => s.hangMs);
  if (measured.length === 0) return [...signals];
  const lostAt = Math.min(...measured);
  const leading = signals.filter((s) => s.cls !== 'exit-soft' || s.tsMs - lostAt <= hungBeforeExitMs);
  return leading.length > 0 ? leading : [...signals];
}

/** The signals' records and the window's, once each, for the evidence list. */
function withSignals(events: readonly EcsEvent[], signalEvents: readonly EcsEvent[]): EcsEvent[] {
  const ids = new Set(events.map((e) => e.event.id));
  return [...events, ...signalEvents.filter((e) => !ids.has(e.event.id))];
}

/**
 * When the guest hung: a record written at the moment of the crash beats an exit, which beats a boot-time
 * reading; among boot readings, the guest's own record of its lost shutdown (6008) beats a last sign of life. A
 * report that took its time from another record of the group never anchors it: that record's reading stands.
 */
function chooseTimeAnchor(all: readonly HangSignal[]): HangSignal {
  // A guest time that could not be right was replaced by the ingest clock (trusted-time.ts): any other reading wins.
  const trusted = all.filter((s) => !isSuspectTime(s.tracked.input));
  const pool = trusted.length > 0 ? trusted : all;
  const dated = pool.filter((s) => s.partnerId === undefined);
  const signals = dated.length > 0 ? dated : pool;
  const order = { crash: 0, 'exit-abnormal': 1, 'exit-soft': 1, boot: 2 } as const;
  const rank = (s: HangSignal) => order[s.cls] * 2 + (s.cls === 'boot' && !s.measured ? 1 : 0);
  return [...signals].sort((a, b) => rank(a) - rank(b) || a.hangMs - b.hangMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))[0]!;
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

/** `+2h 0m 5s ahead` / `-90s behind`, for a person reading the incident. */
function formatSkew(ms: number): string {
  const abs = Math.round(Math.abs(ms) / 1000);
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  const text = h > 0 ? `${h}h ${m}m ${abs % 60}s` : m > 0 ? `${m}m ${abs % 60}s` : `${abs}s`;
  return `${ms > 0 ? '+' : '-'}${text} ${ms > 0 ? 'ahead' : 'behind'}`;
}
