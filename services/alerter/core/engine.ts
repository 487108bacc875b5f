import { alertId } from '../../../shared/identity.js';
import type { Alert } from '../../../shared/schema/alert.js';
import type { Incident } from '../../../shared/schema/incident.js';
import type { AlertState } from '../../../shared/vocabulary.js';
import { buildLinks, renderMessage, type LinkOptions } from './alert-render.js';
import { readPath, scalarText } from './field-path.js';
import { matchesAll } from './filter.js';
import { isTrustedIncidentTime } from './trusted-incident-time.js';
import { FLEET_KEY, isIncidentRule, type IncidentRule, type Rule } from './rule.js';
import { candidateEnds, clearTime, compareMembers, holdsAt, membersInWindow, type Member } from './window.js';

// The alert engine: pure state over incidents, driven by event time only (the incident's @timestamp and the
// largest one seen, the watermark), so a replay of the same incidents yields the same alerts with the same ids.
//
// Event time is kept per hypervisor, since guest clocks are untrusted. Each hypervisor's watermark
// is the newest incident time of that hypervisor that the correlator vouches for (trusted-incident-time.ts): an
// incident dated by a guest clock that could not be right, by the ingest clock or by a file's modification time
// counts like any other but moves no watermark. An incident is late only against its own hypervisor's watermark,
// and a rule key's episode closes on the watermark of the hypervisors whose incidents it holds (the newest of
// them, for keys that span hypervisors). So one guest claiming the year 2200 neither makes another host's real
// incidents late nor closes their episodes. `hangwatch analyze` feeds a finite input in event-time order, where
// nothing is late: it keeps one watermark for all (`sharedWatermark`), as before.
//
// Per rule and key it keeps the matching incidents (by incident.id, so an upserted incident replaces itself
// and is never counted twice) and at most one open episode. An episode opens when the rule's condition first
// holds, gathers every incident of the windows in which it holds (`updated`, throttled in event time), and
// closes at clearTime + quiet period once the watermark minus the allowed lateness has passed that instant.

export interface EngineOptions extends LinkOptions {
  /** How far behind the watermark an incident may arrive and still count. Offline input is sorted: 0. */
  readonly allowedLatenessMs?: number;
  /** One watermark for every hypervisor, moved by every incident: for a finite input in event-time order. */
  readonly sharedWatermark?: boolean;
}

export interface UpsertResult {
  readonly alerts: Alert[];
  /** True when the incident was older than the watermark minus the allowed lateness and was not counted. */
  readonly tooLate: boolean;
}

interface StoredMember extends Member {
  readonly incident: Incident;
  /** Counted by an episode that has closed: an incident belongs to one episode at most. */
  readonly spent: boolean;
}

interface Episode {
  readonly id: string;
  readonly openedAt: number;
  /** Incident ids in the order they joined. */
  incidents: string[];
  lastEmitAt: number;
  /** A change held back by the throttle, to be sent once the throttle interval has passed. */
  pending: boolean;
  /** Incidents removed (tombstones) since the last notification; carried by the next one. */
  dirty: boolean;
  /** The incident list last notified: an update that nets out to no change is not sent. */
  notified: string;
}

interface KeyState {
  readonly rule: IncidentRule;
  readonly key: string;
  readonly members: Map<string, StoredMember>;
  episode: Episode | undefined;
  /** Close time of the last closed episode: older incidents for this key are too late to change it. */
  closedUntil: number;
  /** The hypervisors whose incidents this key has held: its event time is theirs. */
  readonly hypervisors: Set<string>;
}

export class AlertEngine {
  private readonly rules: readonly IncidentRule[];
  private readonly options: EngineOptions;
  private readonly lateness: number;
  private readonly states = new Map<string, KeyState>();
  /** incident.id -> the states that count it, so updates and tombstones find what to replace. */
  private readonly memberships = new Map<string, Set<KeyState>>();
  /** Per hypervisor (one entry, '', with sharedWatermark): the newest trusted incident time. */
  private readonly watermarks = new Map<string, number>();
  private readonly shared: boolean;
  /** Largest time given to advanceClock: wall-clock idling may close episodes, never count incidents. */
  private clock = -Infinity;

  constructor(rules: readonly Rule[], options: EngineOptions = {}) {
    // Exposure rules read audit findings, not incidents (exposure.ts).
    this.rules = rules.filter(isIncidentRule);
    this.options = options;
    this.lateness = options.allowedLatenessMs ?? 0;
    this.shared = options.sharedWatermark === true;
  }

  /** The newest watermark of any hypervisor (-Infinity before the first trusted incident). */
  get watermarkMs(): number {
    let newest = -Infinity;
    for (const ms of this.watermarks.values()) if (ms > newest) newest = ms;
    return newest;
  }

