import type { SourceState } from '../event-draft.js';
import type { Sample, SampleTime } from './samples.js';

// What the domstats parser keeps per source between records: the sample being read (records may be single
// lines), the time of the last stamp, and the previous sample of every domain and of the host, since a rate
// needs two samples.

export interface VcpuCounters {
  readonly state?: number;
  readonly time?: bigint;
  readonly wait?: bigint;
  readonly delay?: bigint;
}

export interface PreviousDomain {
  readonly timeMs: number;
  readonly vcpus: ReadonlyMap<number, VcpuCounters>;
}

export interface HostCounters {
  readonly timeMs: number;
  readonly psiSomeTotalUs?: bigint;
  /** The aggregate `cpu` line of /proc/stat: total and non-busy jiffies, and steal. */
  readonly cpu?: { readonly total: bigint; readonly idle: bigint; readonly steal: bigint };
}

export interface DomstatsMemo {
  open?: Sample;
  stamp?: SampleTime;
  readonly domains: Map<string, PreviousDomain>;
  host?: HostCounters;
}

export function domstatsMemo(state: SourceState): DomstatsMemo {
  let memo = state.memo.domstats as DomstatsMemo | undefined;
  if (!memo) {
    memo = { domains: new Map() };
    state.memo.domstats = memo;
  }
  return memo;
}

/** Domains not sampled for this long are forgotten (destroyed or migrated away): the memo stays bounded. */
export const FORGET_DOMAIN_AFTER_MS = 60 * 60_000;

export function forgetStaleDomains(memo: DomstatsMemo, nowMs: number): void {
  for (const [name, previous] of memo.domains) if (previous.timeMs < nowMs - FORGET_DOMAIN_AFTER_MS) memo.domains.delete(name);
}
