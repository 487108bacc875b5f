import type { Alert } from '../../shared/schema/alert.js';
import type { Incident } from '../../shared/schema/incident.js';

// The human summary of an analysis: one line per incident (time, domain, bugcheck, top diagnosis), then the
// alerts; plain text, meant for a terminal or a ticket.

export function formatIncidentLine(incident: Incident): string {
  const where = `${incident.libvirt.hypervisor ?? '?'}/${incident.libvirt.domain.name ?? incident.libvirt.domain.uuid ?? '?'}`;
  const bug = incident.windows?.bugcheck;
  const what = bug ? `${bug.code}${bug.name ? ` ${bug.name}` : ''}` : incident.incident.kind;
  const top = incident.incident.diagnosis[0];
  const diagnosis = top ? `${top.code} (${top.confidence.toFixed(2)}): ${top.summary}` : 'no diagnosis';
  return `  ${incident['@timestamp']}  ${where}  ${what}  ${diagnosis}`;
}

export function formatAlertLine(alert: Alert): string {
  return `  ${alert['@timestamp']}  [${alert.alert.state}] ${alert.rule.id} ${alert.alert.key}: ${alert.message}`;
}

export function formatSummary(incidents: readonly Incident[], alerts: readonly Alert[]): string {
  const lines: string[] = [];
  lines.push(incidents.length === 0 ? 'No guest hangs found.' : `Incidents (${incidents.length}):`);
  for (const incident of incidents) lines.push(formatIncidentLine(incident));
  const latest = latestAlertStates(alerts);
  lines.push(latest.length === 0 ? 'No alerts fired.' : `Alerts (${latest.length} episodes, ${alerts.length} state changes):`);
  for (const alert of latest) lines.push(formatAlertLine(alert));
  return `${lines.join('\n')}\n`;
}

/** One line per episode: its latest state. */
function latestAlertStates(alerts: readonly Alert[]): Alert[] {
  const byId = new Map<string, Alert>();
  for (const alert of alerts) byId.set(alert.alert.id, alert);
  return [...byId.values()];
}
