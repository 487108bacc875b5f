import { isoUtc } from '../../../shared/time.js';

// Pure part of the host metrics sampler (issue 15): turns one sampling round's raw outputs into records the
// `domstats` grammar (grammars/virsh-domstats.ne) reads. Every record starts with the round's UTC time, taken
// before the commands ran, so rates use the sampling instant and not when the shipper got around to the text.
// `virsh domstats` output is cut into one record per `Domain:` block: a host with hundreds of domains never
// makes a record near the size limit, and one damaged block dead-letters alone.

export type HostMetricsKind = 'domstats' | 'host-cpu';

export function splitDomstatsBlocks(stdout: string): string[] {
  const blocks: string[] = [];
  for (const part of stdout.replace(/\r\n/g, '\n').split(/^(?=Domain: ')/m)) {
    const block = part.trimEnd();
    if (block.startsWith("Domain: '")) blocks.push(block);
  }
  return blocks;
}

export function buildDomstatsRecords(sampledMs: number, stdout: string): string[] {
  const stamp = isoUtc(sampledMs);
  return splitDomstatsBlocks(stdout).map((block) => `${stamp}\n${block}`);
}

/** /proc/stat lines the grammar reads: the `cpu` lines and the run-queue counters (not intr/softirq, long). */
function keepStatLines(stat: string): string {
  return stat
    .split('\n')
    .filter((l) => /^(cpu\d*|procs_running|procs_blocked)[ \t]/.test(l))
    .join('\n');
}

export interface ProcCpuFiles {
  /** /proc/pressure/cpu; absent on kernels < 4.20 or with PSI off (RHEL 8 without psi=1). */
  readonly pressure?: string;
  readonly stat?: string;
  readonly loadavg?: string;
}

/** One host record in `head`'s multi-file layout, or undefined when no file could be read. */
export function buildHostCpuRecord(sampledMs: number, files: ProcCpuFiles): string | undefined {
  const sections: string[] = [];
  if (files.pressure?.trim()) sections.push(`==> /proc/pressure/cpu <==\n${files.pressure.trim()}`);
  if (files.stat?.trim()) sections.push(`==> /proc/stat <==\n${keepStatLines(files.stat)}`);
  if (files.loadavg?.trim()) sections.push(`==> /proc/loadavg <==\n${files.loadavg.trim()}`);
  if (sections.length === 0) return undefined;
  return `${isoUtc(sampledMs)}\n${sections.join('\n')}`;
}
