import type { EcsEvent } from '../../../shared/schema/event.js';
import type { Incident } from '../../../shared/schema/incident.js';
import { normalizeMac } from '../../../shared/identity.js';
import { buildIncident, lastInfluenceMs } from './build-incident.js';
import { BOOT_MARKERS, hasUnresolvedZone, isGuestRecord } from './event-facts.js';
import { exportFacts, importFacts, type FactsSnapshot } from './facts-snapshot.js';
import { buildSignals, type SignalContext } from './hang-signals.js';
import { groupSignals, isHang } from './group-signals.js';
import { GuestPlacements, type MacRecord } from './guest-placements.js';
import { skewAt } from './guest-clock.js';
import { HostState, type LiveIncident } from './host-state.js';
import { resolveOptions, type CorrelatorOptions, type ResolvedOptions } from './options.js';
import { guestZone, resolveEnrichment, routeHypervisor, THREAD_ATTRIBUTED_ACTIONS, type ResolveContext } from './resolve-identity.js';
import { sourceKeyOf } from './source-stamps.js';
import { watermarkTimeOf } from './trusted-time.js';
import { applyEnrichment, enrichmentOfInput, signatureOf, stateSignatureOf, type TrackedEvent } from './tracked-event.js';

// The streaming correlator (DESIGN.md sections 5-7). Per hypervisor it holds the recent events in event-time
// order, resolves identity and time, groups hang signals into incidents and sends an incident as soon as it
// exists, then again whenever a record changes it (same id). State is bounded by an event-time watermark
// (newest trusted time minus `latenessMs`): incidents no record can change any more are final, and events no
// live incident can need are evicted. Everything is a function of the set of events seen within the lateness
// bound, so any interleaving gives the same final incidents as correlateAll.

export interface CorrelatorOutput {
  /** Incidents created or changed (upserts by incident.id). */
  incidents: Incident[];
  /** Ids of incidents that turned out to be part of another one (delete them). */
  tombstones: string[];
  /** The hypervisor of each tombstone (same order): where its incident's upserts went. */
  tombstoneHypervisors: string[];
  /** Events whose identity or time changed (re-emitted with the same event.id). */
  events: EcsEvent[];
  /**
   * Guest records that arrived with no hypervisor and are now placed by MAC: the input with its hypervisor,
   * domain and `attribution: mac`, same event.id. They belong to another hypervisor's state: push them again
   * (the streaming service produces them to the events topic keyed by that hypervisor).
   */
  rehomed: EcsEvent[];
  /** MAC placements learned here, for the identity topic (`mac:<hypervisor>:<mac>`). */
  identity: MacRecord[];
}

export interface CorrelatorStats {
  readonly hosts: number;
  readonly events: number;
  readonly liveIncidents: number;
  readonly facts: number;
  readonly lateEvents: number;
}

/** Evicting on every record costs more than it saves; the watermark moves in steps of this much event time. */
const EVICTION_STEP_MS = 60_000;
/** Facts can teach facts (a folder-placed record names a computer, whose other records then resolve): bounded. */
const MAX_RESOLVE_ROUNDS = 3;
/** The widest UTC offset in use (UTC+14, Kiribati). */
const MAX_ZONE_OFFSET_MS = 14 * 3_600_000;
/** Lines of one file held past the horizon while they wait for the next stamped line (a register dump is ~20). */
const MAX_PENDING_PER_SOURCE = 1024;

export class Correlator {
  readonly options: ResolvedOptions;
  private readonly hosts = new Map<string, HostState>();
  private lateEvents = 0;
  /** placements.version when the held unplaced guest records were last checked against it. */
  private rehomedAt = -1;

  /**
   * @param seedFacts facts learned before a restart (the identity topic's snapshot of a hypervisor), applied when
   *   that hypervisor's first record arrives.
   * @param placements fleet-wide MAC placements, shared by the Correlators of one process and fed by the
   *   identity topic (guest-placements.ts).
   */
  constructor(
    options: CorrelatorOptions | ResolvedOptions = {},
    private readonly seedFacts?: (hypervisor: string) => FactsSnapshot | undefined,
    readonly placements: GuestPlacements = new GuestPlacements(),
  ) {
    this.options = 'retentionMs' in options ? options : resolveOptions(options);
  }

