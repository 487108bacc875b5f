import { HangwatchError } from '../../shared/errors.js';
import { parseZone } from '../../shared/time.js';
import { createRng, type Rng } from './prng.js';
import {
  HANG_CAUSES,
  KIND_OF_CAUSE,
  type CleanShutdownPlan,
  type FleetPlan,
  type GeneratorOptions,
  type HangPlan,
  type HangRequest,
  type HostPlan,
  type HypervStyle,
  type VmPlan,
} from './types.js';

// The planner: decides hosts, VMs and when each injected hang and clean shutdown happens, before any file is
// written, so every writer renders the same story and truth.json can be derived from the plan alone.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Two hangs on one host stay this far apart, so host-wide evidence (soft lockups, I/O stalls) is unambiguous. */
const HOST_HANG_SPACING_MS = 2 * HOUR;
/** Any two lifecycle changes of one VM stay this far apart. */
const VM_SPACING_MS = 90 * MINUTE;
/** Hangs sit this far inside the window, so evidence before and recovery after are both in the files. */
const EDGE_MS = 90 * MINUTE;

const HYPERV_PATTERN: readonly HypervStyle[] = ['none', 'libvirt-hyperv', 'none', 'qemu-commandline'];
const SMP_CHOICES = [
  { cpus: 2, sockets: 1, cores: 2, threads: 1 },
  { cpus: 2, sockets: 2, cores: 1, threads: 1 },
] as const;

function buildUuid(rng: Rng): string {
  const h = rng.hex(32);
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function buildMac(rng: Rng): string {
  return `52:54:00:${rng.hex(2)}:${rng.hex(2)}:${rng.hex(2)}`;
}

function enlightenmentsOf(style: HypervStyle): string[] {
  return style === 'none' ? [] : ['time', 'relaxed', 'vapic', 'spinlocks'];
}

function planHosts(options: GeneratorOptions, rng: Rng): HostPlan[] {
  const hosts: HostPlan[] = [];
  for (let i = 0; i < options.hosts; i++) {
    const hr = rng.fork(`host-${i}`);
    const bootMs = options.startMs - hr.int(2, 40) * 86_400_000 - hr.int(0, 86_399) * 1000 - hr.int(0, 999);
    const daemonStartMs = bootMs + hr.int(15_000, 40_000);
    const host: HostPlan = { name: `sc${i + 1}`, libvirtdPid: hr.int(1200, 28_000), bootMs, daemonStartMs, vms: [] };
    for (let j = 0; j < options.vmsPerHost; j++) {
      const global = i * options.vmsPerHost + j;
      const vr = hr.fork(`vm-${j}`);
      const domain = `vm${101 + global}`;
      const style = HYPERV_PATTERN[j % HYPERV_PATTERN.length] as HypervStyle;
      const earliest = daemonStartMs + MINUTE;
      const initialStartMs = Math.max(earliest, options.startMs - vr.int(2 * HOUR, 72 * HOUR));
      const vm: VmPlan = {
        domain,
        uuid: buildUuid(vr),
        mac: buildMac(vr),
        computerName: `WIN7-${domain.toUpperCase()}`,
        hypervStyle: style,
        hyperv: enlightenmentsOf(style),
        smp: { ...vr.pick(SMP_CHOICES) },
        spicePort: 5900 + j,
        diskIndex: 101 + global,
        locale: options.guestLocales[global % options.guestLocales.length] ?? 'zh-CN',
        firstRecordId: vr.int(4000, 60_000),
        initialStartMs,
      };
      host.vms.push(vm);
    }
    hosts.push(host);
  }
  return hosts;
}

function fitsCause(cause: HangRequest['cause'], vm: VmPlan): boolean {
  if (cause === 'missing-hyperv-enlightenments') return vm.hyperv.length === 0;
  if (cause === 'host-soft-lockup') return vm.hyperv.includes('relaxed');
  return true;
}

interface Occupancy {
  byHost: Map<string, number[]>;
  byVm: Map<string, number[]>;
}

function isFree(occ: Occupancy, host: string, domain: string, t: number, hostWide: boolean): boolean {
  const nearHost = (occ.byHost.get(host) ?? []).some((x) => Math.abs(x - t) < HOST_HANG_SPACING_MS);
  const nearVm = (occ.byVm.get(`${host}/${domain}`) ?? []).some((x) => Math.abs(x - t) < VM_SPACING_MS);
  return !nearVm && (!hostWide || !nearHost);
}

function occupy(occ: Occupancy, host: string, domain: string, t: number, hostWide: boolean): void {
  if (hostWide) occ.byHost.set(host, [...(occ.byHost.get(host) ?? []), t]);
  const key = `${host}/${domain}`;
  occ.byVm.set(key, [...(occ.byVm.get(key) ?? []), t]);
}

function pickSlot(
  rng: Rng,
  options: GeneratorOptions,
  occ: Occupancy,
  candidates: ReadonlyArray<{ host: HostPlan; vm: VmPlan }>,
  at: number | undefined,
  hostWide: boolean,
): { host: HostPlan; vm: VmPlan; t: number } | undefined {
  const span = options.durationMs - 2 * EDGE_MS;
  for (let attempt = 0; attempt < 400; attempt++) {
    const c = rng.pick(candidates);
    const t = at ?? options.startMs + EDGE_MS + Math.floor(rng.next() * span);
    if (isFree(occ, c.host.name, c.vm.domain, t, hostWide)) return { ...c, t };
  }
  return undefined;
}

function buildHang(id: string, request: HangRequest, host: HostPlan, vm: VmPlan, t: number, rng: Rng): HangPlan {
  const kind = KIND_OF_CAUSE[request.cause];
  const lastAliveMs = Math.floor((t - rng.int(0, 59_000)) / 1000) * 1000;
  const base = { id, cause: request.cause, kind, hypervisor: host.name, domain: vm.domain, hangMs: t, lastAliveMs };
  if (kind === 'bugcheck') {
    // Windows writes the dump and restarts by itself: the qemu process never stops.
    return {
      ...base,
      bootMs: t + rng.int(70_000, 150_000),
      bugcheck: { code: '0x00000101', parameters: ['0x61', '0x0', '0x807a3120', '0x1'] },
    };
  }
  if (kind === 'qemu-exit') {
    const restartMs = t + rng.int(3 * MINUTE, 20 * MINUTE);
    return { ...base, restartMs, bootMs: restartMs + rng.int(25_000, 40_000) };
  }
  // A frozen guest stays frozen until someone destroys it (virsh destroy: SIGTERM from libvirtd).
  const destroyMs = t + rng.int(4 * MINUTE, 25 * MINUTE);
  const restartMs = destroyMs + rng.int(20_000, 120_000);
  return { ...base, destroyMs, restartMs, bootMs: restartMs + rng.int(25_000, 40_000) };
}

function hangRequests(options: GeneratorOptions): HangRequest[] {
  if (typeof options.hangs !== 'number') return [...options.hangs];
  return Array.from({ length: options.hangs }, (_, i) => ({ cause: HANG_CAUSES[i % HANG_CAUSES.length] as HangRequest['cause'] }));
}

function validateOptions(options: GeneratorOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(options.seed)) problems.push('seed must be an integer');
  if (!(options.hosts >= 1 && options.hosts <= 500)) problems.push('hosts must be 1..500');
  if (!(options.vmsPerHost >= 1 && options.vmsPerHost <= 200)) problems.push('vms per host must be 1..200');
  if (!(options.durationMs >= 4 * EDGE_MS)) problems.push(`duration must be at least ${(4 * EDGE_MS) / HOUR} hours`);
  if (!(options.noisePerHour >= 0)) problems.push('noise per hour must be >= 0');
  if (!(options.iostatIntervalS >= 1)) problems.push('iostat interval must be >= 1 s');
  if (options.guestLocales.length === 0) problems.push('at least one guest locale');
  if (problems.length > 0) throw new HangwatchError('HW_USAGE', [problems.join('; ')]);
}

