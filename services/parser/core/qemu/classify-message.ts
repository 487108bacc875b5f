import type { Bugcheck, QemuFields } from '../../../../shared/schema/event.js';
import type { EventAction } from '../../../../shared/vocabulary.js';
import { buildBugcheck } from '../bugcheck.js';

// What a qemu domain log message means. The messages come from a handful of writers, each cited where matched:
// libvirt (src/qemu/qemu_process.c, qemu_domain.c: "starting up", "shutting down", "panic ..."), qemu
// (error_report / warn_report lines, system/runstate.c, accel/kvm/kvm-all.c, target/i386/cpu.c) and spice-server
// (glib logs named after the C function). Checks are anchored at the start and cheap; unknown text is `other`.

export interface MessageFacts {
  readonly action: EventAction;
  readonly level?: string;
  readonly qemu?: QemuFields;
  readonly bugcheck?: Bugcheck;
  readonly libvirtVersion?: string;
  readonly hostName?: string;
  /** Starts a KVM register dump: following dump lines continue this event. */
  readonly startsDump?: boolean;
}

const OTHER: MessageFacts = { action: 'other' };

// libvirt qemuProcessStart -> qemuDomainLogContextNew... "starting up libvirt version: %s, package: %s, qemu
// version: %s%s, kernel: %s, hostname: %s" (fields added over versions: package 1.2.x, kernel 4.x).
const HEADER = /^starting up(?: libvirt version: ([^,\s]+)(?:, package: (.*?))?(?:, qemu version: (.*?))?(?:, kernel: (.*?))?(?:, hostname: (.*?))?)?\s*$/;

// qemu target/i386/cpu.c mark_unavailable_features / report_unavailable_features:
// "host doesn't support requested feature: CPUID.01H:EDX.ds [bit 21]" (qemu <= 5),
// "CPUID[eax=07h,ecx=00h].EBX.hle [bit 4]" (qemu >= 6), "MSR(48FH).vmx-exit-load-perf-global-ctrl [bit 12]";
// "TCG doesn't support ..." under TCG.
const CPUID = /^(?:warning: )?(?:host|TCG|\w+) doesn't support requested feature: (.+)\.([^.\s]+) \[bit (\d+)\]\s*$/;

// qemu system/runstate.c qemu_kill_report: "terminating on signal %d from pid " FMT_pid " (%s)".
const SIGNAL = /^terminating on signal (\d+)(?: from pid (\d+)(?: \((.*)\))?)?\s*$/;

// libvirt qemuProcessStop: "shutting down, reason=%s" (reason added in 1.3.x).
const SHUTDOWN = /^shutting down(?:, reason=([\w-]+))?\s*$/;

// libvirt qemuProcessGuestPanicEventInfo: "panic %s" with qemuMonitorGuestPanicEventInfoFormatMsg's
// "hyper-v: arg1='0x%llx', arg2='0x%llx', arg3='0x%llx', arg4='0x%llx', arg5='0x%llx'"; Hyper-V's crash MSRs
// carry P0 = bugcheck code, P1-P4 = its parameters (KubeVirt pkg/virt-launcher tests show the same line).
const PANIC_HYPERV = /^panic hyper-v: arg1='(0x[0-9a-fA-F]+)', arg2='(0x[0-9a-fA-F]+)', arg3='(0x[0-9a-fA-F]+)', arg4='(0x[0-9a-fA-F]+)', arg5='(0x[0-9a-fA-F]+)'/;
// qemu system/runstate.c qemu_system_guest_panicked: "HV crash parameters: (%#lx %#lx %#lx %#lx %#lx)"
// (`%#lx` prints a zero as plain `0`; qemu 6.0 switched to 0x%lx).
const HV_CRASH = /^HV crash parameters: \((\w+) (\w+) (\w+) (\w+) (\w+)\)/;

// accel/kvm/kvm-all.c kvm_handle_internal_error / target/i386/kvm/kvm.c.
const KVM_INTERNAL = /^KVM internal error\. Suberror: (\d+)/;
const KVM_ENTRY_FAILED = /^KVM: entry failed, hardware error (0x[0-9a-fA-F]+)/;
const KVM_RUN_FAILED = /^(?:error: )?kvm run failed /;

