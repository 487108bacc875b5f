import { createHash } from 'node:crypto';
import type { EcsEvent } from '../shared/schema/event.js';

// Normalized events shaped like the parser's output (DESIGN.md section 4), for the indexer benchmark and the
// indexer integration tests: libvirtd, qemu, Windows (event_data), kernel and iostat records in turn, about
// 600-900 bytes of JSON each. Ids are unique per run; every event falls on the given UTC day, so a run writes
// one daily index of its own (`hangwatch-events-YYYY.MM.DD`) that it can count and delete.

export interface EventRunOptions {
  /** Distinguishes runs: part of every id and hypervisor name. */
  readonly run: string;
  /** `YYYY-MM-DD`: the UTC day of every event. */
  readonly day: string;
  readonly hosts?: number;
}

function idOf(run: string, i: number): string {
  return createHash('sha256').update(`${run}|${i}`).digest('hex').slice(0, 32);
}

function timeOf(day: string, i: number): string {
  const ms = Date.parse(`${day}T00:00:00.000Z`) + ((i * 791) % 86_400_000);
  return new Date(ms).toISOString();
}

export function buildEvent(options: EventRunOptions, i: number): EcsEvent {
  const hosts = options.hosts ?? 8;
  const hypervisor = `hv${i % hosts}-${options.run}`;
  const domain = `win7-${i % 40}`;
  const ts = timeOf(options.day, i);
  const base = {
    '@timestamp': ts,
    host: { name: hypervisor },
    libvirt: { hypervisor, domain: { name: domain, uuid: `6f1c${(i % 40).toString(16).padStart(4, '0')}-8d2e-4a7b-9c1d-5e3f2a1b0c9d` } },
    log: { file: { path: `/var/log/libvirt/qemu/${domain}.log` }, offset: i * 211 },
  };
  const hw = (grammar: string) => ({ time: { basis: 'explicit' as const }, attribution: 'file' as const, parse: { grammar }, source: { fingerprint: `fp-${i % hosts}`, format: grammar } });
  const id = idOf(options.run, i);
  switch (i % 5) {
    case 0:
      return {
        ...base,
        event: { id, created: ts, original: `${ts.replace('T', ' ').replace('Z', '+0000')}: 1969: error : qemuMonitorIO:697 : internal error: End of file from qemu monitor`, dataset: 'libvirt.daemon', kind: 'event', category: ['host'], type: ['error'], action: 'monitor-eof' },
        log: { ...base.log, file: { path: '/var/log/libvirt/libvirtd.log' }, level: 'error', origin: { function: 'qemuMonitorIO', file: { line: 697 } } },
        process: { thread: { id: 1969 } },
        message: 'internal error: End of file from qemu monitor',
        hangwatch: hw('libvirtd'),
      };
    case 1:
      return {
        ...base,
        event: { id, created: ts, original: `LC_ALL=C PATH=/usr/bin QEMU_AUDIO_DRV=spice /usr/libexec/qemu-kvm -name ${domain} -machine pc-i440fx-rhel7.0.0,accel=kvm -cpu SandyBridge,+vme,+ds,+acpi,+ss,+ht -m 8192 -smp 4,sockets=4,cores=1,threads=1 -rtc base=localtime,driftfix=slew`, dataset: 'libvirt.qemu', kind: 'event', category: ['host'], type: ['start'], action: 'vm-start' },
        qemu: { cpu: { model: 'SandyBridge', flags: ['+vme', '+ds', '+acpi', '+ss', '+ht'] }, hyperv: [], smp: { cpus: 4, sockets: 4, cores: 1, threads: 1 }, rtc: { base: 'localtime' }, net: { mac: ['52:54:00:6b:3c:58'] }, memory_mb: 8192 },
        message: `starting domain ${domain}`,
        hangwatch: hw('qemu'),
      };
    case 2:
      return {
        ...base,
        host: { name: `WIN7-${i % 40}` },
        event: { id, created: ts, original: `<Event><System><Provider Name="EventLog"/><EventID>6008</EventID></System><EventData><Data>13:11:54</Data><Data>2017/3/15</Data></EventData></Event>`, dataset: 'windows.system', kind: 'event', category: ['host'], type: ['info'], action: 'unexpected-shutdown', code: '6008' },
        winlog: { channel: 'System', event_id: '6008', provider_name: 'EventLog', record_id: String(1000 + i), computer_name: `WIN7-${i % 40}`, event_data: { param1: '13:11:54', param2: '2017/3/15', param3: '0' } },
        message: 'The previous system shutdown at 13:11:54 on 2017/3/15 was unexpected.',
        hangwatch: { ...hw('windows-xml'), attribution: 'folder' as const },
      };
    case 3:
      return {
        ...base,
        event: { id, created: ts, original: `Mar 15 13:11:50 ${hypervisor} kernel: [81234.567890] NMI watchdog: BUG: soft lockup - CPU#3 stuck for 22s! [qemu-kvm:4242]`, dataset: 'linux.kernel', kind: 'event', category: ['host'], type: ['error'], action: 'soft-lockup' },
        linux: { kernel: { uptime_s: 81234.56789, cpu: 3, task: 'qemu-kvm', stuck_s: 22 } },
        process: { pid: 4242, name: 'qemu-kvm' },
        message: 'NMI watchdog: BUG: soft lockup - CPU#3 stuck for 22s! [qemu-kvm:4242]',
        hangwatch: hw('kernel'),
      };
    default:
      return {
        ...base,
        event: { id, created: ts, original: `sda  12.00  340.00  0.50  4.20  98.10  97.40`, dataset: 'linux.iostat', kind: 'metric', category: ['host'], type: ['info'], action: 'io-stats' },
        linux: { iostat: { device: 'sda', r_s: 12, w_s: 340, r_await_ms: 0.5, w_await_ms: 4.2, await_ms: 98.1, util_pct: 97.4 } },
        message: 'sda util 97.4%',
        hangwatch: hw('iostat'),
      };
  }
}

/** Event i of the run as the Kafka key (its hypervisor) and JSON value the parser would produce. */
export function buildEventMessage(options: EventRunOptions, i: number): { key: string; value: string } {
  const event = buildEvent(options, i);
  return { key: event.libvirt?.hypervisor ?? '', value: JSON.stringify(event) };
}

/** `hangwatch-events-YYYY.MM.DD` of a day of the 1980s-2000s nobody else writes, from the run id (tests, bench). */
export function uniqueDay(run: string, salt = ''): string {
  const n = Number.parseInt(createHash('sha256').update(`${run}|${salt}`).digest('hex').slice(0, 8), 16);
  const day = new Date(Date.UTC(1980, 0, 1) + (n % (365 * 28)) * 86_400_000);
  return day.toISOString().slice(0, 10);
}
