import { alertId } from '../../../shared/identity.js';
import type { Alert } from '../../../shared/schema/alert.js';
import type { AuditFinding } from '../../audit/core/audit-finding.js';
import { fillTemplate } from './alert-render.js';
import { keyOf } from './engine.js';
import { readPath, scalarText } from './field-path.js';
import { matchesAll } from './filter.js';
import { isExposureRule, type ExposureRule, type Rule } from './rule.js';

// Exposure rules over audit findings (issue 15): a Windows domain configured so that a descheduled vCPU can take
// it down (no hv_relaxed) alerts before it ever hangs. Pure state per rule and key (hypervisor/domain):
//   - a finding that matches `where` opens an episode if none is open (a repeat changes nothing: no `updated`,
//     the audit is a reading of a state, and re-reading the same state is not news);
//   - a later finding of the key that does not match closes it (`ok`, or `partial` with the shipped rule: with
//     hv_relaxed present the watchdog bugcheck of the seed report is no longer the risk);
//   - a finding not newer than the last one applied for the key is ignored (a replay, or an old file re-audited).
// alert.id = rule + key + the opening finding's id and time: audit.id names the domain, so the time tells one
// episode of a domain from the next. Restarts: seed() takes the latest alert of each key from the alerts topic
// first, so a replay of the compacted audit topic (where the opening finding may be gone) neither re-opens nor
// loses an episode. Time is the findings' own @timestamp: nothing closes by the clock.
//
// Not coupled to the incident rules: a domain that hung and still lacks hv_relaxed may have both this alert and
// a missing-enlightenments-exposure one. They say different things (configured exposed / hung and not fixed),
// come from different topics and partitions (so possibly different replicas), and are silenced separately.

export interface ExposureResult {
  readonly alerts: Alert[];
  /** The finding was not newer than the last one applied for its key, for at least one rule. */
  readonly stale: boolean;
}

interface Episode {
  readonly id: string;
  readonly firstSeen: number;
  lastSeen: number;
  readonly auditId: string;
}

interface KeyState {
  /** Time of the newest finding (or ledger alert) applied. */
  lastTs: number;
  episode: Episode | undefined;
}

export class ExposureEngine {
  private readonly rules: readonly ExposureRule[];
  private readonly states = new Map<string, KeyState>();

  constructor(rules: readonly Rule[]) {
    this.rules = rules.filter(isExposureRule);
  }

  get ruleCount(): number {
    return this.rules.length;
  }

  openEpisodeCount(): number {
    let n = 0;
    for (const state of this.states.values()) if (state.episode) n++;
    return n;
  }

  /** An alert read back from the alerts topic: the newest per rule and key is the state a replay starts from. */
  seed(alert: Alert): void {
    if (!this.rules.some((r) => r.id === alert.rule.id)) return;
    const at = Date.parse(alert['@timestamp']);
    const state = this.stateFor(alert.rule.id, alert.alert.key);
    if (at < state.lastTs) return;
    state.lastTs = Math.max(at, Date.parse(alert.alert.last_seen));
    state.episode =
      alert.alert.state === 'closed'
        ? undefined
        : { id: alert.alert.id, firstSeen: Date.parse(alert.alert.first_seen), lastSeen: Date.parse(alert.alert.last_seen), auditId: alert.alert.findings?.[0] ?? '' };
  }

  apply(finding: AuditFinding): ExposureResult {
    const ts = Date.parse(finding['@timestamp']);
    const alerts: Alert[] = [];
    let stale = false;
    for (const rule of this.rules) {
      const key = keyOf(rule, finding);
      if (key === undefined) continue;
      const state = this.stateFor(rule.id, key);
      if (!(ts > state.lastTs)) {
        stale = true;
        continue;
      }
      state.lastTs = ts;
      const episode = state.episode;
      if (matchesAll(finding, rule.where)) {
        if (episode) episode.lastSeen = ts;
        else {
          const opened: Episode = { id: alertId(rule.id, key, `${finding.event.id}@${finding['@timestamp']}`), firstSeen: ts, lastSeen: ts, auditId: finding.audit.id };
          state.episode = opened;
          alerts.push(buildAlert(rule, key, opened, 'open', finding));
        }
      } else if (episode) {
        state.episode = undefined;
        alerts.push(buildAlert(rule, key, episode, 'closed', finding));
      }
    }
    return { alerts, stale };
  }

  private stateFor(ruleId: string, key: string): KeyState {
    const id = `${ruleId}\u0000${key}`;
    let state = this.states.get(id);
    if (!state) {
      state = { lastTs: -Infinity, episode: undefined };
      this.states.set(id, state);
    }
    return state;
  }
}

function buildAlert(rule: ExposureRule, key: string, episode: Episode, state: 'open' | 'closed', finding: AuditFinding): Alert {
  const firstSeen = iso(episode.firstSeen);
  const lastSeen = iso(episode.lastSeen);
  const auditId = episode.auditId || finding.audit.id;
  const message =
    state === 'open'
      ? fillTemplate(rule.message, (path) => templateValue(path, rule, key, firstSeen, finding))
      : `closed: ${rule.name} for ${key}: the audit of ${finding['@timestamp']} finds it ${finding.audit.status}` +
        (finding.audit.missing.length > 0 ? ` (still missing ${finding.audit.missing.join(', ')})` : ' (nothing missing)');
  return {
    '@timestamp': finding['@timestamp'],
    event: { kind: 'alert' },
    rule: { id: rule.id, name: rule.name },
    // One domain per episode: count 1; first/last_seen are the first and latest audits that found it exposed.
    alert: { id: episode.id, key, state, count: 1, first_seen: firstSeen, last_seen: lastSeen, incidents: [], findings: [auditId] },
    message,
  };
}

function templateValue(path: string, rule: ExposureRule, key: string, firstSeen: string, finding: AuditFinding): string | undefined {
  switch (path) {
    case 'alert.key': return key;
    case 'alert.count': return '1';
    case 'alert.first_seen':
    case 'alert.last_seen': return firstSeen;
    case 'alert.state': return 'open';
    case 'rule.id': return rule.id;
    case 'rule.name': return rule.name;
    // The remediation has one line per place in the XML; a message is one line.
    default: {
      const value = readPath(finding, path);
      return Array.isArray(value) ? value.map(String).join(', ') : scalarText(value)?.replace(/\s*\n\s*/g, '; ');
    }
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
