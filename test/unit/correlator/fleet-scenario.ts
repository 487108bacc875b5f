import type { EcsEvent } from '../../../shared/schema/event.js';
import { ev, seedScenario, vmConfig } from './fixtures.js';

// A small fleet around the seed: three hypervisors, each hang kind, a clean shutdown that must stay quiet,
// identity by folder / MAC / thread, and a guest local time re-timed by a learned zone.

export const FLEET_EXPECTED = [
  { hypervisor: 'sc7', domain: 'vm105', kind: 'bugcheck', at: '2017-03-15T05:11:54.777Z', top: 'missing-hyperv-enlightenments' },
  { hypervisor: 'sc8', domain: 'vm201', kind: 'hard-hang', at: '2017-03-15T03:58:00.000Z', top: 'host-soft-lockup' },
  { hypervisor: 'sc8', domain: 'vm202', kind: 'qemu-exit', at: '2017-03-15T05:00:00.000Z', top: 'qemu-process-exit' },
  { hypervisor: 'sc8', domain: 'vm204', kind: 'qemu-exit', at: '2017-03-15T06:00:00.000Z', top: 'qemu-process-exit' },
  { hypervisor: 'sc9', domain: 'vm301', kind: 'bugcheck', at: '2017-03-15T02:00:00.000Z', top: 'missing-hyperv-enlightenments' },
] as const;

export function fleetScenario(): EcsEvent[] {
  return [...seedScenario(), ...sc8(), ...sc9()];
}

function sc8(): EcsEvent[] {
  const h = 'sc8';
  const winlog = (at: string, action: EcsEvent['event']['action'], code: string, extra: object = {}) =>
    ev({
      at,
      hypervisor: h,
      dataset: 'windows.winlogbeat',
      action,
      code,
      message: `event ${code}`,
      extra: { host: { name: 'WIN-201', mac: ['52-54-00-00-02-01'] }, winlog: { channel: 'System', event_id: code, computer_name: 'WIN-201' }, ...extra },
    });
  return [
    vmConfig('2017-03-15T01:00:00.000Z', h, 'vm201', { hyperv: ['relaxed', 'spinlocks', 'time', 'vapic'], mac: '52:54:00:00:02:01', rtc: 'utc' }),
    winlog('2017-03-15T03:55:00.000Z', 'service-crash', '7031'),
    winlog('2017-03-15T03:58:00.000Z', 'other', '7036'),
    ev({ at: '2017-03-15T03:59:30.000Z', hypervisor: h, dataset: 'linux.kernel', action: 'soft-lockup', message: 'watchdog: BUG: soft lockup - CPU#1 stuck for 23s! [CPU 1/KVM:4242]', extra: { linux: { kernel: { cpu: 1, task: 'CPU 1/KVM', stuck_s: 23 } } } }),
    winlog('2017-03-15T04:20:00.000Z', 'system-boot', '6005'),
    winlog('2017-03-15T04:20:05.000Z', 'kernel-power-41', '41', { winlog: { event_data: { BugcheckCode: '0' } } }),
    winlog('2017-03-15T04:20:06.000Z', 'unexpected-shutdown', '6008', { windows: { shutdown: { local_time: '3:58:30 AM', local_date: '3/15/2017', local_datetime: '2017-03-15T03:58:30' } } }),
    // vm202: killed by SIGKILL nobody asked for.
    ev({ at: '2017-03-15T05:00:00.000Z', hypervisor: h, dataset: 'libvirt.qemu', action: 'vm-terminated-signal', domain: 'vm202', attribution: 'file', message: 'qemu-system-x86_64: terminating on signal 9 from pid 1', extra: { qemu: { signal: { number: 9, sender_pid: 1 } } } }),
    // vm203: a clean shutdown, never an incident.
    ev({ at: '2017-03-15T05:30:00.000Z', hypervisor: h, dataset: 'libvirt.qemu', action: 'vm-terminated-signal', domain: 'vm203', attribution: 'file', message: 'qemu: terminating on signal 15 from pid 13919', extra: { qemu: { signal: { number: 15, sender_pid: 13919 } } } }),
    ev({ at: '2017-03-15T05:30:01.000Z', hypervisor: h, dataset: 'libvirt.qemu', action: 'vm-shutdown', domain: 'vm203', attribution: 'file', message: 'shutting down, reason=shutdown', extra: { qemu: { shutdown: { reason: 'shutdown' } } } }),
    ev({ at: '2017-03-15T05:35:00.000Z', hypervisor: h, dataset: 'libvirt.qemu', action: 'vm-config', domain: 'vm203', attribution: 'file', message: 'qemu command line' }),
    // vm204: the monitor EOF (named by its thread) that the guest's next boot reports as unexpected.
    ev({ at: '2017-03-15T05:58:00.000Z', hypervisor: h, dataset: 'linux.iostat', action: 'io-stats', message: 'sdb', extra: { linux: { iostat: { device: 'sdb', await_ms: 1800, util_pct: 100 } } } }),
    ev({ at: '2017-03-15T05:58:01.000Z', hypervisor: h, dataset: 'linux.iostat', action: 'io-stats', message: 'sda', extra: { linux: { iostat: { device: 'sda', await_ms: 2, util_pct: 3 } } } }),
    ev({ at: '2017-03-15T06:00:00.000Z', hypervisor: h, dataset: 'libvirt.daemon', action: 'monitor-eof', thread: 700, message: 'internal error: End of file from monitor' }),
    ev({ at: '2017-03-15T06:00:00.000Z', hypervisor: h, dataset: 'libvirt.daemon', action: 'log-open-busy', thread: 700, domain: 'vm204', attribution: 'record', message: "Cannot open log file: '/var/log/libvirt/qemu/vm204.log': Device or resource busy" }),
    ev({ at: '2017-03-15T06:05:00.000Z', hypervisor: h, dataset: 'windows.system', action: 'system-boot', code: '6005', path: '/collect/sc8/guests/vm204/System.xml', message: 'The Event log service was started.' }),
    ev({ at: '2017-03-15T06:05:02.000Z', hypervisor: h, dataset: 'windows.system', action: 'unexpected-shutdown', code: '6008', path: '/collect/sc8/guests/vm204/System.xml', message: 'The previous system shutdown was unexpected.', extra: { windows: { shutdown: { time_utc: '2017-03-15T05:59:59.000Z', offset_minutes: 0 } } } }),
  ];
}