  push(input: EcsEvent): CorrelatorOutput {
    const out = emptyOutput();
    const host = this.hostFor(routeHypervisor(input, this.options));
    if (host.byId.has(input.event.id)) return out; // at-least-once delivery: a replayed record changes nothing
    if (host.hypervisor === '' && isUnplacedGuest(input)) {
      const placed = this.placeGuest(input);
      if (placed) {
        out.rehomed.push(placed);
        return out;
      }
    }
    if (input.event.action === 'io-stats' && !this.isStalledIo(input)) {
      this.advance(host, Date.parse(input['@timestamp']));
      this.evictIfDue(host);
      return out;
    }
    const tracked = this.track(input, host);
    if (tracked.enrichment.tsMs < this.horizonMs(host) && !tracked.enrichment.pendingTime) this.lateEvents++;
    host.insert(tracked);
    const dirty = new Set<string>();
    const touched = new Set<TrackedEvent>([tracked]);
    this.markDirty(host, tracked, dirty);
    const learned = host.facts.learn(tracked.current, tracked.enrichment.tsMs, this.options.hostZones.get(host.hypervisor));
    out.identity.push(...this.learnPlacements(host, tracked.current));
    if (tracked.enrichment.domain && tracked.input.event.dataset === 'libvirt.daemon') this.reresolveThread(host, tracked, dirty, touched);
    if (learned.jobThread !== undefined) this.reresolveJobThread(host, learned.jobThread, dirty, touched);
    if (learned.stamp) this.reresolveDatedBy(host, tracked, dirty, touched);
    let identity = learned.identity;
    for (let round = 0; identity && round < MAX_RESOLVE_ROUNDS; round++) identity = this.reresolveAll(host, dirty, touched);
    for (const t of touched) {
      const signature = signatureOf(t.enrichment);
      if (signature !== t.emittedSignature) {
        t.emittedSignature = signature;
        out.events.push(t.current);
      }
    }
    // Only what a record vouches for moves the watermark (trusted-time.ts): host records, a guest record up to its
    // host-side read time; never a suspect time, a context-dated one, or a local time still waiting for its zone.
    const vouched = watermarkTimeOf(tracked, host.hypervisor);
    if (vouched !== undefined) this.advance(host, vouched);
    for (const domain of [...dirty].sort()) this.recomputeDomain(host, domain, out);
    this.evictIfDue(host);
    if (this.placements.version !== this.rehomedAt) this.rehomeInto(out);
    return out;
  }

  /**
   * Held guest records that arrived with no hypervisor and that the MAC placements now place (learned here or
   * from the identity topic since): they leave this state and come out as `rehomed`.
   */
  rehome(): CorrelatorOutput {
    const out = emptyOutput();
    this.rehomeInto(out);
    return out;
  }

  /** Placements another replica published on the identity topic (no output: call rehome() afterwards). */
  learnPlacement(record: MacRecord): boolean {
    return this.placements.learn(record);
  }

  /** End of a finite input: every incident is final, all state is released. Incidents were already sent. */
  flush(): CorrelatorOutput {
    for (const host of this.hosts.values()) this.finalizeAndEvict(host, Infinity);
    this.hosts.clear();
    return emptyOutput();
  }

  /**
   * Learns facts (zones, MACs, computer names, configurations) from a whole finite input before it is pushed,
   * so `correlateAll` can order it by resolved time. Two rounds: a record placed in the first round can place
   * others of the same computer in the second.
   */
  prime(events: readonly EcsEvent[]): void {
    for (let round = 0; round < 2; round++) {
      for (const input of events) {
        const host = this.hostFor(routeHypervisor(input, this.options));
        const enrichment = resolveEnrichment(input, this.resolveContext(host));
        const current = applyEnrichment(input, enrichment);
        host.facts.learn(current, enrichment.tsMs, this.options.hostZones.get(host.hypervisor));
        this.learnPlacements(host, current);
      }
    }
  }

  /** The time an event would take with what is known now (correlateAll sorts by it). */
  previewTimeMs(input: EcsEvent): number {
    const host = this.hostFor(routeHypervisor(input, this.options));
    return resolveEnrichment(input, this.resolveContext(host)).tsMs;
  }

  /** Events older than this (event time) are no longer needed by the live state of that hypervisor. */
  horizonMs(host: HostState | string): number {
    const state = typeof host === 'string' ? this.hosts.get(host) : host;
    if (!state) return -Infinity;
    return state.maxTrustedMs - this.options.latenessMs - this.retentionOf(state);
  }

