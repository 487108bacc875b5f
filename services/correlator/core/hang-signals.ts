import type { Bugcheck, EcsEvent } from '../../../shared/schema/event.js';
import type { Zone } from '../../../shared/time.js';
import { BOOT_MARKERS, isGuestRecord, NOT_SIGNS_OF_LIFE } from './event-facts.js';
import { parseWindowsLocalDateTime, readWallClock, wallClockToUtcMs } from './local-time.js';
import type { TrackedEvent } from './tracked-event.js';

// Hang signals (DESIGN.md section 5). `crash`: written at the moment of the hang (WinDbg, dump header, qemu
// guest-panic). `boot`: written by the next boot about the previous one (WER 1001, Kernel-Power 41, 6008), so its
// hang time is the last sign of life before that reboot. `exit-abnormal`: the qemu process died badly.
// `exit-soft`: the qemu process went away (monitor EOF, SIGTERM, destroy): an incident only when the next boot
// reports an unexpected shutdown for that time, never after a clean shutdown request.

export type SignalClass = 'crash' | 'boot' | 'exit-abnormal' | 'exit-soft';

export interface HangSignal {
  readonly tracked: TrackedEvent;
  readonly cls: SignalClass;
  readonly tsMs: number;
  readonly hangMs: number;
  readonly id: string;
  readonly bugcheck?: Bugcheck;
  /** Lower is a better bugcheck source (WinDbg has decoded arguments; 41 only a code). */
  readonly bugcheckRank: number;
  /** Boot signals: when the guest was started again (the boot marker the record follows). */
  readonly rebootMs?: number;
  /** Boot signals: the hang time is the guest's own record of its lost shutdown (6008), not an estimate. */
  readonly measured?: boolean;
  /**
   * A report with no time of its own dated by the guest's record of the same crash (context-time.ts), when that
   * record is a signal here: the report takes its hang time and its incident (group-signals.ts).
   */
  readonly partnerId?: string;
}

const CLEAN_SHUTDOWN_REASONS = new Set(['shutdown', 'migrated', 'saved', 'daemon', 'guest-shutdown', 'host-qmp-quit', 'host-qmp-system-reset']);
const POLITE_SIGNALS = new Set([1, 2, 15]);

/** Classifies one event on its own; undefined when it is not a hang signal. */
export function classifySignal(event: EcsEvent): SignalClass | undefined {
  // A register dump's further lines belong to the error line that opened it (one dump = one error).
  if (event.hangwatch.parse?.flags?.includes('continuation')) return undefined;
  const action = event.event.action;
  const dataset = event.event.dataset;
  switch (action) {
    case 'bugcheck':
      if (!event.windows?.bugcheck) return undefined;
      return dataset === 'windows.windbg' || dataset === 'windows.dump' || dataset === 'libvirt.qemu' ? 'crash' : 'boot';
    case 'guest-panic':
      return 'crash';
    case 'kernel-power-41':
    case 'unexpected-shutdown':
      return 'boot';
    case 'kvm-internal-error':
      return event.libvirt?.domain?.name ? 'exit-abnormal' : undefined;
    case 'vm-shutdown': {
      const reason = event.qemu?.shutdown?.reason;
      if (reason === 'crashed') return 'exit-abnormal';
      return reason !== undefined && CLEAN_SHUTDOWN_REASONS.has(reason) ? undefined : 'exit-soft';
    }
    case 'vm-terminated-signal': {
      const signal = event.qemu?.signal?.number;
      return signal === undefined || POLITE_SIGNALS.has(signal) ? 'exit-soft' : 'exit-abnormal';
    }
    case 'monitor-eof':
      return 'exit-soft';
    default:
      return undefined;
  }
}

export function bugcheckRankOf(event: EcsEvent): number {
  const base = { 'windows.windbg': 0, 'windows.dump': 1, 'libvirt.qemu': 3 }[event.event.dataset as string] ?? (event.event.action === 'kernel-power-41' ? 4 : 2);
  // A source that carried the four parameters beats one that did not.
  return base * 2 + (event.windows?.bugcheck?.parameters ? 0 : 1);
}

/** A clean shutdown marker of the domain near an exit: libvirt's reason=shutdown, or the guest's own 6006. */
export function isCleanShutdownMarker(event: EcsEvent): boolean {
  if (event.event.action === 'system-shutdown') return true;
  const reason = event.qemu?.shutdown?.reason;
  return event.event.action === 'vm-shutdown' && reason !== undefined && CLEAN_SHUTDOWN_REASONS.has(reason);
}

export interface SignalContext {
  /** The domain's events with tsMs in [fromMs, toMs], time-ordered. */
  readonly domainEvents: (fromMs: number, toMs: number) => readonly TrackedEvent[];
  readonly guestZoneAt: (ms: number) => Zone | undefined;
  readonly lookbackMs: number;
  readonly shutdownRequestWindowMs: number;
}

