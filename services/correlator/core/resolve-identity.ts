import type { EcsEvent, IdentityConflict } from '../../../shared/schema/event.js';
import { normalizeMac } from '../../../shared/identity.js';
import type { Zone } from '../../../shared/time.js';
import type { EventAction } from '../../../shared/vocabulary.js';
import { findCrashContext, isContextDated } from './context-time.js';
import { computerNameOf, guestFolderDomain, hasUnresolvedZone, isGuestRecord, threadIdOf } from './event-facts.js';
import { skewAt } from './guest-clock.js';
import type { HostFacts } from './host-facts.js';
import { readWallClock, wallClockToUtcMs } from './local-time.js';
import { isDatedByNextStamp } from './source-stamps.js';
import { isSuspectTime, suspectTimeOf } from './trusted-time.js';
import type { InventoryEntry, ResolvedOptions } from './options.js';
import { enrichmentOfInput, type Enrichment, type TrackedEvent } from './tracked-event.js';

// Identity and time resolution of one event against what is configured and learned (DESIGN.md sections 6, 7).
// Pure: the same event, facts and neighbours always give the same enrichment.

/** libvirtd lines that name no VM but belong to one; their thread's neighbouring lines say which. */
export const THREAD_ATTRIBUTED_ACTIONS: ReadonlySet<EventAction> = new Set(['monitor-eof', 'monitor-error', 'migration-failed', 'job-lock']);

export interface ResolveContext {
  readonly options: ResolvedOptions;
  readonly facts: HostFacts;
  readonly hypervisor: string;
  /** Events of the same hypervisor and thread within the neighbour span (any order). */
  readonly threadNeighbours: (threadId: number, tsMs: number) => readonly TrackedEvent[];
}

/** Which hypervisor's state an event belongs to: its own field, else the inventory, else the unknown host ''. */
export function routeHypervisor(event: EcsEvent, options: ResolvedOptions): string {
  const own = event.libvirt?.hypervisor;
  if (own) return own;
  return findInventoryEntry(event, undefined, options.inventory)?.hypervisor ?? '';
}

type Identity = Pick<Enrichment, 'domain' | 'attribution' | 'confidence' | 'conflict'>;

export function resolveEnrichment(input: EcsEvent, ctx: ResolveContext): Enrichment {
  const base = enrichmentOfInput(input);
  let identity: Identity = pickIdentity(base);
  if (isGuestRecord(input)) identity = resolveGuestDomain(input, ctx) ?? identity;
  else if (!base.domain && input.event.dataset === 'libvirt.daemon' && THREAD_ATTRIBUTED_ACTIONS.has(input.event.action)) {
    identity = attributeByThread(input, base.tsMs, ctx) ?? attributeByJobOwner(input, base.tsMs, ctx) ?? { attribution: 'unresolved' };
  }
  const time = resolveTime(input, base.tsMs, identity.domain, ctx);
  return { hypervisor: ctx.hypervisor, ...identity, ...time };
}

function pickIdentity(e: Enrichment): Identity {
  return {
    ...(e.domain ? { domain: e.domain } : {}),
    ...(e.attribution ? { attribution: e.attribution } : {}),
    ...(e.confidence !== undefined ? { confidence: e.confidence } : {}),
  };
}

/**
 * Guest record -> domain, in order: the binding the operator made when collecting (the collection folder
 * `guests/<domain>/`, or the domain a Winlogbeat sender's topic is configured to speak for, applied by the parser as
 * `sender`), the inventory, what the parser found, the MAC, a learned computer name. A guest's computer name and MAC
 * are its claims: a claim never moves a bound record to another domain; when it points elsewhere the record keeps its
 * binding and carries the claim as `hangwatch.identity.conflict`.
 */
function resolveGuestDomain(input: EcsEvent, ctx: ResolveContext): Identity | undefined {
  const tsMs = Date.parse(input['@timestamp']);
  const binding = bindingOf(input);
  if (binding) {
    const conflict = findContradictingClaim(input, binding.domain, tsMs, ctx) ?? input.hangwatch.identity?.conflict;
    return { ...binding, ...(conflict ? { conflict } : {}) };
  }
  const entry = findInventoryEntry(input, ctx.hypervisor, ctx.options.inventory);
  if (entry) return { domain: entry.domain, attribution: 'inventory' };
  const own = input.libvirt?.domain?.name;
  if (own && input.hangwatch.attribution !== 'unresolved') {
    return { domain: own, attribution: input.hangwatch.attribution ?? 'record', ...(input.hangwatch.attribution_confidence !== undefined ? { confidence: input.hangwatch.attribution_confidence } : {}) };
  }
  for (const mac of input.host?.mac ?? []) {
    const fact = ctx.facts.macs.get(normalizeMac(mac))?.at(tsMs);
    if (fact) return { domain: fact.value, attribution: 'mac' };
  }
  const name = computerNameOf(input);
  const learned = name ? ctx.facts.names.get(name)?.at(tsMs) : undefined;
  // Learned second hand (another record of the same computer was placed by folder, inventory or MAC).
  if (learned) return { domain: learned.value.domain, attribution: learned.value.via, confidence: 0.8 };
  return { attribution: 'unresolved' };
}

