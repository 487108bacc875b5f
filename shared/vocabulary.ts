// The closed vocabularies of DESIGN.md sections 4 and 5. Extend them, never rename a value:
// Kibana objects, alert rules and stored documents all refer to these strings.

export const EVENT_ACTIONS = [
  'monitor-eof',
  'monitor-error',
  'migration-failed',
  'log-open-busy',
  'storage-permission',
  'daemon-start',
  'vm-start',
  'vm-shutdown',
  'vm-terminated-signal',
  'guest-panic',
  'kvm-internal-error',
  'cpu-feature-unsupported',
  'spice-connect',
  'spice-disconnect',
  'bugcheck',
  'unexpected-shutdown',
  'kernel-power-41',
  'system-boot',
  'system-shutdown',
  'service-crash',
  'disk-reset',
  'soft-lockup',
  'hung-task',
  'kvm-msr',
  'io-stats',
  'other',
  // Extensions (DESIGN.md allows extending): the qemu command line and version/host lines.
  'vm-config',
  'daemon-info',
  'time-change',
  // Extension (issue 3): kernel block-layer I/O errors (blk_update_request / print_req_error / Buffer I/O error).
  'disk-error',
  // Extension (issue 15): per-interval vCPU scheduling rates (virsh domstats) and host CPU pressure samples.
  'vcpu-stats',
  'host-cpu-pressure',
] as const;
export type EventAction = (typeof EVENT_ACTIONS)[number];

export const DATASETS = [
  'libvirt.daemon',
  'libvirt.qemu',
  'windows.system',
  'windows.winlogbeat',
  'windows.windbg',
  'windows.dump',
  'linux.kernel',
  'linux.iostat',
  // Extension (issue 15): `virsh domstats` vCPU samples; host CPU pressure (PSI, steal, run queue), named as
  // Metricbeat's linux module names its PSI metricset.
  'libvirt.domstats',
  'linux.pressure',
] as const;
export type Dataset = (typeof DATASETS)[number];

export const TIME_BASES = ['explicit', 'zone', 'uptime', 'inherited', 'ingest'] as const;
export type TimeBasis = (typeof TIME_BASES)[number];

// `job`: a libvirtd line naming no VM, placed by another thread's job-lock line naming its thread as the domain's job owner.
export const ATTRIBUTIONS = ['record', 'file', 'folder', 'inventory', 'mac', 'thread', 'unresolved', 'job'] as const;
export type Attribution = (typeof ATTRIBUTIONS)[number];

export const INCIDENT_KINDS = ['bugcheck', 'hard-hang', 'qemu-exit', 'guest-panic'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

export const DIAGNOSIS_CODES = [
  'missing-hyperv-enlightenments',
  'host-soft-lockup',
  'host-hung-task',
  'host-io-stall',
  'migration-failure',
  'qemu-process-exit',
  'cpu-feature-mismatch',
  'kvm-internal-error',
  'unknown',
  // Extension from issue 15.
  'host-cpu-contention',
] as const;
export type DiagnosisCode = (typeof DIAGNOSIS_CODES)[number];

export const STAGES = ['ship', 'parse', 'correlate', 'index'] as const;
export type Stage = (typeof STAGES)[number];

export const ALERT_STATES = ['open', 'updated', 'closed'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** Input formats understood by `hangwatch parse --format` and the shipper's inputs. */
// 'evtx' and 'dump' (issue 10): binary guest artefacts, read by their own readers (magic bytes ElfFile / PAGEDU64).
export const FORMATS = ['libvirtd', 'qemu', 'windbg', 'winevent-xml', 'winlogbeat', 'kernel', 'iostat', 'evtx', 'dump', 'domstats'] as const;
export type Format = (typeof FORMATS)[number];

/** Bugcheck codes Windows raises when a processor stops answering: the watchdog family. */
export const WATCHDOG_BUGCHECKS = ['0x00000101', '0x00000133'] as const;

/** ECS allowed values we use. */
export const EVENT_KINDS = ['event', 'alert', 'metric', 'state', 'pipeline_error'] as const;
export const EVENT_CATEGORIES = ['host', 'process', 'configuration', 'driver', 'file', 'network', 'session', 'web'] as const;
export const EVENT_TYPES = ['info', 'error', 'start', 'end', 'change', 'creation', 'deletion', 'connection'] as const;
