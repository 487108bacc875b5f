import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isoUtc } from '../../shared/time.js';
import { FileSink, TimedLines, compareTimed, mergeTimed, writeTimedFile } from './line-sink.js';
import { createRng } from './prng.js';
import { planFleet } from './scenario.js';
import { buildVmTimeline, type VmTimeline } from './timeline.js';
import { buildLibvirtdLines } from './libvirtd-writer.js';
import { buildQemuLines } from './qemu-writer.js';
import { buildKernelLines } from './kernel-writer.js';
import { generateIostatLines, type IoStall } from './iostat-writer.js';
import { buildWinEventRecords } from './winevent-writer.js';
import { buildGeneratedWindbgReport, renderWindbgReport } from './windbg-writer.js';
import { ENTITY_BOMB_XML, TRUNCATED_EVENT, buildHostileLibvirtdLines, type HostileKind } from './hostile.js';
import type { FleetPlan, GeneratorOptions, HangPlan, HostPlan, TruthHang } from './types.js';

// Writes one corpus: an operator's collection, one folder per hypervisor (`<host>/var/log/...`, guest
// artefacts under `<host>/guests/<domain>/`), and truth.json saying what was injected, for precision/recall.

export interface WrittenFile {
  path: string;
  lines: number;
  bytes: number;
}

export interface Truth {
  generator: string;
  version: number;
  seed: number;
  window: { gte: string; lte: string };
  /** Set as the files' mtime; syslog lines have no year, and parsers infer it from this (DESIGN.md section 6). */
  referenceTime: string;
  zones: { hosts: string; guests: string };
  hosts: Array<{
    name: string;
    bootTime: string;
    vms: Array<{ domain: string; uuid: string; mac: string; computerName: string; hyperv: string[]; hypervStyle: string; locale: string; smp: string }>;
  }>;
  hangs: TruthHang[];
  cleanShutdowns: Array<{ hypervisor: string; domain: string; time: string; restartTime: string; monitorEofNoise: boolean }>;
  hostile: Array<{ path: string; kind: HostileKind }>;
  files: WrittenFile[];
}

const TOLERANCE_MS = { bugcheck: 5_000, 'hard-hang': 120_000, 'qemu-exit': 5_000, 'guest-panic': 5_000 } as const;

function truthHang(h: HangPlan, windbg: string | undefined): TruthHang {
  const out: TruthHang = { id: h.id, hypervisor: h.hypervisor, domain: h.domain, kind: h.kind, hangTime: isoUtc(h.hangMs), toleranceMs: TOLERANCE_MS[h.kind], cause: h.cause };
  if (h.bugcheck) {
    out.bugcheckCode = h.bugcheck.code;
    out.bugcheckParameters = [...h.bugcheck.parameters];
  }
  if (windbg) out.windbg = windbg;
  return out;
}

class CorpusWriter {
  readonly files: WrittenFile[] = [];
  readonly hostile: Truth['hostile'] = [];

  constructor(private readonly outDir: string) {}

  record(rel: string, stats: { lines: number; bytes: number }): void {
    this.files.push({ path: rel, lines: stats.lines, bytes: stats.bytes });
  }

  abs(rel: string): string {
    return join(this.outDir, rel);
  }

  writeText(rel: string, text: string): void {
    mkdirSync(join(this.abs(rel), '..'), { recursive: true });
    writeFileSync(this.abs(rel), text);
    this.record(rel, { lines: text.split('\n').length - 1, bytes: Buffer.byteLength(text) });
  }
}