// A guest paused on a disk error (werror/rerror=stop, e.g. a full host disk): libvirt's qemuProcessHandleIOError
// appends "IO error device='%s' node-name='%s' reason='%s'" to the domain log (libvirt >= 10; bare values in
// some builds); qemu itself printed "block I/O error in device '%s': %s (%d)" (block.c bdrv_emit_qmp_error_event,
// qemu <= 1.x and distribution backports).
const IO_ERROR = /^IO error\b(.*)$/;
const IO_ERROR_FIELD = /([\w-]+)=(?:'([^']*)'|(\S+))/g;
const BLOCK_IO_ERROR = /^block I\/O error in device '([^']*)': (.*?)(?: \((\d+)\))?\s*$/;

// The fields of libvirt's start header, alone on their lines (a paste that broke the header, a build that logs
// them apart): `libvirt version: 9.2.0, package: ...`, `qemu version: ...`, `hostname: ...`.
const VERSION_LINE = /^libvirt version: ([^,\s]+)/;
const QEMU_VERSION_LINE = /^qemu version: (\S.*)$/;
const HOSTNAME_LINE = /^hostname: (\S+)\s*$/;

// spice-server server/main-channel.c, red-channel-client.c, reds.c: glib messages named after the function.
const SPICE_FUNCTION = /^([a-z_]+): /;
const SPICE_CONNECT = new Set(['main_channel_link']);
const SPICE_DISCONNECT = new Set(['red_channel_client_disconnect', 'main_channel_client_on_disconnect', 'red_client_destroy']);

export function classifyMessage(text: string): MessageFacts {
  const c = text.charCodeAt(0);
  // Dispatch on the first letter first: most lines of a busy log are spice chatter and CPUID warnings.
  if (c === 0x77 /* w */ || c === 0x68 /* h */ || c === 0x54 /* T */) {
    const m = CPUID.exec(text);
    if (m) return { action: 'cpu-feature-unsupported', level: 'warning', qemu: { cpuid: { register: m[1] as string, feature: m[2] as string } } };
    if (text.startsWith('warning:')) return { action: 'other', level: 'warning' };
  }
  if (text.startsWith('starting up')) return readHeader(text);
  if (c === 0x49 /* I */ && text.startsWith('IO error')) return readIoError(text);
  if (c === 0x62 /* b */ && text.startsWith('block I/O error')) {
    const m = BLOCK_IO_ERROR.exec(text);
    if (m) return { action: 'vm-io-error', level: 'error', qemu: { io_error: { device: m[1] as string, reason: m[2] as string, ...(m[3] ? { errno: Number(m[3]) } : {}) } } };
  }
  if (c === 0x6c /* l */ && text.startsWith('libvirt version: ')) return { action: 'daemon-info', libvirtVersion: VERSION_LINE.exec(text)?.[1] as string };
  if (c === 0x71 /* q */ && text.startsWith('qemu version: ')) {
    const version = leadingVersion(QEMU_VERSION_LINE.exec(text)?.[1]);
    return { action: 'daemon-info', ...(version ? { qemu: { version } } : {}) };
  }
  if (c === 0x68 /* h */ && text.startsWith('hostname: ')) {
    const m = HOSTNAME_LINE.exec(text);
    if (m) return { action: 'daemon-info', hostName: m[1] as string };
  }
  if (text.startsWith('shutting down')) {
    const m = SHUTDOWN.exec(text);
    if (m) return { action: 'vm-shutdown', ...(m[1] ? { qemu: { shutdown: { reason: m[1] } } } : {}) };
  }
  if (text.startsWith('terminating on signal')) {
    const m = SIGNAL.exec(text);
    if (m) {
      const signal: { number: number; sender_pid?: number } = { number: Number(m[1]) };
      if (m[2]) signal.sender_pid = Number(m[2]);
      return { action: 'vm-terminated-signal', qemu: { signal } };
    }
  }
  if (text.startsWith('panic ')) return readPanic(text);
  if (text.startsWith('HV crash parameters')) {
    const m = HV_CRASH.exec(text);
    if (m) return guestPanic(m.slice(1, 6) as string[]);
  }
  if (/^Guest crash(?:ed| loaded)\b|guest[- ]panicked/i.test(text.length > 4096 ? text.slice(0, 4096) : text)) return { action: 'guest-panic', level: 'error' };
  if (text.startsWith('KVM')) {
    if (KVM_INTERNAL.test(text) || KVM_ENTRY_FAILED.test(text)) return { action: 'kvm-internal-error', level: 'error', startsDump: true };
  }
  if (KVM_RUN_FAILED.test(text)) return { action: 'kvm-internal-error', level: 'error' };
  if (text.startsWith('emulation failure')) return { action: 'kvm-internal-error', level: 'error', startsDump: true };
  const fn = SPICE_FUNCTION.exec(text.length > 256 ? text.slice(0, 256) : text);
  if (fn) {
    if (SPICE_CONNECT.has(fn[1] as string)) return { action: 'spice-connect' };
    if (SPICE_DISCONNECT.has(fn[1] as string)) return { action: 'spice-disconnect' };
  }
  return OTHER;
}