  /** One hypervisor's watermark (the shared one with sharedWatermark). */
  watermarkOf(hypervisor: string): number {
    return this.watermarks.get(this.shared ? '' : hypervisor) ?? -Infinity;
  }

  openEpisodeCount(): number {
    let n = 0;
    for (const state of this.states.values()) if (state.episode) n++;
    return n;
  }

  /** A new or refined incident (same incident.id replaces the earlier version). */
  upsert(incident: Incident): UpsertResult {
    const ts = Date.parse(incident['@timestamp']);
    const id = incident.incident.id;
    const known = this.memberships.has(id);
    const hypervisor = this.shared ? '' : (incident.libvirt.hypervisor ?? '');
    if (!known && ts < this.watermarkOf(hypervisor) - this.lateness) return { alerts: [], tooLate: true };
    const alerts: Alert[] = this.shared || isTrustedIncidentTime(incident) ? this.advanceWatermark(hypervisor, ts) : [];
    const previous = this.memberships.get(id) ?? new Set<KeyState>();
    const next = new Set<KeyState>();
    for (const rule of this.rules) {
      if (!matchesAll(incident, rule.where)) continue;
      const key = keyOf(rule, incident);
      if (key === undefined) continue;
      const state = this.stateFor(rule, key);
      state.hypervisors.add(hypervisor);
      if (ts < state.closedUntil) {
        // Its episode is closed: a refinement replaces the stored copy but never reopens or recounts it.
        if (previous.has(state)) {
          this.replaceMember(state, incident, ts);
          next.add(state);
        }
        continue;
      }
      next.add(state);
      alerts.push(...this.addMember(state, incident, ts));
    }
    // Re-attributed (another key, or no longer matching): the keys it leaves take its count back now.
    for (const state of previous) {
      if (next.has(state)) continue;
      const counted = state.episode?.incidents.includes(id) ?? false;
      this.dropMember(state, id);
      if (counted) alerts.push(...this.reviseAfterRemoval(state));
    }
    if (next.size > 0) this.memberships.set(id, next);
    else this.memberships.delete(id);
    return { alerts, tooLate: false };
  }

  /** Moves a hypervisor's event time on to `ms` (never back): sends held-back updates and closes what is due. */
  private advanceWatermark(hypervisor: string, ms: number): Alert[] {
    if (!(ms > this.watermarkOf(hypervisor))) return [];
    this.watermarks.set(hypervisor, ms);
    // Held-back updates first: they are due at lastEmitAt + throttle, before any close of their episode.
    const now = (state: KeyState) => this.stateWatermark(state);
    return [...this.flushThrottled(now), ...this.closeDue((state) => now(state) - this.lateness)];
  }

  /** A key's event time: the newest watermark among the hypervisors whose incidents it holds. */
  private stateWatermark(state: KeyState): number {
    if (this.shared) return this.watermarkOf('');
    let newest = -Infinity;
    for (const hypervisor of state.hypervisors) newest = Math.max(newest, this.watermarkOf(hypervisor));
    return newest;
  }

  /**
   * A tombstone: the incident was merged into another or withdrawn. Its count is taken back and each open
   * episode that counted it is re-evaluated at once: `updated` with what remains (throttled like any update),
   * or `closed` when nothing remains (see reviseAfterRemoval).
   */
  remove(incidentId: string): Alert[] {
    const states = this.memberships.get(incidentId);
    if (!states) return [];
    this.memberships.delete(incidentId);
    const alerts: Alert[] = [];
    for (const state of states) {
      const counted = state.episode?.incidents.includes(incidentId) ?? false;
      this.dropMember(state, incidentId);
      if (counted) alerts.push(...this.reviseAfterRemoval(state));
    }
    return alerts;
  }

  /**
   * Lets time pass without new incidents (the streaming service calls it when its input has been idle):
   * closes episodes and sends throttled updates that are due by `ms`. It never moves the watermark, so it
   * cannot make a later incident count as late.
   */
  advanceClock(ms: number): Alert[] {
    if (ms <= this.clock) return [];
    this.clock = ms;
    return [...this.flushThrottled(() => ms), ...this.closeDue(() => ms - this.lateness)];
  }

  /**
   * The streaming form of advanceClock: the input has been idle for `idleMs` of wall-clock time, so each key's event
   * time runs on that far past its own watermark (past its newest incident, for a key whose incidents all carry
   * untrusted times). Like advanceClock it never moves a watermark.
   */
  advanceIdle(idleMs: number): Alert[] {
    const now = (state: KeyState) => {
      const watermark = this.stateWatermark(state);
      return (Number.isFinite(watermark) ? watermark : newestMemberTs(state)) + idleMs;
    };
    return [...this.flushThrottled(now), ...this.closeDue((state) => now(state) - this.lateness)];
  }

