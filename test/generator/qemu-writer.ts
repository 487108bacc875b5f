import type { Rng } from './prng.js';
import { TimedLines } from './line-sink.js';
import { LIBVIRT_PACKAGE } from './libvirtd-writer.js';
import { formatLibvirtTime, formatQemuMsgTime } from './time-format.js';
import type { FleetPlan, HostPlan, TimedLine, VmPlan } from './types.js';
import type { QemuSession, VmTimeline } from './timeline.js';

// /var/log/libvirt/qemu/<vm>.log as libvirt 1.3.1 + qemu 2.5 (Ubuntu 16.04) write it: per start a
// `starting up` header, the environment and full command line on ONE line, `char device redirected`, qemu's
// CPUID warnings (once per vCPU, untimed), spice server chatter (untimed), and at the end qemu's own
// `-msg timestamp=on` lines and libvirt's `shutting down, reason=...`.

const QEMU_VERSION = '2.5.0 (Debian 1:2.5+dfsg-5ubuntu10.8)';
const BASE_CPU = 'SandyBridge,+pdpe1gb,+osxsave,+dca,+pcid,+pdcm,+xtpr,+tm2,+est,+smx,+vmx,+ds_cpl,+monitor,+dtes64,+pbe,+tm,+ht,+ss,+acpi,+ds,+vme';
/** The `<qemu:commandline>` fix of the seed report; QEMU honours the last -cpu. */
export const SEED_FIX_CPU = 'host,hv_time,hv_relaxed,hv_vapic,hv_spinlocks=0x1fff,kvm=off,hv_vendor_id=xeon';

/** The features of BASE_CPU a Xeon E5-2670 host lacks, in the order qemu 2.5 reports them. */
const UNSUPPORTED = [
  'EDX.ds [bit 21]',
  'EDX.acpi [bit 22]',
  'EDX.ht [bit 28]',
  'EDX.tm [bit 29]',
  'EDX.pbe [bit 31]',
  'ECX.dtes64 [bit 2]',
  'ECX.monitor [bit 3]',
  'ECX.ds_cpl [bit 4]',
  'ECX.smx [bit 6]',
  'ECX.est [bit 7]',
  'ECX.tm2 [bit 8]',
  'ECX.xtpr [bit 14]',
  'ECX.pdcm [bit 15]',
  'ECX.dca [bit 18]',
  'ECX.osxsave [bit 27]',
] as const;

export function buildCommandLine(vm: VmPlan, rng: Rng): string {
  const cpu = vm.hypervStyle === 'libvirt-hyperv' ? `${BASE_CPU},hv_time,hv_relaxed,hv_vapic,hv_spinlocks=0x1fff` : BASE_CPU;
  const { cpus, sockets, cores, threads } = vm.smp;
  const n = vm.diskIndex;
  const parts = [
    'LC_ALL=C PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin QEMU_AUDIO_DRV=spice /usr/bin/kvm-spice',
    `-name ${vm.domain} -S -machine pc-i440fx-xenial,accel=kvm,usb=off -cpu ${cpu} -m 3072 -realtime mlock=off`,
    `-smp ${cpus},sockets=${sockets},cores=${cores},threads=${threads} -uuid ${vm.uuid} -no-user-config -nodefaults`,
    `-chardev socket,id=charmonitor,path=/var/lib/libvirt/qemu/domain-${vm.domain}/monitor.sock,server,nowait`,
    '-mon chardev=charmonitor,id=monitor,mode=control -rtc base=localtime -no-shutdown -boot order=cd,menu=on,strict=on',
    '-device piix3-usb-uhci,id=usb,bus=pci.0,addr=0x1.0x2',
    `-drive file=/media/vmpool/vm${n}.qcow2,format=qcow2,if=none,id=drive-virtio-disk0`,
    '-device virtio-blk-pci,scsi=off,bus=pci.0,addr=0x4,drive=drive-virtio-disk0,id=virtio-disk0',
    `-drive file=/media/vmdpool/vmd${n}.qcow2,format=qcow2,if=none,id=drive-virtio-disk1`,
    '-device virtio-blk-pci,scsi=off,bus=pci.0,addr=0x7,drive=drive-virtio-disk1,id=virtio-disk1',
    '-drive if=none,id=drive-ide0-1-1,readonly=on -device ide-cd,bus=ide.1,unit=1,drive=drive-ide0-1-1,id=ide0-1-1',
    `-netdev tap,fd=${rng.int(20, 34)},id=hostnet0,vhost=on,vhostfd=${rng.int(35, 45)}`,
    `-device virtio-net-pci,netdev=hostnet0,id=net0,mac=${vm.mac},bus=pci.0,addr=0x3`,
    '-chardev pty,id=charserial0 -device isa-serial,chardev=charserial0,id=serial0 -device usb-tablet,id=input0',
    `-spice port=${vm.spicePort},addr=0.0.0.0,disable-ticketing,seamless-migration=on`,
    '-device qxl-vga,id=video0,ram_size=67108864,vram_size=67108864,vgamem_mb=16,bus=pci.0,addr=0x2',
    '-device intel-hda,id=sound0,bus=pci.0,addr=0x6 -device hda-duplex,id=sound0-codec0,bus=sound0.0,cad=0',
    '-device virtio-balloon-pci,id=balloon0,bus=pci.0,addr=0x5',
  ];
  // libvirt appends <qemu:commandline> arguments after its own, before -msg (seed report's ps output).
  if (vm.hypervStyle === 'qemu-commandline') parts.push(`-cpu ${SEED_FIX_CPU}`);
  parts.push('-msg timestamp=on');
  return parts.join(' ');
}