/** The operator's binding of a guest record: the folder it was collected into, or its sender's configured domain. */
function bindingOf(input: EcsEvent): { domain: string; attribution: 'folder' | 'sender' } | undefined {
  const folder = guestFolderDomain(input.log?.file?.path);
  if (folder) return { domain: folder, attribution: 'folder' };
  const own = input.libvirt?.domain?.name;
  if (own && input.hangwatch.attribution === 'sender') return { domain: own, attribution: 'sender' };
  return undefined;
}

/**
 * The first of the guest's own claims that names another domain than its binding: the inventory's entry for its
 * computer name or MAC, this hypervisor's qemu `mac=` for its MAC, the domain its computer name was learned for.
 */
function findContradictingClaim(input: EcsEvent, domain: string, tsMs: number, ctx: ResolveContext): IdentityConflict | undefined {
  const entry = findInventoryEntry(input, ctx.hypervisor, ctx.options.inventory);
  if (entry && entry.domain !== domain) {
    const byName = entry.computerName !== undefined && entry.computerName.toLowerCase() === computerNameOf(input);
    const claim = byName ? (input.winlog?.computer_name ?? input.host?.name) : entry.mac;
    return { claimed: entry.domain, via: 'inventory', ...(claim ? { claim } : {}) };
  }
  for (const mac of input.host?.mac ?? []) {
    const fact = ctx.facts.macs.get(normalizeMac(mac))?.at(tsMs);
    if (fact && fact.value !== domain) return { claimed: fact.value, via: 'mac', claim: mac };
  }
  const name = computerNameOf(input);
  const learned = name ? ctx.facts.names.get(name)?.at(tsMs) : undefined;
  if (learned && learned.value.domain !== domain) return { claimed: learned.value.domain, via: 'name', claim: input.winlog?.computer_name ?? input.host?.name ?? name };
  return undefined;
}

export function findInventoryEntry(event: EcsEvent, hypervisor: string | undefined, inventory: readonly InventoryEntry[]): InventoryEntry | undefined {
  if (inventory.length === 0) return undefined;
  const name = computerNameOf(event);
  const macs = new Set((event.host?.mac ?? []).map(normalizeMac));
  let fallback: InventoryEntry | undefined;
  for (const entry of inventory) {
    const matches = (entry.computerName !== undefined && entry.computerName.toLowerCase() === name) || (entry.mac !== undefined && macs.has(normalizeMac(entry.mac)));
    if (!matches) continue;
    if (entry.hypervisor !== undefined && hypervisor !== undefined && entry.hypervisor === hypervisor) return entry;
    if (entry.hypervisor === undefined || hypervisor === undefined || hypervisor === '') fallback ??= entry;
  }
  return fallback;
}

/**
 * libvirtd's `qemuMonitorIO` EOF names no VM; the same thread usually writes the next line about it
 * (`Cannot open log file: '/var/log/libvirt/qemu/vm105.log'` in the seed, same millisecond). Nearest neighbour
 * wins; confidence falls with distance and halves when neighbours disagree.
 */
function attributeByThread(input: EcsEvent, tsMs: number, ctx: ResolveContext): Pick<Enrichment, 'domain' | 'attribution' | 'confidence'> | undefined {
  const thread = threadIdOf(input);
  if (thread === undefined) return undefined;
  const span = ctx.options.threadNeighbourMs;
  let best: { domain: string; distance: number; after: boolean; id: string } | undefined;
  const domains = new Set<string>();
  for (const n of ctx.threadNeighbours(thread, tsMs)) {
    const via = n.enrichment.attribution;
    const domain = n.enrichment.domain;
    if (!domain || n.input.event.id === input.event.id || (via !== 'record' && via !== 'file' && via !== undefined)) continue;
    const distance = Math.abs(n.enrichment.tsMs - tsMs);
    if (distance > span) continue;
    domains.add(domain);
    const candidate = { domain, distance, after: n.enrichment.tsMs >= tsMs, id: n.input.event.id };
    if (!best || isCloser(candidate, best)) best = candidate;
  }
  if (!best) return undefined;
  let confidence = 0.9 * (1 - best.distance / (2 * Math.max(span, 1)));
  if (domains.size > 1) confidence *= 0.5;
  return { domain: best.domain, attribution: 'thread', confidence: Math.round(confidence * 100) / 100 };
}