export function planFleet(options: GeneratorOptions): FleetPlan {
  validateOptions(options);
  const rng = createRng(options.seed).fork('plan');
  const hosts = planHosts(options, rng);
  const all = hosts.flatMap((host) => host.vms.map((vm) => ({ host, vm })));
  const occ: Occupancy = { byHost: new Map(), byVm: new Map() };
  const hangs: HangPlan[] = [];
  const bugchecked = new Set<string>();
  hangRequests(options).forEach((request, index) => {
    const hr = rng.fork(`hang-${index}`);
    // At most one bugcheck per VM: Windows overwrites MEMORY.DMP, so only one WinDbg report can exist.
    const candidates = all.filter(
      ({ host, vm }) =>
        fitsCause(request.cause, vm) &&
        (request.hypervisor === undefined || request.hypervisor === host.name) &&
        (request.domain === undefined || request.domain === vm.domain) &&
        !(KIND_OF_CAUSE[request.cause] === 'bugcheck' && bugchecked.has(`${host.name}/${vm.domain}`)),
    );
    const slot = candidates.length > 0 ? pickSlot(hr, options, occ, candidates, request.at, true) : undefined;
    if (!slot) throw new HangwatchError('HW_USAGE', [`no room for hang ${index + 1} (${request.cause}): add hosts, VMs or duration`]);
    occupy(occ, slot.host.name, slot.vm.domain, slot.t, true);
    if (KIND_OF_CAUSE[request.cause] === 'bugcheck') bugchecked.add(`${slot.host.name}/${slot.vm.domain}`);
    hangs.push(buildHang(`hang-${index + 1}`, request, slot.host, slot.vm, slot.t, hr));
  });
  const cleanShutdowns: CleanShutdownPlan[] = [];
  for (let i = 0; i < options.cleanShutdowns; i++) {
    const cr = rng.fork(`clean-${i}`);
    const slot = pickSlot(cr, options, occ, all, undefined, false);
    if (!slot) throw new HangwatchError('HW_USAGE', [`no room for clean shutdown ${i + 1}`]);
    occupy(occ, slot.host.name, slot.vm.domain, slot.t, false);
    cleanShutdowns.push({
      hypervisor: slot.host.name,
      domain: slot.vm.domain,
      shutdownMs: slot.t,
      restartMs: slot.t + cr.int(2 * MINUTE, 30 * MINUTE),
      monitorEofNoise: cr.chance(0.5),
    });
  }
  hangs.sort((a, b) => a.hangMs - b.hangMs);
  cleanShutdowns.sort((a, b) => a.shutdownMs - b.shutdownMs);
  return {
    options,
    guestZone: parseZone(options.guestZone),
    hostZone: parseZone(options.hostZone),
    endMs: options.startMs + options.durationMs,
    hosts,
    hangs,
    cleanShutdowns,
  };
}
