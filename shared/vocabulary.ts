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
  // Extensions (issue 19, real hosts' logs): a domain's job lock held too long (`Cannot start job ... for domain X`,
  // `cannot acquire state change lock`: the usual sign of a stuck qemu monitor); systemd's lines about a libvirt
  // daemon unit (`code=dumped`, `Failed with result 'core-dump'` / a stop); a guest paused by qemu on an I/O error
  // (`IO error device=... reason='No space left on device'`); User32 1074, a restart or shutdown someone asked for
  // (never a hang).
  'job-lock',
  'daemon-crash',
  'daemon-stop',
  'vm-io-error',
  'planned-restart',
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

// Extensions (issue 19): a record with no time of its own dated from its context, saying which: the crash dump
// header beside a WinDbg report (`dump-header`), the same guest's Kernel-Power 41 / 6008 (`guest-event`), an iostat
// header's date plus the sampling interval (`header-interval`), the file's modification time (`file-mtime`).
export const TIME_BASES = ['explicit', 'zone', 'uptime', 'inherited', 'ingest', 'dump-header', 'guest-event', 'header-interval', 'file-mtime'] as const;
export type TimeBasis = (typeof TIME_BASES)[number];

// Extension (issue 19): which rule of DESIGN.md section 6 gave a year-less syslog stamp its year, in
// `hangwatch.time.year`: the same host's dated records, an explicit --year-reference, the file's modification time
// (weak: copies get fresh ones), or the read time when nothing else was known.
export const YEAR_BASES = ['host-records', 'reference', 'file-mtime', 'ingest'] as const;
export type YearBasis = (typeof YEAR_BASES)[number];

// `job`: a libvirtd line naming no VM, placed by another thread's job-lock line naming its thread as the domain's job owner.
// `sender`: a Winlogbeat document from a topic configured to speak for one domain only (its Kafka identity's binding).
export const ATTRIBUTIONS = ['record', 'file', 'folder', 'inventory', 'mac', 'thread', 'unresolved', 'job', 'sender'] as const;
export type Attribution = (typeof ATTRIBUTIONS)[number];

// What a guest's own claim (`hangwatch.identity.conflict.via`) pointed to another domain through: the inventory's
// computer name or MAC, the hypervisor's qemu `mac=` facts, or a computer name learned from another domain's records.
export const IDENTITY_CLAIMS = ['inventory', 'mac', 'name'] as const;
export type IdentityClaim = (typeof IDENTITY_CLAIMS)[number];

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
