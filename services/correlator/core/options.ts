import { HangwatchError } from '../../../shared/errors.js';
import { parseZone, type Zone } from '../../../shared/time.js';

// Correlator settings. Windows and bounds are event-time milliseconds (units in names); nothing here reads a clock.

/** One inventory entry: explicit configuration, wins over everything learned (DESIGN.md section 7). */
export interface InventoryEntry {
  readonly domain: string;
  readonly hypervisor?: string;
  /** Windows computer name (compared case-insensitively). */
  readonly computerName?: string;
  /** Any MAC spelling; compared after shared/identity.ts normalizeMac. */
  readonly mac?: string;
}

export interface CorrelatorOptions {
  /** How far behind the newest event time a record may arrive and still be joined live. */
  readonly latenessMs?: number;
  /** Evidence window around the hang. */
  readonly windowBeforeMs?: number;
  readonly windowAfterMs?: number;
  /** Signals of one domain whose hang times fall within this span of the group's first merge into one incident. */
  readonly mergeWindowMs?: number;
  /** How far back the "last sign of life" before a reboot is searched for 41 / 6008 / 1001. */
  readonly lastSignOfLifeLookbackMs?: number;
  /** Same-thread neighbour distance for attributing libvirtd lines that name no VM (qemuMonitorIO EOF). */
  readonly threadNeighbourMs?: number;
  /** A SIGTERM / destroy within this span of a clean shutdown marker is not an abnormal exit. */
  readonly shutdownRequestWindowMs?: number;
  /**
   * A qemu kill (SIGTERM, destroy) later than this after the lost-shutdown time the guest's next boot reports
   * (6008) ended a guest that had already hung: evidence of that hang, not its time or kind.
   */
  readonly hungBeforeExitMs?: number;
  /** How long after libvirt named a thread as a domain's job owner that thread's anonymous lines are the domain's. */
  readonly jobOwnerSpanMs?: number;
  /** How far before the hang rules that look for precursors (a failed migration) search. */
  readonly precursorLookbackMs?: number;
  /** iostat thresholds for host-io-stall. */
  readonly ioAwaitMsThreshold?: number;
  readonly ioUtilPctThreshold?: number;
  /** At most this many evidence entries per incident (highest relevance kept, then time-ordered). */
  readonly maxEvidence?: number;
  /** Guest clock (guest-clock.ts): how long after qemu starts a guest may write its boot record (6005/6009). */
  readonly bootAllowanceMs?: number;
  /** The largest guest clock skew measured (a boot farther than this from every qemu start measures nothing). */
  readonly skewMaxMs?: number;
  /** Guest record times are corrected by a measured skew at least this large (0: always; correct nothing: > skewMaxMs). */
  readonly skewCorrectMs?: number;
  /**
   * Guest records that came with no hypervisor (Winlogbeat from a guest not placed yet) wait this long (event time,
   * behind the newest such record) for their MAC to be placed before they are given up.
   */
  readonly unplacedHoldMs?: number;
  readonly inventory?: readonly InventoryEntry[];
  /** Configured guest zones: key `hypervisor/domain` or `domain`; IANA name or fixed offset. Configuration wins. */
  readonly guestZones?: Readonly<Record<string, string>>;
  /** Configured hypervisor zones (used for guests with `-rtc base=localtime`). */
  readonly hostZones?: Readonly<Record<string, string>>;
}

export interface ResolvedOptions {
  readonly latenessMs: number;
  readonly windowBeforeMs: number;
  readonly windowAfterMs: number;
  readonly mergeWindowMs: number;
  readonly lastSignOfLifeLookbackMs: number;
  readonly threadNeighbourMs: number;
  readonly shutdownRequestWindowMs: number;
  readonly hungBeforeExitMs: number;
  readonly jobOwnerSpanMs: number;
  readonly precursorLookbackMs: number;
  readonly ioAwaitMsThreshold: number;
  readonly ioUtilPctThreshold: number;
  readonly maxEvidence: number;
  readonly bootAllowanceMs: number;
  readonly skewMaxMs: number;
  readonly skewCorrectMs: number;
  readonly unplacedHoldMs: number;
  readonly inventory: readonly InventoryEntry[];
  readonly guestZones: ReadonlyMap<string, Zone>;
  readonly hostZones: ReadonlyMap<string, Zone>;
  /** Events older than (watermark - retentionMs) leave the live state: every live incident's inputs are younger. */
  readonly retentionMs: number;
  /** An incident is final once (its last signal + finalizeAfterMs) is below the watermark. */
  readonly finalizeAfterMs: number;
}