/** A boot record's reading of the previous run: when it ended, and when the guest started again. */
interface BootReading {
  readonly hangMs: number;
  readonly rebootMs: number;
  readonly measured: boolean;
}

/** Turns a domain's candidate events into signals with hang times; clean exits drop out. */
export function buildSignals(candidates: readonly TrackedEvent[], ctx: SignalContext): HangSignal[] {
  const out: HangSignal[] = [];
  for (const tracked of candidates) {
    const event = tracked.current;
    const cls = classifySignal(event);
    // A line still waiting for the line that dates it has no time to group by yet.
    if (!cls || tracked.enrichment.pendingTime) continue;
    const tsMs = tracked.enrichment.tsMs;
    if (cls === 'exit-soft' && hasCleanMarkerNear(tsMs, ctx)) continue;
    const boot = cls === 'boot' ? readBootSignal(tracked, ctx) : undefined;
    const bugcheck = event.windows?.bugcheck;
    out.push({
      tracked,
      cls,
      tsMs,
      hangMs: boot?.hangMs ?? tsMs,
      id: event.event.id,
      ...(bugcheck ? { bugcheck } : {}),
      bugcheckRank: bugcheckRankOf(event),
      ...(boot ? { rebootMs: boot.rebootMs, measured: boot.measured } : {}),
    });
  }
  return withPartners(out);
}

/** Reports dated by another record take that record's hang time (a 41's is its last sign of life, not its own time). */
function withPartners(signals: HangSignal[]): HangSignal[] {
  if (!signals.some((s) => s.tracked.enrichment.datedBy)) return signals;
  const byId = new Map(signals.map((s) => [s.id, s]));
  return signals.map((s) => {
    const partner = s.tracked.enrichment.datedBy === undefined ? undefined : byId.get(s.tracked.enrichment.datedBy);
    return partner && partner !== s ? { ...s, hangMs: partner.hangMs, partnerId: partner.id } : s;
  });
}

function hasCleanMarkerNear(tsMs: number, ctx: SignalContext): boolean {
  return ctx.domainEvents(tsMs - ctx.shutdownRequestWindowMs, tsMs + ctx.shutdownRequestWindowMs).some((t) => isCleanShutdownMarker(t.current));
}

/**
 * A record written at boot about the previous run: 6008's own local time of the previous shutdown when the
 * guest's zone is known, else the guest's last sign of life before the reboot (else the reboot itself).
 */
function readBootSignal(tracked: TrackedEvent, ctx: SignalContext): BootReading {
  const event = tracked.current;
  const tsMs = tracked.enrichment.tsMs;
  const recent = ctx.domainEvents(tsMs - ctx.lookbackMs, tsMs);
  const rebootMs = latestBootMarkerBefore(recent, tsMs);
  if (event.event.action === 'unexpected-shutdown') {
    const own = readShutdownTime(event, ctx.guestZoneAt(tsMs));
    if (own !== undefined && own <= tsMs) return { hangMs: own, rebootMs, measured: true };
  }
  for (let i = recent.length - 1; i >= 0; i--) {
    const t = recent[i]!;
    if (t.enrichment.tsMs >= rebootMs || t === tracked) continue;
    if (isSignOfLife(t.current)) return { hangMs: t.enrichment.tsMs, rebootMs, measured: false };
  }
  return { hangMs: rebootMs, rebootMs, measured: false };
}

/**
 * Only the guest's own records show that it was running: what qemu and libvirt write about the domain (spice
 * channels, CPUID warnings at start, the kill of a frozen guest, a busy log file) is written whatever the guest does.
 */
function isSignOfLife(event: EcsEvent): boolean {
  return isGuestRecord(event) && !NOT_SIGNS_OF_LIFE.has(event.event.action) && classifySignal(event) === undefined;
}

function latestBootMarkerBefore(recent: readonly TrackedEvent[], tsMs: number): number {
  let latest = -Infinity;
  for (const t of recent) if (BOOT_MARKERS.has(t.current.event.action) && t.enrichment.tsMs <= tsMs) latest = Math.max(latest, t.enrichment.tsMs);
  return Number.isFinite(latest) ? latest : tsMs;
}

/**
 * 6008's time of the lost shutdown: the UTC instant the parser decoded from <Binary> SYSTEMTIMEs (locale-free),
 * else its local wall clock (ISO from the parser, or the locale text) in the guest's zone.
 */
export function readShutdownTime(event: EcsEvent, zone: Zone | undefined): number | undefined {
  const shutdown = event.windows?.shutdown;
  if (!shutdown) return undefined;
  if (shutdown.time_utc) return Date.parse(shutdown.time_utc);
  if (!zone) return undefined;
  const iso = shutdown.local_datetime ? readWallClock(`${shutdown.local_datetime}.000Z`) : undefined;
  const wall = iso ?? (shutdown.local_date && shutdown.local_time ? parseWindowsLocalDateTime(shutdown.local_date, shutdown.local_time) : undefined);
  return wall ? wallClockToUtcMs(wall, zone) : undefined;
}
