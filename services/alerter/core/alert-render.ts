import type { Incident } from '../../../shared/schema/incident.js';
import { formatDurationMs } from './duration.js';
import { readPath, scalarText } from './field-path.js';
import type { Filter, IncidentRule as Rule } from './rule.js';

// The human side of an alert: a one-line message someone on call can act on, and links to the timeline and
// to Kibana. Templates are data (rule files); `{{a|b|'text'}}` falls back to b, then to the literal text.

export interface LinkOptions {
  /** e.g. http://timeline.example:8080 -> <base>/timeline?incident=<id>&format=html */
  readonly timelineBaseUrl?: string;
  /** e.g. https://kibana.example:5601 -> a Discover search of the alert's incidents */
  readonly kibanaBaseUrl?: string;
  /** Kibana data view id for hangwatch-incidents (kibana/ saved objects). */
  readonly kibanaDataViewId?: string;
}

export interface RenderInput {
  readonly rule: Rule;
  readonly key: string;
  readonly state: 'open' | 'updated' | 'closed';
  readonly count: number;
  readonly incidentCount: number;
  readonly distinct: readonly string[];
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly latest: Incident;
}

const MAX_REMEDIATION_CHARS = 240;

export function renderMessage(input: RenderInput): string {
  if (input.state === 'closed') {
    return `closed: ${input.rule.name} for ${input.key}: quiet for ${formatDurationMs(input.rule.quietPeriodMs)} after ${input.incidentCount} incident(s) between ${input.firstSeen} and ${input.lastSeen}`;
  }
  return fillTemplate(input.rule.message, (path) => templateValue(input, path));
}

/** `{{a|b|'text'}}` -> the first of a, b that has a value, else the literal; `-` when none has. One line. */
export function fillTemplate(template: string, valueOf: (path: string) => string | undefined): string {
  const text = template.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_all, expr: string) => {
    for (const path of expr.split('|').map((p) => p.trim())) {
      const literal = /^'(.*)'$/.exec(path);
      const value = literal ? literal[1] : valueOf(path);
      if (value !== undefined && value !== '') return value;
    }
    return '-';
  });
  return oneLine(text);
}

function templateValue(input: RenderInput, path: string): string | undefined {
  const rule = input.rule;
  switch (path) {
    case 'alert.key': return input.key;
    case 'alert.count': return String(input.count);
    case 'alert.incident_count': return String(input.incidentCount);
    case 'alert.first_seen': return input.firstSeen;
    case 'alert.last_seen': return input.lastSeen;
    case 'alert.state': return input.state;
    case 'alert.distinct': return input.distinct.join(', ');
    case 'rule.id': return rule.id;
    case 'rule.name': return rule.name;
    case 'rule.window': return rule.type === 'first-seen' ? undefined : formatDurationMs(rule.windowMs);
    case 'rule.threshold': return rule.type === 'first-seen' ? undefined : String(rule.threshold);
    case 'diagnosis': return topDiagnosis(input.latest);
    default: return scalarText(readPath(input.latest, path));
  }
}

/** `missing-hyperv-enlightenments: add <hyperv><relaxed state='on'/>...` from the most likely diagnosis. */
export function topDiagnosis(incident: Incident): string | undefined {
  const top = incident.incident.diagnosis[0];
  if (!top) return undefined;
  let remediation = oneLine(top.remediation);
  if (remediation.length > MAX_REMEDIATION_CHARS) remediation = `${remediation.slice(0, MAX_REMEDIATION_CHARS - 1)}…`;
  return remediation ? `${top.code}: ${remediation}` : top.code;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function buildLinks(
  options: LinkOptions,
  rule: Rule,
  key: string,
  latest: Incident,
  firstSeenMs: number,
  lastSeenMs: number,
): { timeline?: string; kibana?: string } {
  const links: { timeline?: string; kibana?: string } = {};
  if (options.timelineBaseUrl) {
    links.timeline = `${trimSlash(options.timelineBaseUrl)}/timeline?incident=${encodeURIComponent(latest.incident.id)}&format=html`;
  }
  if (options.kibanaBaseUrl) {
    const span = rule.type === 'first-seen' ? 3_600_000 : rule.windowMs;
    const from = new Date(firstSeenMs - span).toISOString();
    const to = new Date(lastSeenMs + 3_600_000).toISOString();
    const kql = buildKql(rule, key, latest);
    const index = options.kibanaDataViewId ? `index:${rison(options.kibanaDataViewId)},` : '';
    links.kibana =
      `${trimSlash(options.kibanaBaseUrl)}/app/discover#/?_g=(time:(from:${rison(from)},to:${rison(to)}))` +
      `&_a=(${index}query:(language:kuery,query:${encodeURIComponent(rison(kql))}))`;
  }
  return links;
}

/** KQL for the key's incidents: the group-by values plus the rule's filters that KQL can say. */
export function buildKql(rule: Rule, _key: string, latest: Incident): string {
  const parts: string[] = [];
  for (const field of rule.groupBy) {
    const value = scalarText(readPath(latest, field));
    if (value !== undefined) parts.push(`${field}:${kqlString(value)}`);
  }
  for (const filter of rule.where) parts.push(filterToKql(filter));
  return parts.join(' and ') || '*';
}

function filterToKql(filter: Filter): string {
  switch (filter.op) {
    case 'equals': return `${filter.field}:${kqlString(String(filter.value))}`;
    case 'in': return `${filter.field}:(${filter.values.map((v) => kqlString(String(v))).join(' or ')})`;
    case 'exists': return filter.exists ? `${filter.field}:*` : `not ${filter.field}:*`;
    case 'not_contains': return `not ${filter.field}:${kqlString(String(filter.value))}`;
  }
}

function kqlString(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** A rison string literal (Kibana URL state): quote with ', escape ! and ' with !. */
function rison(value: string): string {
  return `'${value.replace(/!/g, '!!').replace(/'/g, "!'")}'`;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