export const DEFAULT_OPTIONS = {
  latenessMs: 5 * 60_000,
  windowBeforeMs: 30 * 60_000,
  windowAfterMs: 10 * 60_000,
  mergeWindowMs: 15 * 60_000,
  lastSignOfLifeLookbackMs: 30 * 60_000,
  threadNeighbourMs: 3_000,
  shutdownRequestWindowMs: 5 * 60_000,
  // 6008's time is the guest's last clock heartbeat, up to a minute or so before it died.
  hungBeforeExitMs: 2 * 60_000,
  jobOwnerSpanMs: 30 * 60_000,
  precursorLookbackMs: 60 * 60_000,
  ioAwaitMsThreshold: 500,
  ioUtilPctThreshold: 99,
  maxEvidence: 100,
  // Windows 7 writes 6005 some 20-60 s after qemu starts (the seed: 27 s); three minutes covers slow disks.
  bootAllowanceMs: 3 * 60_000,
  skewMaxMs: 60 * 60_000,
  skewCorrectMs: 60_000,
  unplacedHoldMs: 6 * 60 * 60_000,
} as const;

export function resolveOptions(options: CorrelatorOptions = {}): ResolvedOptions {
  const problems: string[] = [];
  const num = (key: keyof typeof DEFAULT_OPTIONS): number => {
    const value = options[key] ?? DEFAULT_OPTIONS[key];
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0) problems.push(`${key} must be a non-negative number, got ${String(value)}`);
    return value;
  };
  const base = {
    latenessMs: num('latenessMs'),
    windowBeforeMs: num('windowBeforeMs'),
    windowAfterMs: num('windowAfterMs'),
    mergeWindowMs: num('mergeWindowMs'),
    lastSignOfLifeLookbackMs: num('lastSignOfLifeLookbackMs'),
    threadNeighbourMs: num('threadNeighbourMs'),
    shutdownRequestWindowMs: num('shutdownRequestWindowMs'),
    hungBeforeExitMs: num('hungBeforeExitMs'),
    jobOwnerSpanMs: num('jobOwnerSpanMs'),
    precursorLookbackMs: num('precursorLookbackMs'),
    ioAwaitMsThreshold: num('ioAwaitMsThreshold'),
    ioUtilPctThreshold: num('ioUtilPctThreshold'),
    maxEvidence: Math.max(1, num('maxEvidence')),
    bootAllowanceMs: num('bootAllowanceMs'),
    skewMaxMs: num('skewMaxMs'),
    skewCorrectMs: num('skewCorrectMs'),
    unplacedHoldMs: num('unplacedHoldMs'),
  };
  const guestZones = parseZoneMap(options.guestZones ?? {}, 'guestZones', problems);
  const hostZones = parseZoneMap(options.hostZones ?? {}, 'hostZones', problems);
  for (const entry of options.inventory ?? []) {
    if (!entry.domain) problems.push('inventory entry without a domain');
    if (!entry.computerName && !entry.mac) problems.push(`inventory entry for ${entry.domain} names neither a computer nor a MAC`);
  }
  if (problems.length > 0) throw new HangwatchError('HW_CONFIG_INVALID', [problems.map((p) => `  - ${p}`).join('\n')]);
  // Reach of one signal: evidence (or precursors) before it, a 41/6008's look back for the last sign of life, the merge span.
  const reachBack = Math.max(base.windowBeforeMs, base.precursorLookbackMs) + base.lastSignOfLifeLookbackMs + base.mergeWindowMs;
  const reachForward = base.windowAfterMs + base.mergeWindowMs + base.lastSignOfLifeLookbackMs + base.threadNeighbourMs;
  return {
    ...base,
    inventory: options.inventory ?? [],
    guestZones,
    hostZones,
    retentionMs: reachBack + reachForward,
    finalizeAfterMs: reachForward,
  };
}

function parseZoneMap(map: Readonly<Record<string, string>>, name: string, problems: string[]): Map<string, Zone> {
  const out = new Map<string, Zone>();
  for (const [key, text] of Object.entries(map)) {
    try {
      out.set(key, parseZone(text));
    } catch (error) {
      problems.push(`${name}.${key}: ${(error as Error).message}`);
    }
  }
  return out;
}
