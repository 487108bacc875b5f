import type { EcsEvent } from '../../../shared/schema/event.js';
import type { Attribution } from '../../../shared/vocabulary.js';
import { normalizeMac } from '../../../shared/identity.js';
import { formatOffset, parseZone, type Zone } from '../../../shared/time.js';
import { CONTEXT_DATING_SPAN_MS, readCrashRecord, type CrashRecord } from './context-time.js';
import { computerNameOf, domainOf, isGuestRecord } from './event-facts.js';
import { measureSkews, type SkewMeasurement, type SkewOptions } from './guest-clock.js';
import { readJobOwner } from './job-owner.js';
import { isStampFor, SourceStamps } from './source-stamps.js';
import { TimedFacts } from './timed-facts.js';
import { configShowsCpu } from '../../../shared/vm-config.js';

// What one hypervisor's records taught us (DESIGN.md sections 6 and 7): guest zones, MAC -> domain, Windows
// computer name -> domain, each domain's configuration, the daemon's version, which libvirtd thread holds which
// domain's job, the stamped lines of files whose unstamped lines are dated by the next stamp, and the guest's dated
// records of each crash (which date the reports that carry no time, context-time.ts). Configuration lives elsewhere
// and wins.

export interface NameFact {
  readonly domain: string;
  readonly via: Attribution;
}

export interface JobFact {
  readonly domain: string;
  readonly sinceMs: number;
}

/** What `learn` found: something that can re-resolve guest records or local times, a stamp, a job owner. */
export interface Learned {
  readonly identity: boolean;
  readonly stamp: boolean;
  readonly jobThread?: number;
}

export class HostFacts {
  readonly zones = new Map<string, TimedFacts<Zone>>();
  readonly macs = new Map<string, TimedFacts<string>>();
  readonly names = new Map<string, TimedFacts<NameFact>>();
  readonly configs = new Map<string, TimedFacts<EcsEvent>>();
  readonly daemonVersions = new TimedFacts<string>();
  /** libvirtd thread id -> the domain whose job it held (from "Cannot start job ... owned by" lines). */
  readonly jobOwners = new Map<string, TimedFacts<JobFact>>();
  readonly stamps = new SourceStamps();
  /** Per domain: the guest's boot records at its own clock's time, and qemu starts at the host's (guest-clock.ts). */
  readonly boots = new Map<string, TimedFacts<string>>();
  readonly starts = new Map<string, TimedFacts<string>>();
  /** Per domain: the dump headers and boot records (41, 6008, 1001) of its crashes, at their own times. */
  readonly crashes = new Map<string, TimedFacts<CrashRecord>>();
  private readonly skews = new Map<string, SkewMeasurement[]>();

  /** The domain's clock skew measurements (cached until a boot or start of that domain is learned). */
  skewsOf(domain: string, options: SkewOptions): SkewMeasurement[] {
    let list = this.skews.get(domain);
    if (!list) this.skews.set(domain, (list = measureSkews(this.boots.get(domain), this.starts.get(domain), options)));
    return list;
  }

  /**
   * Learns from an enriched event; says what was learned that can change another event's identity or time
   * (the caller then re-resolves what it holds).
   */
  learn(event: EcsEvent, tsMs: number, hostZone: Zone | undefined): Learned {
    const stamp = isStampFor(event) && this.stamps.add(event, tsMs);
    const owner = readJobOwner(event, tsMs);
    const job = owner !== undefined && addTo(this.jobOwners, String(owner.thread), { atMs: tsMs, eventId: event.event.id, value: { domain: owner.domain, sinceMs: owner.sinceMs } });
    return { identity: this.learnIdentity(event, tsMs, hostZone), stamp, ...(job ? { jobThread: owner.thread } : {}) };
  }

