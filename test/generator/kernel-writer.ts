import type { Rng } from './prng.js';
import { TimedLines } from './line-sink.js';
import { formatSyslogTime } from './time-format.js';
import type { FleetPlan, HostPlan, TimedLine } from './types.js';
import type { VmTimeline } from './timeline.js';

// /var/log/kern.log as rsyslog writes it on Ubuntu 16.04 (kernel 4.4): `Mar 15 13:05:01 sc7 kernel:
// [18012.345678] message` — local time without year or zone, then the kernel's seconds since boot (%5lu.%06lu).
// Soft lockups print the 4.4 watchdog report (`NMI watchdog: BUG: soft lockup - CPU#5 stuck for 22s!
// [qemu-system-x86:4573]`, comm cut to 15 characters) followed by registers and a call trace.

const KERNEL = '4.4.0-66-generic #87-Ubuntu';
const MODULES =
  'vhost_net vhost macvtap macvlan ebtable_filter ebtables ip6table_filter ip6_tables iptable_filter ip_tables x_tables bridge stp llc kvm_intel kvm irqbypass ipmi_ssif intel_rapl x86_pkg_temp_thermal intel_powerclamp coretemp crct10dif_pclmul crc32_pclmul ghash_clmulni_intel aesni_intel aes_x86_64 lrw gf128mul glue_helper ablk_helper cryptd sb_edac edac_core joydev input_leds mei_me lpc_ich mei ioatdma ipmi_si ipmi_msghandler shpchp acpi_power_meter mac_hid bonding autofs4 btrfs raid456 async_raid6_recov async_memcpy async_pq async_xor async_tx xor raid6_pq libcrc32c raid1 raid0 multipath linear igb ixgbe i2c_algo_bit dca ptp pps_core mdio ahci libahci';
const MSRS = ['0x1c9', '0x641', '0x34', '0x606', '0x611', '0x639', '0x619', '0x1a2'] as const;

export function formatKernelLine(t: number, host: HostPlan, plan: FleetPlan, message: string): string {
  const sinceBoot = t - host.bootMs;
  const secs = Math.floor(sinceBoot / 1000);
  // Millisecond plan times, microsecond kernel stamps: fill the last digits deterministically from the time.
  const micros = (sinceBoot % 1000) * 1000 + (t % 997);
  const stamp = `${String(secs).padStart(5, ' ')}.${String(micros).padStart(6, '0')}`;
  return `${formatSyslogTime(t, plan.hostZone)} ${host.name} kernel: [${stamp}] ${message}`;
}

function softLockupReport(cpu: number, stuckS: number, pid: number, rng: Rng): string[] {
  const k = (): string => `ffffffff81${rng.hex(6)}`;
  const task = `ffff881f${rng.hex(8)}`;
  const ti = `ffff881f${rng.hex(8)}`;
  return [
    `NMI watchdog: BUG: soft lockup - CPU#${cpu} stuck for ${stuckS}s! [qemu-system-x86:${pid}]`,
    `Modules linked in: ${MODULES}`,
    `CPU: ${cpu} PID: ${pid} Comm: qemu-system-x86 Not tainted ${KERNEL}`,
    'Hardware name: Supermicro SYS-6028R-TR/X10DRi, BIOS 2.0a 08/25/2016',
    `task: ${task} ti: ${ti} task.ti: ${ti}`,
    `RIP: 0010:[<${k()}>]  [<${k()}>] smp_call_function_many+0x1f6/0x260`,
    `RSP: 0018:${ti.slice(0, 12)}7b98  EFLAGS: 00000202`,
    `RAX: 0000000000000003 RBX: 0000000000000200 RCX: 0000000000000007`,
    `Call Trace:`,
    ` [<${k()}>] native_flush_tlb_others+0x14b/0x190`,
    ` [<${k()}>] flush_tlb_page+0x54/0x90`,
    ` [<${k()}>] ptep_clear_flush+0x4c/0x60`,
    ` [<${k()}>] try_to_unmap_one+0x1c4/0x5e0`,
    ` [<ffffffffc0${rng.hex(6)}>] kvm_arch_vcpu_ioctl_run+0x8a5/0x1350 [kvm]`,
    ` [<ffffffffc0${rng.hex(6)}>] kvm_vcpu_ioctl+0x31d/0x5e0 [kvm]`,
    ` [<${k()}>] do_vfs_ioctl+0x29f/0x490`,
    ` [<${k()}>] SyS_ioctl+0x79/0x90`,
    ` [<${k()}>] entry_SYSCALL_64_fastpath+0x16/0x71`,
    `Code: 00 41 89 c4 75 a9 eb ba 48 c7 c2 00 bb e2 81 4c 89 fe 44 89 f7 e8 d6 a9 2b 00 8b 55 c8 eb 82 f3 90 41 8b 46 18 <a8> 01 75 f6 eb be 0f b6 4d cc 4c 89 ea 4c 89 f6 44 89 ff e8 72 fd ff `,
  ];
}

