import type { TimelineRow } from '../timeline-row.js';

// Swimlanes of the HTML chart: who wrote the record. The hang and alerts are not a lane: they are drawn
// across all lanes at their time.

export const LANES = [
  { id: 'hypervisor', label: 'Hypervisor', detail: 'libvirt.daemon' },
  { id: 'qemu', label: 'QEMU / domain', detail: 'libvirt.qemu' },
  { id: 'guest', label: 'Guest', detail: 'windows.*' },
  { id: 'kernel', label: 'Kernel / IO', detail: 'linux.*' },
] as const;

export type LaneId = (typeof LANES)[number]['id'];

export function laneOf(dataset: string): LaneId | undefined {
  if (dataset === 'libvirt.daemon') return 'hypervisor';
  if (dataset === 'libvirt.qemu') return 'qemu';
  if (dataset.startsWith('windows.')) return 'guest';
  if (dataset.startsWith('linux.')) return 'kernel';
  return undefined;
}

export type Severity = 'critical' | 'error' | 'warning' | 'change' | 'info';

const CRITICAL_ACTIONS = new Set(['bugcheck', 'guest-panic', 'kvm-internal-error', 'unexpected-shutdown', 'kernel-power-41', 'soft-lockup', 'hung-task']);
const ERROR_ACTIONS = new Set(['monitor-eof', 'monitor-error', 'migration-failed', 'vm-terminated-signal', 'service-crash', 'disk-reset']);
const WARNING_ACTIONS = new Set(['log-open-busy', 'storage-permission', 'cpu-feature-unsupported', 'kvm-msr', 'time-change']);
const CHANGE_ACTIONS = new Set(['vm-config', 'vm-start', 'vm-shutdown', 'daemon-start', 'system-boot', 'system-shutdown']);

/** Severity by what happened first (a bugcheck is critical whatever its log level), then by log level. */
export function severityOf(row: Pick<TimelineRow, 'action' | 'level' | 'kind'>): Severity {
  if (row.kind === 'hang' || CRITICAL_ACTIONS.has(row.action)) return 'critical';
  if (ERROR_ACTIONS.has(row.action)) return 'error';
  if (WARNING_ACTIONS.has(row.action)) return 'warning';
  if (CHANGE_ACTIONS.has(row.action)) return 'change';
  const level = row.level?.toLowerCase();
  if (level === 'error' || level === 'err' || level === 'fatal' || level === 'critical') return 'error';
  if (level === 'warning' || level === 'warn') return 'warning';
  return 'info';
}
