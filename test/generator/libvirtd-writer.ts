import type { Rng } from './prng.js';
import { TimedLines, mergeTimed } from './line-sink.js';
import { formatLibvirtTime } from './time-format.js';
import type { FleetPlan, HostPlan, TimedLine } from './types.js';
import type { VmTimeline } from './timeline.js';

// /var/log/libvirt/libvirtd.log of libvirt 1.3.1 with `log_level = 3` (warnings and errors, plus the two info
// lines libvirt always writes first): `2017-03-15 06:03:08.894+0000: 13919: error : qemuMonitorIO:689 : msg`.
// The thread id after the stamp is libvirtd's main (event loop) thread for monitor I/O and a worker thread for
// API calls; function names and line numbers are the ones libvirt 1.3.1 prints (seed report).

export const LIBVIRT_PACKAGE = '1ubuntu10.5 (Stefan Bader <stefan.bader@canonical.com> Thu, 06 Oct 2016 13:07:20 +0200)';

export function formatLibvirtdLine(t: number, thread: number, level: 'info' | 'warning' | 'error', origin: string, message: string): string {
  const where = origin === '' ? '' : `${origin} : `;
  return `${formatLibvirtTime(t)}: ${thread}: ${level} : ${where}${message}`;
}

const workerOf = (host: HostPlan, rng: Rng): number => host.libvirtdPid + rng.int(2, 6);

function pushMigrationFailures(out: TimedLines, host: HostPlan, tl: VmTimeline, rng: Rng): void {
  for (const hang of tl.hangs.filter((h) => h.cause === 'migration-failure')) {
    const attempts = rng.int(2, 3);
    let t = hang.hangMs - rng.int(25, 40) * 60_000;
    for (let i = 0; i < attempts; i++) {
      const owner = workerOf(host, rng);
      const other = owner === host.libvirtdPid + 2 ? owner + 1 : owner - 1;
      // A second API call bumps into the migration job and names the domain; the owner thread then fails it.
      out.push(
        t,
        formatLibvirtdLine(
          t,
          other,
          'warning',
          'qemuDomainObjBeginJobInternal:1572',
          `Cannot start job (query, none) for domain ${tl.vm.domain}; current job is (async nested, migration out) owned by (${owner} remoteDispatchDomainMigratePerform3Params, ${owner} remoteDispatchDomainMigratePerform3Params) for (0s, ${rng.int(20, 90)}s)`,
        ),
      );
      const failAt = t + rng.int(5_000, 60_000);
      out.push(failAt, formatLibvirtdLine(failAt, owner, 'error', 'qemuMigrationCheckJobStatus:2641', 'operation failed: migration job: unexpectedly failed'));
      t = failAt + rng.int(60_000, 6 * 60_000);
    }
  }
}

function pushBusyLog(out: TimedLines, host: HostPlan, t: number, domain: string): void {
  out.push(t, formatLibvirtdLine(t, host.libvirtdPid, 'error', 'virNetClientProgramDispatchError:177', `Cannot open log file: '/var/log/libvirt/qemu/${domain}.log': Device or resource busy`));
}

function pushMonitorEof(out: TimedLines, host: HostPlan, t: number): void {
  out.push(t, formatLibvirtdLine(t, host.libvirtdPid, 'error', 'qemuMonitorIO:689', 'internal error: End of file from monitor'));
}

/** The scenario lines of one host's libvirtd.log, in time order. */
export function buildLibvirtdEvents(host: HostPlan, timelines: readonly VmTimeline[], rng: Rng): TimedLine[] {
  const out = new TimedLines();
  const first = host.libvirtdPid + 5;
  out.push(host.daemonStartMs, formatLibvirtdLine(host.daemonStartMs, first, 'info', '', `libvirt version: 1.3.1, package: ${LIBVIRT_PACKAGE}`));
  out.push(host.daemonStartMs, formatLibvirtdLine(host.daemonStartMs, first, 'info', '', `hostname: ${host.name}`));
  for (const tl of timelines) {
    pushMigrationFailures(out, host, tl, rng);
    for (const session of tl.sessions) {
      const end = session.end;
      // libvirt only logs a monitor EOF when qemu went away without being asked to.
      if (end?.reason === 'crashed') pushMonitorEof(out, host, end.atMs);
    }
    for (const session of tl.sessions.slice(1)) {
      if (rng.chance(0.5)) pushBusyLog(out, host, session.startMs - rng.int(50, 400), tl.vm.domain);
    }
    for (const c of tl.shutdowns) {
      if (!c.monitorEofNoise) continue;
      const t = c.shutdownMs + rng.int(1_000, 4_000);
      pushMonitorEof(out, host, t);
      pushBusyLog(out, host, t, tl.vm.domain);
    }
  }
  return out.sorted();
}

const NOISE: ReadonlyArray<(host: HostPlan, rng: Rng) => readonly [string, 'warning' | 'error', string]> = [
  () => ['virStorageBackendVolOpen:1535', 'warning', "ignoring permission error for '/media/vmpool/win7_test.img'"],
  () => ['virNetSocketReadWire:1613', 'error', 'End of file while reading data: Input/output error'],
  (_h, rng) => ['virKeepAliveTimerInternal:143', 'warning', `No response from client 0x${rng.hex(12)} after 6 keepalive messages in 35 seconds`],
  (_h, rng) => ['virNetDevGetLinkInfo:1864', 'error', `unable to read: /sys/class/net/vnet${rng.int(0, 15)}/operstate: No such file or directory`],
  () => ['virPCIGetVirtualFunctions:2698', 'warning', 'Failed to get list of virtual functions on PCI device'],
];

/**
 * Background lines, lazily and already in time order: `count` lines spread evenly over the window with
 * jitter, so a million-line bench corpus costs no memory.
 */
export function* generateLibvirtdNoise(plan: FleetPlan, host: HostPlan, count: number, rng: Rng): Generator<TimedLine> {
  const start = plan.options.startMs;
  const step = plan.options.durationMs / Math.max(count, 1);
  for (let i = 0; i < count; i++) {
    const t = Math.floor(start + (i + rng.next() * 0.98) * step);
    const [origin, level, message] = (rng.pick(NOISE))(host, rng);
    const thread = level === 'error' && origin.startsWith('virNetSocket') ? host.libvirtdPid : workerOf(host, rng);
    yield { t, seq: i, text: formatLibvirtdLine(t, thread, level, origin, message) };
  }
}

export function buildLibvirtdLines(plan: FleetPlan, host: HostPlan, timelines: readonly VmTimeline[], rng: Rng): Iterable<TimedLine> {
  const events = buildLibvirtdEvents(host, timelines, rng.fork('events'));
  const hours = plan.options.durationMs / 3_600_000;
  const wanted = plan.options.libvirtdLines;
  const noiseCount = wanted !== undefined ? Math.max(0, wanted - events.length) : Math.round(plan.options.noisePerHour * hours);
  return mergeTimed(events, generateLibvirtdNoise(plan, host, noiseCount, rng.fork('noise')));
}