function writeHost(w: CorpusWriter, plan: FleetPlan, host: HostPlan, hostIndex: number, windbgByHang: Map<string, string>): void {
  const o = plan.options;
  const rng = createRng(o.seed).fork(`files-${host.name}`);
  const timelines: VmTimeline[] = host.vms.map((_, i) => buildVmTimeline(plan, host, i));
  const logDir = `${host.name}/var/log`;

  let libvirtd = buildLibvirtdLines(plan, host, timelines, rng.fork('libvirtd'));
  if (o.hostile && hostIndex === 0) {
    const bad = new TimedLines();
    for (const r of buildHostileLibvirtdLines(o.startMs, o.durationMs, rng.fork('hostile'))) {
      bad.push(r.t, r.text);
      w.hostile.push({ path: `${logDir}/libvirt/libvirtd.log`, kind: r.kind });
    }
    libvirtd = mergeTimed(libvirtd, bad.sorted());
  }
  w.record(`${logDir}/libvirt/libvirtd.log`, writeTimedFile(w.abs(`${logDir}/libvirt/libvirtd.log`), libvirtd));

  for (const tl of timelines) {
    const rel = `${logDir}/libvirt/qemu/${tl.vm.domain}.log`;
    w.record(rel, writeTimedFile(w.abs(rel), buildQemuLines(plan, tl, rng.fork(`qemu-${tl.vm.domain}`))));
  }

  const kern = buildKernelLines(plan, host, timelines, rng.fork('kernel'));
  w.record(`${logDir}/kern.log`, writeTimedFile(w.abs(`${logDir}/kern.log`), kern.sort(compareTimed)));

  const stallRng = rng.fork('stalls');
  const stalls: IoStall[] = plan.hangs
    .filter((h) => h.hypervisor === host.name && h.cause === 'host-io-stall')
    .map((h) => ({ fromMs: h.hangMs - stallRng.int(8, 15) * 60_000, toMs: h.hangMs + 2 * 60_000 }));
  const iostat = new FileSink(w.abs(`${logDir}/iostat.log`));
  for (const line of generateIostatLines(plan, host, stalls, rng.fork('iostat'))) iostat.writeLine(line);
  iostat.close();
  w.record(`${logDir}/iostat.log`, iostat);

  for (const tl of timelines) {
    const guestDir = `${host.name}/guests/${tl.vm.domain}`;
    const records = buildWinEventRecords(plan, tl, rng.fork(`winevent-${tl.vm.domain}`));
    if (o.hostile && hostIndex === 0 && tl.vmIndex === 0) {
      records.splice(Math.floor(records.length / 2), 0, TRUNCATED_EVENT);
      w.hostile.push({ path: `${guestDir}/System.xml`, kind: 'malformed-xml' });
      w.writeText(`${guestDir}/entity-bomb.xml`, ENTITY_BOMB_XML);
      w.hostile.push({ path: `${guestDir}/entity-bomb.xml`, kind: 'xml-entity' });
    }
    w.writeText(`${guestDir}/System.xml`, records.map((r) => `${r}${o.guestNewline}`).join(''));
    writeWindbg(w, plan, tl, guestDir, rng.fork(`windbg-${tl.vm.domain}`), windbgByHang);
  }
}

/** Only the last bugcheck has a dump: Windows overwrites MEMORY.DMP. */
function writeWindbg(w: CorpusWriter, plan: FleetPlan, tl: VmTimeline, guestDir: string, rng: ReturnType<typeof createRng>, windbgByHang: Map<string, string>): void {
  const boot = [...tl.boots].reverse().find((b) => b.hang?.bugcheck);
  const hang = boot?.hang;
  if (!boot || !hang?.bugcheck || boot.previousBootMs === undefined) return;
  const report = buildGeneratedWindbgReport({
    crashUtcMs: hang.hangMs,
    uptimeMs: hang.hangMs - boot.previousBootMs,
    zone: plan.guestZone,
    parameters: hang.bugcheck.parameters,
    newline: plan.options.guestNewline,
    frame: () => `8d3${rng.hex(5)}`,
  });
  const rel = `${guestDir}/windbg-analyze.txt`;
  w.writeText(rel, renderWindbgReport(report));
  windbgByHang.set(hang.id, rel);
}

export function generateCorpus(outDir: string, options: GeneratorOptions): Truth {
  const plan = planFleet(options);
  const w = new CorpusWriter(outDir);
  mkdirSync(outDir, { recursive: true });
  const windbgByHang = new Map<string, string>();
  plan.hosts.forEach((host, i) => writeHost(w, plan, host, i, windbgByHang));
  const truth: Truth = {
    generator: 'hangwatch test/generator',
    version: 1,
    seed: options.seed,
    window: { gte: isoUtc(options.startMs), lte: isoUtc(plan.endMs) },
    referenceTime: isoUtc(plan.endMs),
    zones: { hosts: options.hostZone, guests: options.guestZone },
    hosts: plan.hosts.map((h) => ({
      name: h.name,
      bootTime: isoUtc(h.bootMs),
      vms: h.vms.map((vm) => ({
        domain: vm.domain,
        uuid: vm.uuid,
        mac: vm.mac,
        computerName: vm.computerName,
        hyperv: vm.hyperv,
        hypervStyle: vm.hypervStyle,
        locale: vm.locale,
        smp: `${vm.smp.cpus},sockets=${vm.smp.sockets},cores=${vm.smp.cores},threads=${vm.smp.threads}`,
      })),
    })),
    hangs: plan.hangs.map((h) => truthHang(h, windbgByHang.get(h.id))),
    cleanShutdowns: plan.cleanShutdowns.map((c) => ({
      hypervisor: c.hypervisor,
      domain: c.domain,
      time: isoUtc(c.shutdownMs),
      restartTime: isoUtc(c.restartMs),
      monitorEofNoise: c.monitorEofNoise,
    })),
    hostile: w.hostile,
    files: [...w.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
  };
  writeFileSync(join(outDir, 'truth.json'), `${JSON.stringify(truth, null, 2)}\n`);
  const mtime = new Date(plan.endMs);
  for (const f of w.files) utimesSync(join(outDir, f.path), mtime, mtime);
  return truth;
}