  /** The unknown host '' holds guest records waiting for a placement, possibly longer than any incident needs. */
  private retentionOf(host: HostState): number {
    return host.hypervisor === '' ? Math.max(this.options.retentionMs, this.options.unplacedHoldMs) : this.options.retentionMs;
  }

  stats(): CorrelatorStats {
    let events = 0;
    let live = 0;
    let facts = 0;
    for (const host of this.hosts.values()) {
      events += host.events.length;
      facts += host.facts.size;
      for (const m of host.live.values()) live += m.size;
    }
    return { hosts: this.hosts.size, events, liveIncidents: live, facts, lateEvents: this.lateEvents };
  }

  /** Snapshot of one hypervisor's learned facts (for a restart, via the identity topic). */
  snapshotFacts(hypervisor: string): FactsSnapshot | undefined {
    const host = this.hosts.get(hypervisor);
    return host ? exportFacts(hypervisor, host.facts) : undefined;
  }

  hypervisors(): string[] {
    return [...this.hosts.keys()].sort();
  }

  hostFor(hypervisor: string): HostState {
    let host = this.hosts.get(hypervisor);
    if (!host) {
      this.hosts.set(hypervisor, (host = new HostState(hypervisor)));
      const snapshot = this.seedFacts?.(hypervisor);
      if (snapshot) {
        importFacts(snapshot, host.facts);
        for (const [mac, facts] of Object.entries(snapshot.macs)) this.placements.learn({ hypervisor, mac, facts });
      }
    }
    return host;
  }

  /** A qemu command line's MACs, as placements of this hypervisor (the records to publish when new). */
  private learnPlacements(host: HostState, event: EcsEvent): MacRecord[] {
    const macs = event.qemu?.net?.mac;
    if (host.hypervisor === '' || event.event.action !== 'vm-config' || !macs || macs.length === 0) return [];
    const out: MacRecord[] = [];
    for (const mac of new Set(macs.map(normalizeMac))) {
      const record: MacRecord = { hypervisor: host.hypervisor, mac, facts: host.facts.macs.get(mac)?.list() ?? [] };
      if (this.placements.learn(record)) out.push(record);
    }
    return out;
  }

  /** The input placed on the hypervisor and domain its MAC had at its time, or undefined when unknown. */
  private placeGuest(input: EcsEvent): EcsEvent | undefined {
    const placement = this.placements.place(input.host?.mac ?? [], Date.parse(input['@timestamp']));
    if (!placement) return undefined;
    const hangwatch: EcsEvent['hangwatch'] = { ...input.hangwatch, attribution: 'mac' };
    delete hangwatch.attribution_confidence;
    return { ...input, libvirt: { ...input.libvirt, hypervisor: placement.hypervisor, domain: { ...input.libvirt?.domain, name: placement.domain } }, hangwatch };
  }

  private rehomeInto(out: CorrelatorOutput): void {
    this.rehomedAt = this.placements.version;
    const host = this.hosts.get('');
    if (!host) return;
    const dirty = new Set<string>();
    for (const t of [...host.events]) {
      if (!isUnplacedGuest(t.input)) continue;
      const placed = this.placeGuest(t.input);
      if (!placed) continue;
      this.markDirty(host, t, dirty);
      host.remove(t);
      out.rehomed.push(placed);
    }
    for (const domain of [...dirty].sort()) this.recomputeDomain(host, domain, out);
  }

  private track(input: EcsEvent, host: HostState): TrackedEvent {
    const enrichment = resolveEnrichment(input, this.resolveContext(host));
    return { input, enrichment, current: applyEnrichment(input, enrichment), emittedSignature: signatureOf(enrichmentOfInput(input)) };
  }

  private resolveContext(host: HostState): ResolveContext {
    const span = this.options.threadNeighbourMs;
    return {
      options: this.options,
      facts: host.facts,
      hypervisor: host.hypervisor,
      threadNeighbours: (threadId, tsMs) => [...(host.byThread.get(threadId) ?? [])].filter((t) => Math.abs(t.enrichment.tsMs - tsMs) <= span),
    };
  }

