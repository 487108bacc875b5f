import type { EcsEvent } from '../../../shared/schema/event.js';
import type { Zone } from '../../../shared/time.js';
import type { CrashRecord } from './context-time.js';
import type { HostFacts, NameFact } from './host-facts.js';
import { TimedFacts, type TimedFact } from './timed-facts.js';

// A hypervisor's learned facts as plain JSON, for the compacted identity topic (DESIGN.md section 7): what a
// restarted correlator (or the parser) needs that is older than the replayed part of the events topic.

export const FACTS_SNAPSHOT_VERSION = 1;

export interface FactsSnapshot {
  readonly version: number;
  readonly hypervisor: string;
  readonly zones: Record<string, TimedFact<Zone>[]>;
  readonly macs: Record<string, TimedFact<string>[]>;
  readonly names: Record<string, TimedFact<NameFact>[]>;
  readonly configs: Record<string, TimedFact<EcsEvent>[]>;
  readonly daemonVersions: TimedFact<string>[];
  /** Guest boots (guest clock) and qemu starts (host clock) per domain, for the guest's clock skew; absent in older snapshots. */
  readonly boots?: Record<string, TimedFact<string>[]>;
  readonly starts?: Record<string, TimedFact<string>[]>;
  /** The guest's dated records of its crashes per domain, which date reports without a time; absent in older snapshots. */
  readonly crashes?: Record<string, TimedFact<CrashRecord>[]>;
}

export function exportFacts(hypervisor: string, facts: HostFacts): FactsSnapshot {
  return {
    version: FACTS_SNAPSHOT_VERSION,
    hypervisor,
    zones: exportMap(facts.zones),
    macs: exportMap(facts.macs),
    names: exportMap(facts.names),
    // The raw command line is the bulk of a vm-config and is not needed to diagnose.
    configs: Object.fromEntries([...facts.configs].map(([k, v]) => [k, v.list().map((f) => ({ ...f, value: withoutOriginal(f.value) }))])),
    daemonVersions: facts.daemonVersions.list(),
    boots: exportMap(facts.boots),
    starts: exportMap(facts.starts),
    crashes: exportMap(facts.crashes),
  };
}

export function importFacts(snapshot: FactsSnapshot, facts: HostFacts): void {
  if (snapshot.version !== FACTS_SNAPSHOT_VERSION) return;
  importMap(snapshot.zones, facts.zones);
  importMap(snapshot.macs, facts.macs);
  importMap(snapshot.names, facts.names);
  importMap(snapshot.configs, facts.configs);
  for (const fact of snapshot.daemonVersions) facts.daemonVersions.add(fact);
  importMap(snapshot.boots ?? {}, facts.boots);
  importMap(snapshot.starts ?? {}, facts.starts);
  importMap(snapshot.crashes ?? {}, facts.crashes);
}

function exportMap<V>(map: Map<string, TimedFacts<V>>): Record<string, TimedFact<V>[]> {
  return Object.fromEntries([...map].map(([k, v]) => [k, v.list()]));
}

function importMap<V>(source: Record<string, TimedFact<V>[]>, target: Map<string, TimedFacts<V>>): void {
  for (const [key, list] of Object.entries(source)) {
    let facts = target.get(key);
    if (!facts) target.set(key, (facts = new TimedFacts<V>()));
    for (const fact of list) facts.add(fact);
  }
}

function withoutOriginal(event: EcsEvent): EcsEvent {
  const { original: _original, ...rest } = event.event;
  return { ...event, event: rest };
}
