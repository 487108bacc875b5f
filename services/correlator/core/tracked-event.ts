import type { EcsEvent, IdentityConflict } from '../../../shared/schema/event.js';
import type { Attribution, TimeBasis } from '../../../shared/vocabulary.js';
import { isoUtc } from '../../../shared/time.js';

// One event held in the correlator's state: what came in, and what identity and time resolution made of it.

export interface Enrichment {
  readonly hypervisor: string;
  readonly domain?: string;
  readonly attribution?: Attribution;
  readonly confidence?: number;
  readonly tsMs: number;
  /** Set when a zone was applied to a local time. */
  readonly zone?: string;
  /** Guest clock skew subtracted from the record's own time (guest-clock.ts). */
  readonly correctedMs?: number;
  /** The record waits for a later line to date it (source-stamps.ts): not a hang signal yet, not evicted. */
  readonly pendingTime?: boolean;
  /** A record with no time of its own dated by another (context-time.ts): how, and by which event. */
  readonly basis?: TimeBasis;
  readonly datedBy?: string;
  /** A suspect guest time the record was re-dated from (trusted-time.ts), kept on the event as the claim. */
  readonly claimed?: string;
  /** The guest's own claim that contradicts the binding the record was attributed by (resolve-identity.ts). */
  readonly conflict?: IdentityConflict;
}

export interface TrackedEvent {
  readonly input: EcsEvent;
  enrichment: Enrichment;
  /** The event as it stands now (input + enrichment). */
  current: EcsEvent;
  /** Signature of the version last sent out (the input counts as sent: it is already on the events topic). */
  emittedSignature: string;
}

/** What is sent out of an enrichment (`pendingTime` is internal state, not part of the event). */
export function signatureOf(e: Enrichment): string {
  return JSON.stringify([e.tsMs, e.hypervisor, e.domain ?? null, e.attribution ?? null, e.confidence ?? null, e.zone ?? null, e.correctedMs ?? null, e.basis ?? null, e.conflict ?? null]);
}

/** Whether re-resolving changed anything the correlator holds. */
export function stateSignatureOf(e: Enrichment): string {
  return `${signatureOf(e)}${e.pendingTime ? '+pending' : ''}${e.datedBy ? `+by:${e.datedBy}` : ''}`;
}

export function enrichmentOfInput(event: EcsEvent): Enrichment {
  return {
    hypervisor: event.libvirt?.hypervisor ?? '',
    ...(event.libvirt?.domain?.name ? { domain: event.libvirt.domain.name } : {}),
    ...(event.hangwatch.attribution ? { attribution: event.hangwatch.attribution } : {}),
    ...(event.hangwatch.attribution_confidence !== undefined ? { confidence: event.hangwatch.attribution_confidence } : {}),
    tsMs: Date.parse(event['@timestamp']),
    ...(event.hangwatch.time.zone ? { zone: event.hangwatch.time.zone } : {}),
    ...(event.hangwatch.clock?.corrected_ms !== undefined ? { correctedMs: event.hangwatch.clock.corrected_ms } : {}),
    ...(event.hangwatch.identity?.conflict ? { conflict: event.hangwatch.identity.conflict } : {}),
  };
}

/** The input with the enrichment applied; the input object is never mutated. */
export function applyEnrichment(input: EcsEvent, e: Enrichment): EcsEvent {
  const libvirt = { ...input.libvirt };
  if (e.hypervisor) libvirt.hypervisor = e.hypervisor;
  if (e.domain) libvirt.domain = { ...input.libvirt?.domain, name: e.domain };
  const hangwatch: EcsEvent['hangwatch'] = { ...input.hangwatch, time: { ...input.hangwatch.time } };
  if (e.attribution) hangwatch.attribution = e.attribution;
  if (e.confidence !== undefined) hangwatch.attribution_confidence = e.confidence;
  else delete hangwatch.attribution_confidence;
  if (e.zone) hangwatch.time.zone = e.zone;
  if (e.basis) hangwatch.time.basis = e.basis;
  if (e.claimed !== undefined) hangwatch.time.claimed = e.claimed;
  // The parser's conflict (a sender's topic against the MAC it carries) stays unless this one replaces it.
  if (e.conflict) hangwatch.identity = { ...input.hangwatch.identity, conflict: e.conflict };
  if (e.correctedMs !== undefined) hangwatch.clock = { ...input.hangwatch.clock, corrected_ms: e.correctedMs };
  const out: EcsEvent = { ...input, '@timestamp': isoUtc(e.tsMs), hangwatch };
  if (Object.keys(libvirt).length > 0) out.libvirt = libvirt;
  return out;
}

export function compareTracked(a: TrackedEvent, b: TrackedEvent): number {
  if (a.enrichment.tsMs !== b.enrichment.tsMs) return a.enrichment.tsMs - b.enrichment.tsMs;
  const x = a.input.event.id;
  const y = b.input.event.id;
  return x < y ? -1 : x > y ? 1 : 0;
}