  private stateFor(rule: IncidentRule, key: string): KeyState {
    const id = `${rule.id}\u0000${key}`;
    let state = this.states.get(id);
    if (!state) {
      state = { rule, key, members: new Map(), episode: undefined, closedUntil: -Infinity, hypervisors: new Set() };
      this.states.set(id, state);
    }
    return state;
  }

  private addMember(state: KeyState, incident: Incident, ts: number): Alert[] {
    const rule = state.rule;
    const alerts: Alert[] = [];
    // An incident after the episode's close time belongs to the next episode: close this one first.
    const closeAt = state.episode ? this.closeTimeOf(state) : undefined;
    if (closeAt !== undefined && ts >= closeAt) alerts.push(this.close(state, closeAt));
    this.replaceMember(state, incident, ts);
    const sorted = sortedMembers(state);
    let openedAt: number | undefined;
    let changedAt: number | undefined;
    for (const end of candidateEnds(rule, sorted, ts)) {
      if (!holdsAt(rule, sorted, end)) continue;
      const inWindow = membersInWindow(rule, sorted, end);
      if (!state.episode) {
        const first = inWindow[0] as StoredMember;
        state.episode = { id: alertId(rule.id, state.key, first.id), openedAt: end, incidents: [], lastEmitAt: end, pending: false, dirty: false, notified: '' };
        openedAt = end;
      }
      const episode = state.episode;
      for (const m of inWindow) {
        if (!episode.incidents.includes(m.id)) {
          episode.incidents.push(m.id);
          changedAt = end;
        }
      }
    }
    const episode = state.episode;
    if (!episode) return alerts;
    if (openedAt !== undefined) {
      alerts.push(this.build(state, 'open', openedAt));
      return alerts;
    }
    // A refinement of an incident already in the episode (new diagnosis, corrected time) changes no count.
    if (changedAt === undefined && !episode.dirty) return alerts;
    if (episodeSignature(episode) === episode.notified) return alerts;
    // A late incident changes the episode now, not in the past: a state change never precedes the last one.
    const at = Math.max(changedAt ?? ts, episode.lastEmitAt);
    if (rule.throttleMs > 0 && at < episode.lastEmitAt + rule.throttleMs) {
      episode.pending = true;
      return alerts;
    }
    alerts.push(this.build(state, 'updated', at));
    return alerts;
  }

  private replaceMember(state: KeyState, incident: Incident, ts: number): void {
    const rule = state.rule;
    const value = rule.type === 'cardinality' ? scalarText(readPath(incident, rule.distinct)) : undefined;
    const spent = state.members.get(incident.incident.id)?.spent ?? false;
    state.members.set(incident.incident.id, { id: incident.incident.id, ts, value, incident, spent });
  }

  private dropMember(state: KeyState, incidentId: string): void {
    state.members.delete(incidentId);
    const episode = state.episode;
    if (episode && episode.incidents.includes(incidentId)) {
      episode.incidents = episode.incidents.filter((id) => id !== incidentId);
      episode.dirty = true;
    }
  }

  /**
   * An open episode lost an incident. A tombstone carries no event time: the change is placed at the event
   * time reached (never before the episode's last state change). With incidents left it is an update; it
   * stays open until its close time, which is computed from the incidents left. With none left nothing holds
   * it open: it closes now and leaves no close time behind, so the incidents that replaced the withdrawn ones
   * (a merge's survivor, usually upserted just before the tombstone) may open an episode of their own, as in
   * the offline analysis, which only ever sees those.
   */
  private reviseAfterRemoval(state: KeyState): Alert[] {
    const episode = state.episode as Episode;
    const at = Math.max(this.stateWatermark(state), episode.lastEmitAt);
    if (episode.incidents.length === 0) {
      const closedUntil = state.closedUntil;
      const alert = this.close(state, episode.lastEmitAt);
      state.closedUntil = closedUntil;
      return [alert];
    }
    if (episodeSignature(episode) === episode.notified) return [];
    if (state.rule.throttleMs > 0 && at < episode.lastEmitAt + state.rule.throttleMs) {
      episode.pending = true;
      return [];
    }
    return [this.build(state, 'updated', at)];
  }

  private closeTimeOf(state: KeyState): number | undefined {
    const episode = state.episode;
    if (!episode) return undefined;
    const clear = clearTime(state.rule, sortedMembers(state)) ?? episode.openedAt;
    return Math.max(clear, episode.openedAt) + state.rule.quietPeriodMs;
  }

  /** Closes the episodes whose close time their key's `limit` has passed. */
  private closeDue(limitOf: (state: KeyState) => number): Alert[] {
    const due: { state: KeyState; at: number }[] = [];
    for (const state of this.states.values()) {
      const at = this.closeTimeOf(state);
      if (at !== undefined && at <= limitOf(state)) due.push({ state, at });
    }
    due.sort((a, b) => a.at - b.at || compareText(a.state.rule.id, b.state.rule.id) || compareText(a.state.key, b.state.key));
    const alerts = due.map(({ state, at }) => this.close(state, at));
    this.prune(limitOf);
    return alerts;
  }

