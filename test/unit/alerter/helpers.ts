import type { Incident } from '../../../shared/schema/incident.js';
import type { Rule } from '../../../services/alerter/core/rule.js';
import { parseRulesText } from '../../../services/alerter/core/rule-parse.js';

// Incidents as the correlator emits them, with only what the rules read; times as minutes from a base.

export const BASE_MS = Date.UTC(2017, 2, 15, 0, 0, 0);
export const MIN = 60_000;
export const HOUR = 60 * MIN;

export function at(minutes: number): string {
  return new Date(BASE_MS + minutes * MIN).toISOString();
}

export interface IncidentSpec {
  readonly id: string;
  readonly minute: number;
  readonly host?: string;
  readonly domain?: string;
  readonly code?: string;
  readonly hyperv?: string[] | null;
  readonly kind?: Incident['incident']['kind'];
}

export function makeIncident(spec: IncidentSpec): Incident {
  const ts = at(spec.minute);
  const incident: Incident = {
    '@timestamp': ts,
    incident: {
      id: spec.id,
      kind: spec.kind ?? 'bugcheck',
      diagnosis: [
        {
          code: 'missing-hyperv-enlightenments',
          confidence: 0.9,
          summary: 'no hv_relaxed',
          remediation: "<features>\n  <hyperv>\n    <relaxed state='on'/>\n  </hyperv>\n</features>",
        },
      ],
      evidence: [],
      window: { gte: ts, lte: ts },
      clock: {},
    },
    libvirt: { domain: { name: spec.domain ?? 'vm105' }, hypervisor: spec.host ?? 'sc7' },
  };
  const code = spec.code === undefined ? '0x00000101' : spec.code;
  if (code) incident.windows = { bugcheck: { code, name: code === '0x00000101' ? 'CLOCK_WATCHDOG_TIMEOUT' : undefined } };
  if (spec.hyperv !== undefined) {
    incident.incident.config = { seen: 'before', qemu: spec.hyperv === null ? { cpu: { model: 'host' } } : { hyperv: spec.hyperv } };
  }
  return incident;
}

export function ruleFrom(yaml: string, file = 'rules/test.yml'): Rule {
  const [rule] = parseRulesText(yaml, file);
  if (!rule) throw new Error('no rule parsed');
  return rule;
}

export const WATCHDOG_RULE = `
id: recurring-watchdog-vm
name: Recurring watchdog
type: threshold
where:
  - field: windows.bugcheck.code
    in: ['0x00000101', '0x00000133']
group_by: [libvirt.hypervisor, libvirt.domain.name]
window: 24h
threshold: 2
quiet_period: 24h
message: "{{libvirt.domain.name}} on {{libvirt.hypervisor}} hit {{windows.bugcheck.name|windows.bugcheck.code}} {{alert.count}} times in {{rule.window}}; top diagnosis {{diagnosis}}"
`;

/** A compact view of alerts for exact comparisons: state@time count [incidents]. */
export function summarize(alerts: readonly { '@timestamp': string; alert: { state: string; count: number; incidents: string[]; key: string } }[]): string[] {
  return alerts.map((a) => `${a.alert.key} ${a.alert.state}@${minutesOf(a['@timestamp'])} n=${a.alert.count} [${a.alert.incidents.join(',')}]`);
}

export function minutesOf(iso: string): number {
  return (Date.parse(iso) - BASE_MS) / MIN;
}
