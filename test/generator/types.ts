import type { DiagnosisCode, IncidentKind } from '../../shared/vocabulary.js';
import type { Zone } from '../../shared/time.js';
import type { GuestLocale } from './time-format.js';

// The generator's vocabulary: what the caller asks for (options), what the planner decides (plan), and what
// the corpus promises to tests (truth.json). Causes are DESIGN.md diagnosis codes, kinds DESIGN incident kinds.

export const HANG_CAUSES = [
  'missing-hyperv-enlightenments',
  'host-soft-lockup',
  'host-io-stall',
  'migration-failure',
  'kvm-internal-error',
] as const satisfies readonly DiagnosisCode[];
export type HangCause = (typeof HANG_CAUSES)[number];

/** How a hang shows up in the guest and host logs, by cause. */
export const KIND_OF_CAUSE: Readonly<Record<HangCause, IncidentKind>> = {
  'missing-hyperv-enlightenments': 'bugcheck',
  'host-soft-lockup': 'hard-hang',
  'host-io-stall': 'hard-hang',
  'migration-failure': 'hard-hang',
  'kvm-internal-error': 'qemu-exit',
};

/** A hang the caller wants at a given place or time; what is left out the planner chooses. */
export interface HangRequest {
  cause: HangCause;
  hypervisor?: string;
  domain?: string;
  /** UTC milliseconds. */
  at?: number;
}

export interface GeneratorOptions {
  seed: number;
  hosts: number;
  vmsPerHost: number;
  /** UTC milliseconds of the first instant of the window. */
  startMs: number;
  durationMs: number;
  /** Background lines per hour per host in libvirtd.log (kern.log and guests get a share of it). */
  noisePerHour: number;
  /** How the guests write local times (Windows with `-rtc base=localtime`). */
  guestZone: string;
  /** How the hosts' syslog and iostat write local times. */
  hostZone: string;
  guestLocales: readonly GuestLocale[];
  /** Either a count (causes taken in turn) or explicit requests. */
  hangs: number | readonly HangRequest[];
  cleanShutdowns: number;
  /** Pad each host's libvirtd.log to this many lines (bench corpora); streamed, memory stays bounded. */
  libvirtdLines?: number;
  iostatIntervalS: number;
  iostatTimeFormat: 'iso' | 'en-US';
  /** Guest artefacts (System.xml, windbg-analyze.txt) as saved on Windows: CRLF. */
  guestNewline: '\n' | '\r\n';
  /** Mix malformed records into the files (recorded in truth.hostile). */
  hostile: boolean;
}

export const DEFAULT_OPTIONS: GeneratorOptions = {
  seed: 42,
  hosts: 3,
  vmsPerHost: 4,
  startMs: Date.UTC(2017, 2, 15),
  durationMs: 86_400_000,
  noisePerHour: 12,
  guestZone: 'Asia/Shanghai',
  hostZone: 'UTC',
  guestLocales: ['zh-CN', 'en-US'],
  hangs: 5,
  cleanShutdowns: 3,
  iostatIntervalS: 600,
  iostatTimeFormat: 'iso',
  guestNewline: '\r\n',
  hostile: false,
};

/** How a VM gets its Hyper-V enlightenments, if at all. */
export type HypervStyle = 'none' | 'libvirt-hyperv' | 'qemu-commandline';

export interface VmPlan {
  domain: string;
  uuid: string;
  mac: string;
  computerName: string;
  hypervStyle: HypervStyle;
  /** Enlightenments on the effective (last) -cpu: `relaxed`, `vapic`, `spinlocks`, `time`. */
  hyperv: string[];
  smp: { cpus: number; sockets: number; cores: number; threads: number };
  spicePort: number;
  diskIndex: number;
  locale: GuestLocale;
  firstRecordId: number;
  /** The qemu session that was already running when the window opened. */
  initialStartMs: number;
}

export interface HostPlan {
  name: string;
  libvirtdPid: number;
  bootMs: number;
  daemonStartMs: number;
  vms: VmPlan[];
}

export interface HangPlan {
  id: string;
  cause: HangCause;
  kind: IncidentKind;
  hypervisor: string;
  domain: string;
  /** When the guest actually froze or crashed (UTC ms). */
  hangMs: number;
  /** For bugchecks: the guest restarts itself after writing the dump; otherwise an operator destroys it. */
  destroyMs?: number;
  /** When qemu is started again after a destroy or crash (absent for in-place reboots). */
  restartMs?: number;
  /** When the guest is running again (qemu restart or in-place reboot). */
  bootMs: number;
  /** 6008's "last alive" stamp: Windows records the previous shutdown time from a heartbeat, up to a minute early. */
  lastAliveMs: number;
  bugcheck?: { code: string; parameters: [string, string, string, string] };
}

export interface CleanShutdownPlan {
  hypervisor: string;
  domain: string;
  shutdownMs: number;
  restartMs: number;
  /** libvirtd logged a monitor EOF and a busy log file around it: host noise that must not become an incident. */
  monitorEofNoise: boolean;
}

export interface FleetPlan {
  options: GeneratorOptions;
  guestZone: Zone;
  hostZone: Zone;
  endMs: number;
  hosts: HostPlan[];
  hangs: HangPlan[];
  cleanShutdowns: CleanShutdownPlan[];
}

/** One timed line (or record) of an output file; `seq` keeps equal times in creation order. */
export interface TimedLine {
  t: number;
  seq: number;
  text: string | Buffer;
}

export interface TruthHang {
  id: string;
  hypervisor: string;
  domain: string;
  kind: IncidentKind;
  hangTime: string;
  /** How far an estimate from the logs may fairly be from hangTime (6008 heartbeats, destroy delays). */
  toleranceMs: number;
  bugcheckCode?: string;
  bugcheckParameters?: string[];
  cause: HangCause;
  windbg?: string;
}
