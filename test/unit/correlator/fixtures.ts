import { createHash } from 'node:crypto';
import { EcsEventSchema, type EcsEvent } from '../../../shared/schema/event.js';

// Hand-built events for the correlator's tests, valid against EcsEventSchema (checked on construction), shaped
// like the parsers write them (shared/schema/event.ts).

type Partial2<T> = { [K in keyof T]?: T[K] extends object ? Partial2<T[K]> | T[K] : T[K] };

export interface EventSpec {
  readonly at: string;
  readonly dataset: EcsEvent['event']['dataset'];
  readonly action: EcsEvent['event']['action'];
  readonly hypervisor?: string;
  readonly domain?: string;
  readonly attribution?: EcsEvent['hangwatch']['attribution'];
  readonly message?: string;
  readonly thread?: number;
  readonly path?: string;
  readonly basis?: EcsEvent['hangwatch']['time']['basis'];
  readonly code?: string;
  readonly extra?: Partial2<EcsEvent>;
  readonly id?: string;
}

let counter = 0;

export function ev(spec: EventSpec): EcsEvent {
  const id = spec.id ?? createHash('sha256').update(`${spec.at}|${spec.dataset}|${spec.action}|${spec.domain ?? ''}|${spec.message ?? ''}|${counter++}`).digest('hex').slice(0, 32);
  const event: Record<string, unknown> = {
    '@timestamp': new Date(spec.at).toISOString(),
    event: { id, dataset: spec.dataset, kind: 'event', action: spec.action, ...(spec.code ? { code: spec.code } : {}) },
    hangwatch: { time: { basis: spec.basis ?? 'explicit' }, parse: { grammar: spec.dataset }, ...(spec.attribution ? { attribution: spec.attribution } : {}) },
    libvirt: {
      ...(spec.hypervisor !== undefined ? { hypervisor: spec.hypervisor } : { hypervisor: 'sc7' }),
      ...(spec.domain ? { domain: { name: spec.domain } } : {}),
    },
  };
  if (spec.message) event.message = spec.message;
  if (spec.thread !== undefined) event.process = { pid: 13900, thread: { id: spec.thread } };
  if (spec.path) event.log = { file: { path: spec.path } };
  mergeInto(event, (spec.extra ?? {}) as Record<string, unknown>);
  return EcsEventSchema.parse(event);
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(source)) {
    const cur = target[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)) mergeInto(cur as Record<string, unknown>, v as Record<string, unknown>);
    else target[k] = v;
  }
}

const SEED_CPU_FLAGS = ['+pdpe1gb', '+osxsave', '+dca', '+pcid', '+pdcm', '+xtpr', '+tm2', '+est', '+smx', '+vmx', '+ds_cpl', '+monitor', '+dtes64', '+pbe', '+tm', '+ht', '+ss', '+acpi', '+ds', '+vme'];

/** A vm-config as the qemu grammar writes it from the seed's command line. */
export function vmConfig(at: string, hypervisor: string, domain: string, opts: { hyperv?: string[]; mac?: string; rtc?: string; model?: string } = {}): EcsEvent {
  return ev({
    at,
    hypervisor,
    dataset: 'libvirt.qemu',
    action: 'vm-config',
    domain,
    attribution: 'file',
    path: `/var/log/libvirt/qemu/${domain}.log`,
    message: `starting up libvirt version: 1.3.1, qemu version: 2.5.0, hostname: ${hypervisor}`,
    extra: {
      libvirt: { version: '1.3.1', domain: { uuid: '3fec386e-23ee-4853-b46a-37feb9ee3cf9' } },
      qemu: {
        version: '2.5.0',
        cpu: { model: opts.model ?? 'SandyBridge', flags: SEED_CPU_FLAGS },
        ...(opts.hyperv ? { hyperv: opts.hyperv } : {}),
        smp: { cpus: 2, sockets: 1, cores: 2, threads: 1 },
        rtc: { base: opts.rtc ?? 'localtime' },
        net: { mac: [opts.mac ?? '52:54:00:a6:3a:68'] },
      },
    },
  });
}