function isCloser(a: { distance: number; after: boolean; id: string }, b: { distance: number; after: boolean; id: string }): boolean {
  if (a.distance !== b.distance) return a.distance < b.distance;
  // libvirt reports the failed monitor first and then what it did about it: prefer the following line.
  if (a.after !== b.after) return a.after;
  return a.id < b.id;
}

/**
 * libvirt's job lock line of another thread ("Cannot start job ... for domain X; ... owned by (T ...)") says
 * thread T held X's job; T's later lines that name no domain (a failed migration) are about X. The latest such
 * line at or before the record wins, within jobOwnerSpanMs, and only once the job had begun.
 */
function attributeByJobOwner(input: EcsEvent, tsMs: number, ctx: ResolveContext): Pick<Enrichment, 'domain' | 'attribution' | 'confidence'> | undefined {
  const thread = threadIdOf(input);
  if (thread === undefined) return undefined;
  const found = ctx.facts.jobOwners.get(String(thread))?.around(tsMs);
  if (!found || found.seen !== 'before') return undefined;
  const { atMs, value } = found.fact;
  if (tsMs - atMs > ctx.options.jobOwnerSpanMs || value.sinceMs > tsMs) return undefined;
  const confidence = 0.85 * (1 - (tsMs - atMs) / (2 * Math.max(ctx.options.jobOwnerSpanMs, 1)));
  return { domain: value.domain, attribution: 'job', confidence: Math.round(confidence * 100) / 100 };
}

/**
 * Local times without a zone take the configured guest zone, else the learned one (configuration wins). A line
 * dated by the next stamp of its file (source-stamps.ts) takes that stamp's time once it is seen; until then it is
 * `pendingTime` (its inherited time is only a lower bound).
 */
function resolveTime(input: EcsEvent, tsMs: number, domain: string | undefined, ctx: ResolveContext): Pick<Enrichment, 'tsMs' | 'zone' | 'pendingTime' | 'correctedMs' | 'basis' | 'datedBy' | 'claimed'> {
  // A time the guest's clock cannot have been right about is neither zoned nor skew-corrected: it is replaced.
  if (isGuestRecord(input) && isSuspectTime(input)) return suspectTimeOf(input, tsMs);
  if (isContextDated(input)) return domain ? dateFromContext(input, tsMs, domain, ctx) : { tsMs };
  const time = resolveZone(input, tsMs, domain, ctx);
  if (!domain || !isGuestRecord(input) || time.pendingTime) return time;
  return correctGuestClock(time, domain, ctx);
}

/**
 * A report with no time of its own takes the time of the guest's record of the same crash (context-time.ts), already
 * on the host's clock; without one it keeps its file's time, and says so in its basis.
 */
function dateFromContext(input: EcsEvent, tsMs: number, domain: string, ctx: ResolveContext): Pick<Enrichment, 'tsMs' | 'basis' | 'datedBy'> {
  const found = findCrashContext(ctx.facts.crashes.get(domain), input, tsMs);
  return found ? { tsMs: found.atMs, basis: found.value.source, datedBy: found.eventId } : { tsMs };
}

/** A guest record on a guest clock measured to be off by at least skewCorrectMs is moved to the host's time. */
function correctGuestClock<T extends { tsMs: number }>(time: T, domain: string, ctx: ResolveContext): T & { correctedMs?: number } {
  if (ctx.options.skewCorrectMs > ctx.options.skewMaxMs) return time;
  const measured = skewAt(ctx.facts.skewsOf(domain, ctx.options), time.tsMs);
  if (!measured || measured.skewMs === 0 || Math.abs(measured.skewMs) < ctx.options.skewCorrectMs) return time;
  return { ...time, tsMs: time.tsMs - measured.skewMs, correctedMs: measured.skewMs };
}

function resolveZone(input: EcsEvent, tsMs: number, domain: string | undefined, ctx: ResolveContext): Pick<Enrichment, 'tsMs' | 'zone' | 'pendingTime'> {
  if (isDatedByNextStamp(input)) {
    const next = ctx.facts.stamps.nextAfter(input);
    return next !== undefined && next >= tsMs ? { tsMs: next } : { tsMs, pendingTime: true };
  }
  if (!hasUnresolvedZone(input) || !domain) return { tsMs, ...(input.hangwatch.time.zone ? { zone: input.hangwatch.time.zone } : {}) };
  const zone = guestZone(ctx.options, ctx.facts, ctx.hypervisor, domain, tsMs);
  const wall = readWallClock(input['@timestamp']);
  if (!zone || !wall) return { tsMs };
  return { tsMs: wallClockToUtcMs(wall, zone), zone: zone.name };
}

export function guestZone(options: ResolvedOptions, facts: HostFacts, hypervisor: string, domain: string, atMs: number): Zone | undefined {
  return options.guestZones.get(`${hypervisor}/${domain}`) ?? options.guestZones.get(domain) ?? facts.zones.get(domain)?.at(atMs)?.value;
}
