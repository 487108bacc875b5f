import { HostFacts } from './host-facts.js';
import { classifySignal } from './hang-signals.js';
import { isDatedByNextStamp, sourceKeyOf } from './source-stamps.js';
import { compareTracked, type TrackedEvent } from './tracked-event.js';
import type { Incident } from '../../../shared/schema/incident.js';

// Everything the correlator holds for one hypervisor: its events in event-time order (bounded by the watermark),
// indexes by thread and by domain, what it learned, and the incidents it has sent and may still change.

export interface LiveIncident {
  readonly incident: Incident;
  readonly json: string;
  readonly lastInfluenceMs: number;
  readonly signalIds: readonly string[];
}

export class HostState {
  readonly events: TrackedEvent[] = [];
  readonly byId = new Map<string, TrackedEvent>();
  readonly byThread = new Map<number, Set<TrackedEvent>>();
  readonly byDomain = new Map<string, TrackedEvent[]>();
  /** Lines dated by the next stamped line of their file, per file (source-stamps.ts). */
  readonly datedBySource = new Map<string, Set<TrackedEvent>>();
  /** Candidate hang signals per domain (not yet part of a finalized incident). */
  readonly signals = new Map<string, Set<TrackedEvent>>();
  readonly facts = new HostFacts();
  /** Incidents sent and still open to change, per domain. */
  readonly live = new Map<string, Map<string, LiveIncident>>();
  /** Signals of finalized incidents: never regrouped. */
  readonly frozenSignals = new Set<string>();
  maxTrustedMs = -Infinity;
  lastEvictionMs = -Infinity;

  constructor(readonly hypervisor: string) {}

  insert(t: TrackedEvent): void {
    this.byId.set(t.input.event.id, t);
    insertSorted(this.events, t);
    this.index(t);
  }

  remove(t: TrackedEvent): void {
    this.byId.delete(t.input.event.id);
    removeSorted(this.events, t);
    this.unindex(t);
  }

  /** Re-places an event whose time or domain changed. */
  reindex(t: TrackedEvent, update: () => void): void {
    removeSorted(this.events, t);
    this.unindex(t);
    update();
    insertSorted(this.events, t);
    this.index(t);
  }

  /** Events with tsMs in [fromMs, toMs], time-ordered. */
  range(fromMs: number, toMs: number, list: readonly TrackedEvent[] = this.events): TrackedEvent[] {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.enrichment.tsMs < fromMs) lo = mid + 1;
      else hi = mid;
    }
    const out: TrackedEvent[] = [];
    for (let i = lo; i < list.length && list[i]!.enrichment.tsMs <= toMs; i++) out.push(list[i]!);
    return out;
  }

  domainRange(domain: string, fromMs: number, toMs: number): TrackedEvent[] {
    const list = this.byDomain.get(domain);
    return list ? this.range(fromMs, toMs, list) : [];
  }

  private index(t: TrackedEvent): void {
    if (isDatedByNextStamp(t.input)) {
      const key = sourceKeyOf(t.input)!;
      let set = this.datedBySource.get(key);
      if (!set) this.datedBySource.set(key, (set = new Set()));
      set.add(t);
    }
    const thread = t.input.process?.thread?.id;
    if (thread !== undefined && t.input.event.dataset === 'libvirt.daemon') {
      let set = this.byThread.get(thread);
      if (!set) this.byThread.set(thread, (set = new Set()));
      set.add(t);
    }
    const domain = t.enrichment.domain;
    if (domain) {
      let list = this.byDomain.get(domain);
      if (!list) this.byDomain.set(domain, (list = []));
      insertSorted(list, t);
      if (classifySignal(t.current) && !this.frozenSignals.has(t.input.event.id)) {
        let set = this.signals.get(domain);
        if (!set) this.signals.set(domain, (set = new Set()));
        set.add(t);
      }
    }
  }

  private unindex(t: TrackedEvent): void {
    const key = sourceKeyOf(t.input);
    const dated = key === undefined ? undefined : this.datedBySource.get(key);
    if (dated?.delete(t) && dated.size === 0) this.datedBySource.delete(key!);
    const thread = t.input.process?.thread?.id;
    if (thread !== undefined) {
      const set = this.byThread.get(thread);
      set?.delete(t);
      if (set?.size === 0) this.byThread.delete(thread);
    }
    const domain = t.enrichment.domain;
    if (domain) {
      const list = this.byDomain.get(domain);
      if (list) {
        removeSorted(list, t);
        if (list.length === 0) this.byDomain.delete(domain);
      }
      const set = this.signals.get(domain);
      set?.delete(t);
      if (set?.size === 0) this.signals.delete(domain);
    }
  }
}

function insertSorted(list: TrackedEvent[], t: TrackedEvent): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareTracked(list[mid]!, t) < 0) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, t);
}

function removeSorted(list: TrackedEvent[], t: TrackedEvent): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareTracked(list[mid]!, t) < 0) lo = mid + 1;
    else hi = mid;
  }
  if (list[lo] === t) list.splice(lo, 1);
  else {
    const i = list.indexOf(t);
    if (i >= 0) list.splice(i, 1);
  }
}