  /** Re-resolves one event; when its identity or time changed, re-places it and marks both domains dirty. */
  private reresolve(host: HostState, t: TrackedEvent, dirty: Set<string>, touched: Set<TrackedEvent>): boolean {
    const next = resolveEnrichment(t.input, this.resolveContext(host));
    if (stateSignatureOf(next) === stateSignatureOf(t.enrichment)) return false;
    this.markDirty(host, t, dirty);
    host.reindex(t, () => {
      t.enrichment = next;
      t.current = applyEnrichment(t.input, next);
    });
    this.markDirty(host, t, dirty);
    touched.add(t);
    return true;
  }

  /** A libvirtd line that names a domain can attribute its thread's anonymous neighbours. */
  private reresolveThread(host: HostState, named: TrackedEvent, dirty: Set<string>, touched: Set<TrackedEvent>): void {
    const thread = named.input.process?.thread?.id;
    if (thread === undefined) return;
    for (const t of host.byThread.get(thread) ?? []) {
      if (t === named || t.input.libvirt?.domain?.name || !THREAD_ATTRIBUTED_ACTIONS.has(t.input.event.action)) continue;
      if (Math.abs(t.enrichment.tsMs - named.enrichment.tsMs) > this.options.threadNeighbourMs) continue;
      this.reresolve(host, t, dirty, touched);
    }
  }

  /** A job-lock line named a thread as a domain's job owner: that thread's anonymous lines may be the domain's. */
  private reresolveJobThread(host: HostState, thread: number, dirty: Set<string>, touched: Set<TrackedEvent>): void {
    for (const t of [...(host.byThread.get(thread) ?? [])]) {
      if (t.input.libvirt?.domain?.name || !THREAD_ATTRIBUTED_ACTIONS.has(t.input.event.action)) continue;
      this.reresolve(host, t, dirty, touched);
    }
  }

  /** A stamped line dates the unstamped lines before it in its file (source-stamps.ts). */
  private reresolveDatedBy(host: HostState, stamp: TrackedEvent, dirty: Set<string>, touched: Set<TrackedEvent>): void {
    const key = sourceKeyOf(stamp.input);
    const offset = stamp.input.log?.offset;
    if (key === undefined || offset === undefined) return;
    for (const t of [...(host.datedBySource.get(key) ?? [])]) {
      if ((t.input.log?.offset ?? Infinity) < offset) this.reresolve(host, t, dirty, touched);
    }
  }

  /** After learning a fact: re-resolve the records a fact can change (guest records, local times). */
  private reresolveAll(host: HostState, dirty: Set<string>, touched: Set<TrackedEvent>): boolean {
    let learned = false;
    for (const t of [...host.events]) {
      if (!isGuestRecord(t.input) && !hasUnresolvedZone(t.input)) continue;
      if (this.reresolve(host, t, dirty, touched)) {
        learned = host.facts.learn(t.current, t.enrichment.tsMs, this.options.hostZones.get(host.hypervisor)).identity || learned;
      }
    }
    return learned;
  }

  private markDirty(host: HostState, t: TrackedEvent, dirty: Set<string>): void {
    const domain = t.enrichment.domain;
    if (domain) {
      if (host.signals.has(domain) || host.live.has(domain)) dirty.add(domain);
      return;
    }
    if (isGuestRecord(t.input)) return; // unresolved guest records explain nothing
    const reach = this.options.windowBeforeMs + this.options.windowAfterMs + this.options.mergeWindowMs + this.options.lastSignOfLifeLookbackMs;
    for (const [name, set] of host.signals) {
      for (const s of set) {
        if (Math.abs(s.enrichment.tsMs - t.enrichment.tsMs) <= reach) {
          dirty.add(name);
          break;
        }
      }
    }
  }