function spiceConnectLines(rng: Rng): string[] {
  // spice measures latency in whole microseconds and prints it with %f in ms: `15.188000`.
  const latency = (rng.int(9_000, 25_000) / 1000).toFixed(6);
  const bps = rng.int(90_000_000, 125_000_000);
  return [
    'main_channel_link: add main channel client',
    `main_channel_handle_parsed: net test: latency ${latency} ms, bitrate ${bps} bps (${(bps / 1048576).toFixed(6)} Mbps)`,
    'inputs_connect: inputs channel client create',
    'red_dispatcher_set_cursor_peer:',
  ];
}

function spiceDisconnectLines(rng: Rng): string[] {
  // heap pointers of a 64-bit process, 16-byte aligned like glib's allocations.
  const p = (): string => `0x55f0${rng.hex(7)}0`;
  const lines: string[] = [];
  for (const type of [3, 2, 4]) lines.push(`red_channel_client_disconnect: rcc=${p()} (channel=${p()} type=${type} id=0)`);
  const main = p();
  lines.push('red_peer_receive: Connection reset by peer', `red_channel_client_disconnect: rcc=${main} (channel=${p()} type=1 id=0)`);
  lines.push(`main_channel_client_on_disconnect: rcc=${main}`);
  for (const type of [6, 5]) {
    lines.push('snd_receive: Connection reset by peer', `red_channel_client_disconnect_dummy: rcc=${p()} (channel=${p()} type=${type} id=0)`);
    lines.push(`snd_channel_put: SndChannel=${p()} freed`);
  }
  lines.push(`red_client_destroy: destroy client ${p()} with #channels=6`, 'red_dispatcher_disconnect_cursor_peer:', 'red_dispatcher_disconnect_display_peer:');
  return lines;
}