function pushSessionLines(out: TimedLines, tl: VmTimeline, plan: FleetPlan, rng: Rng): void {
  const vnet = `vnet${tl.vmIndex}`;
  const port = tl.vmIndex + 2;
  const line = (t: number, msg: string): void => out.push(t, formatKernelLine(t, tl.host, plan, msg));
  for (const s of tl.sessions) {
    const t = s.startMs + rng.int(100, 400);
    const epoch = (t / 1000).toFixed(3);
    line(t, `audit: type=1400 audit(${epoch}:${rng.int(20, 400)}): apparmor="STATUS" operation="profile_load" profile="unconfined" name="libvirt-${tl.vm.uuid}" pid=${s.pid - rng.int(3, 9)} comm="apparmor_parser"`);
    line(t + 40, `device ${vnet} entered promiscuous mode`);
    line(t + 45, `br0: port ${port}(${vnet}) entered forwarding state`);
    line(t + 45, `br0: port ${port}(${vnet}) entered forwarding state`);
    if (s.end) {
      const e = s.end.atMs + rng.int(5, 60);
      line(e, `br0: port ${port}(${vnet}) entered disabled state`);
      line(e + 2, `device ${vnet} left promiscuous mode`);
      line(e + 2, `br0: port ${port}(${vnet}) entered disabled state`);
    }
  }
  for (const hang of tl.hangs.filter((h) => h.cause === 'host-soft-lockup')) {
    const session = tl.sessions.filter((s) => s.startMs <= hang.hangMs).pop();
    const pid = session?.pid ?? rng.int(2000, 32_000);
    let t = hang.hangMs - rng.int(2, 6) * 60_000;
    const reports = rng.int(2, 4);
    const cpu = rng.int(1, 31);
    for (let i = 0; i < reports; i++) {
      for (const msg of softLockupReport(cpu, 22 + i * 4 + rng.int(0, 3), pid, rng)) line(t, msg);
      t += rng.int(24_000, 30_000);
    }
  }
}

function pushNoise(out: TimedLines, plan: FleetPlan, host: HostPlan, timelines: readonly VmTimeline[], rng: Rng): void {
  const hours = plan.options.durationMs / 3_600_000;
  const count = Math.round((plan.options.noisePerHour / 4) * hours);
  for (let i = 0; i < count; i++) {
    const t = plan.options.startMs + Math.floor(rng.next() * plan.options.durationMs);
    const tl = rng.pick(timelines);
    const session = tl.sessions.filter((s) => s.startMs <= t).pop();
    const msg = rng.chance(0.85)
      ? `kvm [${session?.pid ?? 1}]: vcpu${rng.int(0, 1)} unhandled rdmsr: ${rng.pick(MSRS)}`
      : `perf interrupt took too long (${rng.int(2501, 5000)} > 2500), lowering kernel.perf_event_max_sample_rate to ${rng.pick([50000, 63000, 79000])}`;
    out.push(t, formatKernelLine(t, host, plan, msg));
  }
}

export function buildKernelLines(plan: FleetPlan, host: HostPlan, timelines: readonly VmTimeline[], rng: Rng): TimedLine[] {
  const out = new TimedLines();
  for (const tl of timelines) pushSessionLines(out, tl, plan, rng);
  pushNoise(out, plan, host, timelines, rng.fork('noise'));
  return out.sorted();
}