  private recomputeDomain(host: HostState, domain: string, out: CorrelatorOutput): void {
    const options = this.options;
    const zoneAt = (ms: number) => guestZone(options, host.facts, host.hypervisor, domain, ms);
    const signalContext: SignalContext = {
      domainEvents: (from, to) => host.domainRange(domain, from, to),
      guestZoneAt: zoneAt,
      lookbackMs: options.lastSignOfLifeLookbackMs,
      shutdownRequestWindowMs: options.shutdownRequestWindowMs,
    };
    const candidates = [...(host.signals.get(domain) ?? [])];
    const rebootedBetween = (from: number, to: number) => host.domainRange(domain, from, to).some((t) => BOOT_MARKERS.has(t.current.event.action));
    const groups = groupSignals(buildSignals(candidates, signalContext), options.mergeWindowMs, rebootedBetween).filter(isHang);
    const next = new Map<string, LiveIncident>();
    for (const group of groups) {
      const incident = buildIncident({
        hypervisor: host.hypervisor,
        domain,
        group,
        windowEvents: (from, to) => host.range(from, to).filter((t) => isEvidenceFor(t, domain)).map((t) => t.current),
        configAround: (ms) => {
          const found = host.facts.configs.get(domain)?.around(ms);
          return found ? { event: found.fact.value, seen: found.seen } : undefined;
        },
        daemonVersionAt: (ms) => host.facts.daemonVersions.at(ms)?.value,
        guestZoneAt: zoneAt,
        guestSkewAt: (guestMs) => skewAt(host.facts.skewsOf(domain, options), guestMs),
        options,
      });
      next.set(incident.incident.id, { incident, json: JSON.stringify(incident), lastInfluenceMs: lastInfluenceMs(group), signalIds: group.signals.map((s) => s.id) });
    }
    const previous = host.live.get(domain) ?? new Map<string, LiveIncident>();
    for (const [id, live] of next) if (previous.get(id)?.json !== live.json) out.incidents.push(live.incident);
    for (const id of previous.keys()) {
      if (next.has(id)) continue;
      out.tombstones.push(id);
      out.tombstoneHypervisors.push(host.hypervisor);
    }
    if (next.size > 0) host.live.set(domain, next);
    else host.live.delete(domain);
  }

  private isStalledIo(input: EcsEvent): boolean {
    const io = input.linux?.iostat;
    if (!io) return false;
    const wait = io.await_ms ?? Math.max(io.r_await_ms ?? 0, io.w_await_ms ?? 0);
    return wait >= this.options.ioAwaitMsThreshold || (io.util_pct ?? 0) >= this.options.ioUtilPctThreshold;
  }

  private advance(host: HostState, tsMs: number): void {
    if (tsMs > host.maxTrustedMs) host.maxTrustedMs = tsMs;
  }

  private evictIfDue(host: HostState): void {
    const watermark = host.maxTrustedMs - this.options.latenessMs;
    if (watermark - host.lastEvictionMs < EVICTION_STEP_MS) return;
    host.lastEvictionMs = watermark;
    this.finalizeAndEvict(host, watermark);
  }

  private finalizeAndEvict(host: HostState, watermark: number): void {
    for (const [domain, live] of host.live) {
      for (const [id, incident] of live) {
        if (incident.lastInfluenceMs + this.options.finalizeAfterMs >= watermark) continue;
        live.delete(id);
        for (const signalId of incident.signalIds) {
          host.frozenSignals.add(signalId);
          const t = host.byId.get(signalId);
          if (t?.enrichment.domain) host.signals.get(t.enrichment.domain)?.delete(t);
        }
      }
      if (live.size === 0) host.live.delete(domain);
    }
    const horizon = watermark - this.retentionOf(host);
    const expired: TrackedEvent[] = [];
    for (const t of host.events) {
      if (t.enrichment.tsMs >= horizon) break;
      // A local time still waiting for its zone may really be up to 14 hours later than it reads.
      if (hasUnresolvedZone(t.current) && t.enrichment.tsMs >= horizon - MAX_ZONE_OFFSET_MS) continue;
      // A line waiting for the next stamped line of its file is only as old as that line will say.
      if (t.enrichment.pendingTime && (host.datedBySource.get(sourceKeyOf(t.input) ?? '')?.size ?? 0) <= MAX_PENDING_PER_SOURCE) continue;
      expired.push(t);
    }
    for (const t of expired) {
      host.remove(t);
      host.frozenSignals.delete(t.input.event.id);
    }
    if (Number.isFinite(horizon)) host.facts.prune(horizon);
  }
}

function emptyOutput(): CorrelatorOutput {
  return { incidents: [], tombstones: [], tombstoneHypervisors: [], events: [], rehomed: [], identity: [] };
}

/** A guest record that came with no hypervisor (Winlogbeat from a guest the parser could not place) but a MAC. */
function isUnplacedGuest(input: EcsEvent): boolean {
  return isGuestRecord(input) && !input.libvirt?.hypervisor && (input.host?.mac?.length ?? 0) > 0;
}

/** Evidence for a domain: its own records and the hypervisor's records that name no domain (not other guests'). */
function isEvidenceFor(t: TrackedEvent, domain: string): boolean {
  const own = t.enrichment.domain;
  if (own) return own === domain;
  return !isGuestRecord(t.input);
}
