import type { TimeBasis } from '../../../../shared/vocabulary.js';

// One sample as read from the lines of a record (or of several single-line records): a domain's stats block, or
// the host's CPU files. Counters stay text until the rates are computed (they pass 2^53).

export interface SampleTime {
  readonly ms: number;
  readonly basis: TimeBasis;
  /** The zone a local stamp was read in. */
  readonly zone?: string;
}

export interface DomainSample {
  readonly kind: 'domain';
  readonly name: string;
  readonly time: SampleTime;
  readonly stats: Map<string, string>;
}

export interface HostSample {
  readonly kind: 'host';
  readonly time: SampleTime;
  pressure: { some?: Readonly<Record<string, number>>; full?: Readonly<Record<string, number>> };
  /** /proc/stat lines by label (`cpu`, `cpu0`, `procs_running`, ...). */
  readonly proc: Map<string, readonly string[]>;
  loadavg?: { readonly load1: number; readonly running: number; readonly total: number };
}

export type Sample = DomainSample | HostSample;