  private close(state: KeyState, at: number): Alert {
    const alert = this.build(state, 'closed', at);
    for (const id of state.episode?.incidents ?? []) {
      const member = state.members.get(id);
      if (member) state.members.set(id, { ...member, spent: true });
    }
    state.episode = undefined;
    state.closedUntil = at;
    return alert;
  }

  private flushThrottled(nowOf: (state: KeyState) => number): Alert[] {
    const due: { state: KeyState; at: number }[] = [];
    for (const state of this.states.values()) {
      const episode = state.episode;
      if (!episode?.pending || episode.lastEmitAt + state.rule.throttleMs > nowOf(state)) continue;
      if (episodeSignature(episode) === episode.notified) episode.pending = false;
      else due.push({ state, at: episode.lastEmitAt + state.rule.throttleMs });
    }
    due.sort((a, b) => a.at - b.at || compareText(a.state.rule.id, b.state.rule.id) || compareText(a.state.key, b.state.key));
    return due.map(({ state, at }) => this.build(state, 'updated', at));
  }

  /** Forgets incidents no window or open episode can reach any more, so memory follows the rules' spans. */
  private prune(limitOf: (state: KeyState) => number): void {
    for (const [id, state] of this.states) {
      const limit = limitOf(state);
      const rule = state.rule;
      const reach = (rule.type === 'first-seen' ? 0 : rule.windowMs) + rule.quietPeriodMs;
      for (const member of state.members.values()) {
        if (state.episode?.incidents.includes(member.id)) continue;
        if (member.ts + reach < limit) {
          state.members.delete(member.id);
          const set = this.memberships.get(member.id);
          set?.delete(state);
          if (set && set.size === 0) this.memberships.delete(member.id);
        }
      }
      if (state.members.size === 0 && !state.episode && state.closedUntil < limit) this.states.delete(id);
    }
  }

  private build(state: KeyState, alertState: AlertState, at: number): Alert {
    const episode = state.episode as Episode;
    const rule = state.rule;
    const members = episode.incidents.map((id) => state.members.get(id)).filter((m): m is StoredMember => m !== undefined);
    members.sort(compareMembers);
    const first = members[0];
    const latest = members[members.length - 1];
    const distinct = [...new Set(members.map((m) => m.value).filter((v): v is string => v !== undefined))].sort();
    const count = rule.type === 'cardinality' ? distinct.length : members.length;
    const firstSeen = iso(first?.ts ?? episode.openedAt);
    const lastSeen = iso(latest?.ts ?? episode.openedAt);
    episode.lastEmitAt = at;
    episode.pending = false;
    episode.dirty = false;
    episode.notified = episodeSignature(episode);
    const alert: Alert = {
      '@timestamp': iso(at),
      event: { kind: 'alert' },
      rule: { id: rule.id, name: rule.name },
      alert: {
        id: episode.id,
        key: state.key,
        state: alertState,
        count,
        first_seen: firstSeen,
        last_seen: lastSeen,
        incidents: members.map((m) => m.id),
      },
      message: '',
    };
    if (latest) {
      alert.message = renderMessage({ rule, key: state.key, state: alertState, count, incidentCount: members.length, distinct, firstSeen, lastSeen, latest: latest.incident });
      const links = buildLinks(this.options, rule, state.key, latest.incident, first?.ts ?? latest.ts, latest.ts);
      if (links.timeline || links.kibana) alert.hangwatch = { links };
    } else {
      alert.message = `${rule.name} for ${state.key}: ${alertState} (its incidents were withdrawn)`;
    }
    return alert;
  }
}

/** alert.key: the group-by values joined with `/` (hypervisor/domain), or `fleet`. Undefined if one is absent. */
export function keyOf(rule: Rule, incident: unknown): string | undefined {
  if (rule.groupBy.length === 0) return FLEET_KEY;
  const parts: string[] = [];
  for (const field of rule.groupBy) {
    const value = scalarText(readPath(incident, field));
    if (value === undefined || value === '') return undefined;
    parts.push(value);
  }
  return parts.join('/');
}

function episodeSignature(episode: Episode): string {
  return [...episode.incidents].sort().join('\u0000');
}

function newestMemberTs(state: KeyState): number {
  let newest = -Infinity;
  for (const m of state.members.values()) if (m.ts > newest) newest = m.ts;
  return newest;
}

/** The members a current or next episode may count. */
function sortedMembers(state: KeyState): StoredMember[] {
  return [...state.members.values()].filter((m) => !m.spent).sort(compareMembers);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
