import type { Bugcheck } from '../../../shared/schema/event.js';
import type { Incident } from '../../../shared/schema/incident.js';
import { isoInZone, isoUtc, type Zone } from '../../../shared/time.js';
import type { TimelineData } from './build-timeline.js';
import { formatConfidence } from './timeline-row.js';

// The facts above the event table, as plain label/value pairs so Markdown and HTML show the same ones.
// Values come partly from log content: each renderer escapes them for its own syntax.

export interface HeaderFact {
  readonly label: string;
  readonly value: string;
}

export interface HeaderDiagnosis {
  readonly code: string;
  readonly confidence: string;
  readonly summary: string;
  readonly remediation: string;
}

export interface TimelineHeader {
  readonly title: string;
  readonly facts: readonly HeaderFact[];
  readonly diagnoses: readonly HeaderDiagnosis[];
  /** `Configuration (seen after the hang)` and its facts, when the incident carries one. */
  readonly configTitle?: string;
  readonly config: readonly HeaderFact[];
  readonly zone: Zone;
  readonly fromMs: number;
  readonly toMs: number;
  readonly hangMs?: number;
}

export interface HeaderOptions {
  readonly zone: Zone;
  /** When the export was made (passed in: the core reads no clock). */
  readonly generatedMs: number;
  /** Where the data came from, e.g. `Elasticsearch` or the analyze folder's name. */
  readonly sourceLabel: string;
}

export function buildHeader(data: Pick<TimelineData, 'scope' | 'filter' | 'incident'>, options: HeaderOptions): TimelineHeader {
  const { zone } = options;
  const when = (ms: number) => `${isoInZone(ms, zone)} (${isoUtc(ms)})`;
  const facts: HeaderFact[] = [];
  const incident = data.incident;
  let title: string;
  if (incident) {
    const domain = incident.libvirt.domain;
    title = `Incident ${incident.incident.id}`;
    facts.push({ label: 'Incident', value: `${incident.incident.id} (${incident.incident.kind})` });
    facts.push({ label: 'Domain', value: `${domain.name ?? 'unknown'}${domain.uuid ? ` (${domain.uuid})` : ''}` });
    facts.push({ label: 'Hypervisor', value: incident.libvirt.hypervisor ?? 'unknown' });
    facts.push({ label: 'Hang (estimated)', value: when(Date.parse(incident['@timestamp'])) });
    const bugcheck = incident.windows?.bugcheck;
    if (bugcheck) facts.push({ label: 'Bugcheck', value: describeBugcheck(bugcheck) });
    const clock = describeClock(incident);
    if (clock) facts.push({ label: 'Guest clock', value: clock });
    if (incident.message) facts.push({ label: 'Summary', value: incident.message });
  } else if (data.scope.kind === 'domain') {
    title = `Domain ${data.scope.domain}`;
    facts.push({ label: 'Domain', value: data.scope.domain });
    facts.push({ label: 'Hypervisors', value: data.filter.hypervisors.join(', ') || 'none seen in range' });
  } else if (data.scope.kind === 'host') {
    title = `Host ${data.scope.host}`;
    facts.push({ label: 'Host', value: data.scope.host });
  } else {
    title = 'Timeline';
  }
  facts.push({ label: 'Window', value: `${when(data.filter.fromMs)} to ${when(data.filter.toMs)}` });
  facts.push({ label: 'Times shown in', value: `${zone.name} and UTC` });
  facts.push({ label: 'Source', value: options.sourceLabel });
  facts.push({ label: 'Generated', value: isoUtc(options.generatedMs) });
  const diagnoses = (incident?.incident.diagnosis ?? []).map((d) => ({ code: d.code, confidence: formatConfidence(d.confidence), summary: d.summary, remediation: d.remediation }));
  const config = incident?.incident.config;
  return {
    title,
    facts,
    diagnoses,
    configTitle: config ? `Configuration (seen ${config.seen} the hang)` : undefined,
    config: config ? describeConfig(config) : [],
    zone,
    fromMs: data.filter.fromMs,
    toMs: data.filter.toMs,
    hangMs: incident ? Date.parse(incident['@timestamp']) : undefined,
  };
}

/** `0x00000101 CLOCK_WATCHDOG_TIMEOUT (0x61, 0x0, 0x807a3120, 0x1): timeout_ticks=97, prcb=0x807a3120, processor=1` */
export function describeBugcheck(bugcheck: Bugcheck): string {
  let text = bugcheck.code;
  if (bugcheck.name) text += ` ${bugcheck.name}`;
  if (bugcheck.parameters) text += ` (${bugcheck.parameters.join(', ')})`;
  const args = Object.entries(bugcheck.arguments ?? {});
  if (args.length > 0) text += `: ${args.map(([k, v]) => `${k}=${v}`).join(', ')}`;
  return text;
}

function describeClock(incident: Incident): string | undefined {
  const clock = incident.incident.clock;
  const parts: string[] = [];
  if (clock.zone) parts.push(`zone ${clock.zone}`);
  if (clock.offset_minutes !== undefined) parts.push(`offset ${clock.offset_minutes} min`);
  if (clock.skew_ms !== undefined) parts.push(`skew ${clock.skew_ms} ms`);
  if (clock.basis) parts.push(`basis ${clock.basis}`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

function describeConfig(config: NonNullable<Incident['incident']['config']>): HeaderFact[] {
  const facts: HeaderFact[] = [];
  const q = config.qemu;
  if (config.libvirt?.version) facts.push({ label: 'libvirt', value: config.libvirt.version });
  if (q?.version) facts.push({ label: 'qemu', value: q.version });
  if (q?.machine) facts.push({ label: 'Machine', value: q.machine });
  if (q?.cpu) facts.push({ label: 'CPU (effective -cpu)', value: [q.cpu.model, ...(q.cpu.flags ?? [])].filter(Boolean).join(',') });
  if (q?.hyperv) facts.push({ label: 'Hyper-V enlightenments', value: q.hyperv.length > 0 ? q.hyperv.join(', ') : 'none' });
  if (q?.smp) {
    const s = q.smp;
    const topology = [s.sockets !== undefined ? `sockets=${s.sockets}` : '', s.cores !== undefined ? `cores=${s.cores}` : '', s.threads !== undefined ? `threads=${s.threads}` : ''].filter(Boolean).join(', ');
    facts.push({ label: 'vCPUs', value: `${s.cpus ?? '?'}${topology ? ` (${topology})` : ''}` });
  }
  if (q?.memory_mb !== undefined) facts.push({ label: 'Memory', value: `${q.memory_mb} MiB` });
  if (q?.rtc?.base) facts.push({ label: 'RTC base', value: q.rtc.base });
  if (q?.net?.mac?.length) facts.push({ label: 'MAC', value: q.net.mac.join(', ') });
  return facts;
}