  private learnIdentity(event: EcsEvent, tsMs: number, hostZone: Zone | undefined): boolean {
    const id = event.event.id;
    const domain = domainOf(event);
    let changed = false;
    const action = event.event.action;
    if (domain && event.windows?.windbg?.gmt_offset_minutes !== undefined) {
      const zone = parseZone(formatOffset(event.windows.windbg.gmt_offset_minutes));
      changed = addTo(this.zones, domain, { atMs: tsMs, eventId: id, value: zone }) || changed;
    }
    // 6008's <Binary> carries local and UTC SYSTEMTIMEs: their difference is the guest's offset.
    if (domain && action === 'unexpected-shutdown' && event.windows?.shutdown?.offset_minutes !== undefined) {
      const zone = parseZone(formatOffset(event.windows.shutdown.offset_minutes));
      changed = addTo(this.zones, domain, { atMs: tsMs, eventId: id, value: zone }) || changed;
    }
    if (domain && action === 'vm-config') {
      // A command line cut before its -cpu tells nothing about enlightenments: never the config a diagnosis reads.
      if (configShowsCpu(event)) addTo(this.configs, domain, { atMs: tsMs, eventId: id, value: event });
      for (const mac of event.qemu?.net?.mac ?? []) {
        changed = addTo(this.macs, normalizeMac(mac), { atMs: tsMs, eventId: id, value: domain }) || changed;
      }
      // `-rtc base=localtime`: the guest's clock runs in the host's zone, when that zone is configured.
      if (event.qemu?.rtc?.base === 'localtime' && hostZone) {
        changed = addTo(this.zones, domain, { atMs: tsMs, eventId: id, value: hostZone }) || changed;
      }
    }
    // Guest clock (guest-clock.ts): a boot record at the guest's own (uncorrected) time, a qemu start at the host's.
    if (domain && action === 'system-boot' && isGuestRecord(event) && event.hangwatch.time.basis === 'explicit') {
      const guestMs = tsMs + (event.hangwatch.clock?.corrected_ms ?? 0);
      if (addTo(this.boots, domain, { atMs: guestMs, eventId: id, value: id })) {
        this.skews.delete(domain);
        changed = this.starts.has(domain) || changed;
      }
    }
    if (domain && (action === 'vm-start' || action === 'vm-config') && !isGuestRecord(event)) {
      if (addTo(this.starts, domain, { atMs: tsMs, eventId: id, value: id })) {
        this.skews.delete(domain);
        changed = this.boots.has(domain) || changed;
      }
    }
    // A dated record of a crash can date the undated reports of that crash (they re-resolve like other guest records).
    const crash = domain ? readCrashRecord(event) : undefined;
    if (domain && crash) changed = addTo(this.crashes, domain, { atMs: tsMs, eventId: id, value: crash }) || changed;
    if (event.libvirt?.version && (action === 'daemon-info' || action === 'daemon-start')) {
      this.daemonVersions.add({ atMs: tsMs, eventId: id, value: event.libvirt.version });
    }
    const via = event.hangwatch.attribution;
    const name = computerNameOf(event);
    // A bound record whose computer name claims another domain teaches nothing about that name.
    const bound = via === 'folder' || via === 'sender' || via === 'inventory' || via === 'mac';
    if (domain && name && isGuestRecord(event) && bound && !event.hangwatch.identity?.conflict) {
      changed = addTo(this.names, name, { atMs: tsMs, eventId: id, value: { domain, via } }) || changed;
    }
    return changed;
  }

  prune(horizonMs: number): void {
    for (const map of [this.zones, this.macs, this.names, this.configs, this.jobOwners, this.boots, this.starts] as Map<string, TimedFacts<unknown>>[]) {
      for (const facts of map.values()) facts.prune(horizonMs);
    }
    // A report of a crash is often written hours after it: its records stay for the span it may be dated within.
    for (const facts of this.crashes.values()) facts.prune(horizonMs - CONTEXT_DATING_SPAN_MS);
    this.skews.clear();
    this.daemonVersions.prune(horizonMs);
    this.stamps.prune(horizonMs);
  }

  /** Number of facts held, for the memory figure. */
  get size(): number {
    let n = this.daemonVersions.size + this.stamps.size;
    for (const map of [this.zones, this.macs, this.names, this.configs, this.jobOwners, this.boots, this.starts, this.crashes] as Map<string, TimedFacts<unknown>>[]) {
      for (const facts of map.values()) n += facts.size;
    }
    return n;
  }
}

function addTo<V>(map: Map<string, TimedFacts<V>>, key: string, fact: { atMs: number; eventId: string; value: V }): boolean {
  let facts = map.get(key);
  if (!facts) {
    facts = new TimedFacts<V>();
    map.set(key, facts);
  }
  return facts.add(fact);
}