/** The seed's WinDbg report: `Debug session time: Wed Mar 15 13:11:54.777 2017 (GMT+8)`, uptime 0 days 5:00:52.740. */
export function seedWindbg(hypervisor = 'sc7', domain = 'vm105', at = '2017-03-15T05:11:54.777Z'): EcsEvent {
  const uptime = 5 * 3_600_000 + 52_740;
  return ev({
    at,
    hypervisor,
    dataset: 'windows.windbg',
    action: 'bugcheck',
    path: `/collect/${hypervisor}/guests/${domain}/MEMORY-analyze.txt`,
    message: 'CLOCK_WATCHDOG_TIMEOUT (101) An expected clock interrupt was not received on a secondary processor',
    extra: {
      windows: {
        bugcheck: {
          code: '0x00000101',
          name: 'CLOCK_WATCHDOG_TIMEOUT',
          parameters: ['0x61', '0x0', '0x807a3120', '0x1'],
          arguments: { timeout_ticks: 97, prcb: '0x807a3120', processor: 1 },
        },
        windbg: {
          session_time_local: '2017-03-15T13:11:54.777+08:00',
          gmt_offset_minutes: 480,
          uptime_ms: uptime,
          boot_time: new Date(Date.parse(at) - uptime).toISOString(),
          bugcheck_str: 'CLOCK_WATCHDOG_TIMEOUT_2_PROC',
          processors: 2,
        },
      },
    },
  });
}

/** The seed's libvirtd.log lines of 2017-03-15 on sc7 (its real line breaks restored). */
export function seedLibvirtd(hypervisor = 'sc7'): EcsEvent[] {
  const d = (at: string, thread: number, action: EcsEvent['event']['action'], message: string, domain?: string, fn?: string) =>
    ev({
      at,
      hypervisor,
      dataset: 'libvirt.daemon',
      action,
      thread,
      path: '/var/log/libvirt/libvirtd.log',
      message,
      ...(domain ? { domain, attribution: 'record' as const } : {}),
      extra: { log: { level: action === 'storage-permission' || action === 'daemon-info' ? 'warning' : 'error', origin: { function: fn ?? 'x' } } },
    });
  return [
    ev({ at: '2017-03-15T06:03:08.894Z', hypervisor, dataset: 'libvirt.daemon', action: 'daemon-info', thread: 13919, message: 'libvirt version: 1.3.1, package: 1ubuntu10.5', extra: { libvirt: { version: '1.3.1' } } }),
    d('2017-03-15T06:03:08.894Z', 13919, 'storage-permission', "ignoring permission error for '/media/vmpool/win7_test.img'", undefined, 'virStorageBackendVolOpen'),
    d('2017-03-15T06:03:48.180Z', 13914, 'monitor-eof', 'internal error: End of file from monitor', undefined, 'qemuMonitorIO'),
    d('2017-03-15T06:03:48.180Z', 13914, 'log-open-busy', "Cannot open log file: '/var/log/libvirt/qemu/vm105.log': Device or resource busy", 'vm105', 'virNetClientProgramDispatchError'),
    d('2017-03-15T06:04:22.540Z', 13918, 'migration-failed', 'operation failed: migration job: unexpectedly failed', undefined, 'qemuMigrationCheckJobStatus'),
    d('2017-03-15T06:04:57.546Z', 13918, 'storage-permission', "ignoring permission error for '/media/vmpool/win7_test.img'", undefined, 'virStorageBackendVolOpen'),
    d('2017-03-15T06:06:12.507Z', 13916, 'migration-failed', 'operation failed: migration job: unexpectedly failed', undefined, 'qemuMigrationCheckJobStatus'),
    d('2017-03-15T06:11:21.182Z', 13918, 'storage-permission', "ignoring permission error for '/media/vmpool/win7_test.img'", undefined, 'virStorageBackendVolOpen'),
    d('2017-03-15T06:13:08.112Z', 13920, 'migration-failed', 'operation failed: migration job: unexpectedly failed', undefined, 'qemuMigrationCheckJobStatus'),
    d('2017-03-15T06:15:09.467Z', 13919, 'storage-permission', "ignoring permission error for '/media/vmpool/win7_test.img'", undefined, 'virStorageBackendVolOpen'),
    d('2017-03-15T06:35:17.680Z', 13914, 'monitor-eof', 'internal error: End of file from monitor', undefined, 'qemuMonitorIO'),
    d('2017-03-15T06:35:17.680Z', 13914, 'log-open-busy', "Cannot open log file: '/var/log/libvirt/qemu/vm102.log': Device or resource busy", 'vm102', 'virNetClientProgramDispatchError'),
  ];
}

/** The seed scenario: libvirtd lines, vm105's vm-config (no hv_*, -rtc base=localtime), the WinDbg report. */
export function seedScenario(hyperv?: string[]): EcsEvent[] {
  return [vmConfig('2017-03-15T00:10:40.000Z', 'sc7', 'vm105', hyperv ? { hyperv } : {}), ...seedLibvirtd(), seedWindbg()];
}