/** The register dump qemu 2.5 prints on an unhandled KVM exit of a 32-bit protected-mode guest. */
function kvmInternalErrorLines(rng: Rng): string[] {
  const r = (): string => rng.hex(8);
  return [
    'KVM internal error. Suberror: 1',
    'emulation failure',
    `EAX=${r()} EBX=${r()} ECX=${r()} EDX=00000000`,
    `ESI=${r()} EDI=${r()} EBP=8d3${rng.hex(5)} ESP=8d3${rng.hex(5)}`,
    `EIP=83c${rng.hex(5)} EFL=00010246 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=0`,
    'ES =0023 00000000 ffffffff 00cff300 DPL=3 DS   [-WA]',
    'CS =0008 00000000 ffffffff 00cf9b00 DPL=0 CS32 [-RA]',
    'SS =0010 00000000 ffffffff 00cf9300 DPL=0 DS   [-WA]',
    'DS =0023 00000000 ffffffff 00cff300 DPL=3 DS   [-WA]',
    'FS =0030 807a0000 00003748 00409300 DPL=0 DS   [-WA]',
    'GS =0000 00000000 ffffffff 00000000',
    'LDT=0000 00000000 ffffffff 00000000',
    'TR =0028 801e4000 000020ab 00008b00 DPL=0 TSS32-busy',
    'GDT=     80b95000 000003ff',
    'IDT=     80b95400 000007ff',
    `CR0=8001003b CR2=${r()} CR3=00185000 CR4=000006f9`,
    'DR0=00000000 DR1=00000000 DR2=00000000 DR3=00000000 ',
    'DR6=ffff0ff0 DR7=00000400',
    'EFER=0000000000000800',
    `Code=${Array.from({ length: 20 }, () => rng.hex(2)).join(' ')} <0f> 0b ${Array.from({ length: 20 }, () => rng.hex(2)).join(' ')}`,
  ];
}

function pushSessionStart(out: TimedLines, host: HostPlan, vm: VmPlan, session: QemuSession, rng: Rng): void {
  const t = session.startMs;
  out.push(t, `${formatLibvirtTime(t)}: starting up libvirt version: 1.3.1, package: ${LIBVIRT_PACKAGE}, qemu version: ${QEMU_VERSION}, hostname: ${host.name}`);
  out.push(t, buildCommandLine(vm, rng));
  out.push(t + 60, `char device redirected to /dev/pts/${session.pts} (label charserial0)`);
  // With the appended `-cpu host` the SandyBridge flags are never requested, so qemu prints no warnings.
  if (vm.hypervStyle !== 'qemu-commandline') {
    for (let cpu = 0; cpu < vm.smp.cpus; cpu++) {
      for (const f of UNSUPPORTED) out.push(t + 80, `warning: host doesn't support requested feature: CPUID.01H:${f}`);
    }
  }
}

function pushSpice(out: TimedLines, from: number, to: number, rng: Rng, perDay: number): void {
  const count = Math.max(0, Math.round(((to - from) / 86_400_000) * perDay));
  for (let i = 0; i < count; i++) {
    const a = from + Math.floor(rng.next() * (to - from));
    const b = Math.min(to - 1, a + rng.int(60_000, 3 * 3_600_000));
    for (const line of spiceConnectLines(rng)) out.push(a, line);
    for (const line of spiceDisconnectLines(rng)) out.push(b, line);
  }
}

function pushSessionEnd(out: TimedLines, session: QemuSession, host: HostPlan, rng: Rng): void {
  const end = session.end;
  if (!end) return;
  if (end.reason === 'crashed' && end.hang) {
    for (const line of kvmInternalErrorLines(rng)) out.push(end.hang.hangMs, line);
  } else {
    // virDomainDestroy and the post-shutdown cleanup both SIGTERM qemu from libvirtd's pid.
    const sig = end.atMs - rng.int(20, 200);
    out.push(sig, `${formatQemuMsgTime(sig, rng.int(0, 999))} qemu-system-x86_64: terminating on signal 15 from pid ${host.libvirtdPid}`);
  }
  out.push(end.atMs, `${formatLibvirtTime(end.atMs)}: shutting down, reason=${end.reason}`);
}

export function buildQemuLines(plan: FleetPlan, tl: VmTimeline, rng: Rng): TimedLine[] {
  const out = new TimedLines();
  const spicePerDay = Math.max(1, Math.round(plan.options.noisePerHour / 6));
  tl.sessions.forEach((session) => {
    pushSessionStart(out, tl.host, tl.vm, session, rng);
    const until = session.end?.atMs ?? plan.endMs;
    pushSpice(out, Math.max(session.startMs + 120_000, plan.options.startMs), until - 1000, rng, spicePerDay);
    pushSessionEnd(out, session, tl.host, rng);
  });
  return out.sorted();
}