function readIoError(text: string): MessageFacts {
  const rest = IO_ERROR.exec(text.length > 4096 ? text.slice(0, 4096) : text)?.[1] ?? '';
  const io: { device?: string; node_name?: string; reason?: string } = {};
  for (const m of rest.matchAll(IO_ERROR_FIELD)) {
    const value = m[2] ?? m[3] ?? '';
    if (m[1] === 'device') io.device = value;
    else if (m[1] === 'node-name') io.node_name = value;
    // The reason is last and may hold blanks: unquoted, it runs to the end of the line.
    else if (m[1] === 'reason') io.reason = m[2] ?? rest.slice((m.index ?? 0) + 'reason='.length).trim();
  }
  return { action: 'vm-io-error', level: 'error', qemu: { io_error: io } };
}

function readHeader(text: string): MessageFacts {
  if (text.length > 8192) return OTHER;
  const m = HEADER.exec(text);
  if (!m) return OTHER;
  const qemuVersion = leadingVersion(m[3]);
  return {
    action: 'vm-start',
    ...(m[1] ? { libvirtVersion: m[1] } : {}),
    ...(qemuVersion ? { qemu: { version: qemuVersion } } : {}),
    ...(m[5] ? { hostName: m[5] } : {}),
  };
}

/** `2.5.0 (Debian 1:2.5+dfsg-5ubuntu10.8)` -> `2.5.0`; `9.2.3openSUSE Tumbleweed` -> `9.2.3`. */
function leadingVersion(text: string | undefined): string | undefined {
  if (!text) return undefined;
  return /^\d+(?:\.\d+)+/.exec(text)?.[0] ?? text;
}

function readPanic(text: string): MessageFacts {
  const m = PANIC_HYPERV.exec(text);
  if (m) return guestPanic(m.slice(1, 6) as string[]);
  return { action: 'guest-panic', level: 'error' }; // s390 / pvpanic forms carry no bugcheck
}

function guestPanic(args: readonly string[]): MessageFacts {
  const [code, ...params] = args.map((a) => (/^0x/i.test(a) ? a : a === '0' ? '0x0' : `0x${a}`));
  const bugcheck = code === undefined ? undefined : buildBugcheck(code, params);
  return { action: 'guest-panic', level: 'error', ...(bugcheck ? { bugcheck } : {}) };
}

// Lines of the register dump qemu prints after a KVM internal error (cpu_dump_state: "EAX=...", "ES =0000 ...",
// "R8 =...", "GDT=     ...", "Code=..."), "extra data[0]: ...", and the Intel VT hint after an entry failure.
const DUMP_LINE =
  /^(?:[A-Z][A-Z0-9]{0,6} ?=|Code=|extra data\[\d+\]|emulation failure|KVM internal error|(?:FCW|FSW|FTW|MXCSR|FPR\d|[XYZ]MM\d|Opmask\d)|If you're running a guest|support, the failure|state for Intel VT|which is not supported on less recent|\s*$)/;
export function isDumpLine(text: string): boolean {
  return DUMP_LINE.test(text);
}