function sc9(): EcsEvent[] {
  const h = 'sc9';
  const bugcheck133 = { code: '0x00000133', name: 'DPC_WATCHDOG_VIOLATION', parameters: ['0x1', '0x1e00', '0x0', '0x0'] };
  const guest = (at: string, dataset: EcsEvent['event']['dataset'], action: EcsEvent['event']['action'], extra: object, basis: EcsEvent['hangwatch']['time']['basis'] = 'explicit') =>
    ev({ at, hypervisor: h, dataset, action, basis, path: '/collect/sc9/guests/vm301/System.xml', message: action, extra });
  return [
    ev({ at: '2017-03-15T02:00:00.000Z', hypervisor: h, dataset: 'libvirt.qemu', action: 'guest-panic', domain: 'vm301', attribution: 'file', message: 'panic hyper-v: arg1=0x133', extra: { windows: { bugcheck: { code: '0x00000133', parameters: ['0x1', '0x1e00', '0x0', '0x0'] } } } }),
    guest('2017-03-15T02:00:00.000Z', 'windows.windbg', 'bugcheck', { windows: { bugcheck: bugcheck133, windbg: { gmt_offset_minutes: -300 } } }),
    guest('2017-03-15T02:03:00.000Z', 'windows.system', 'system-boot', {}),
    guest('2017-03-15T02:03:01.000Z', 'windows.system', 'kernel-power-41', { windows: { bugcheck: { code: '0x00000133' } } }),
    guest('2017-03-15T02:03:30.000Z', 'windows.system', 'bugcheck', { windows: { bugcheck: bugcheck133 } }),
    // A local time the parser could not place (no zone): 21:05 at GMT-5 is 02:05Z once the WinDbg zone is learned.
    guest('2017-03-14T21:05:00.000Z', 'windows.system', 'service-crash', {}, 'zone'),
  ];
}
