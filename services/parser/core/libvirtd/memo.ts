import type { Zone } from '../../../../shared/time.js';
import type { SourceState } from '../event-draft.js';
import type { JobLockNote } from './job-lock.js';

// What the libvirtd parser keeps between the records of one source (SourceState.memo): the record before (a
// continuation line belongs to it), the UTC offset each host's syslog prefixes showed, the `systemctl status` unit being
// described, and the recent job-lock lines that named their domain.

export interface LastRecord {
  readonly host?: string;
  readonly program?: string;
  readonly pid?: number;
}

export interface LibvirtdMemo {
  /** The previous record of the source, when it was one (undefined after markers and status header lines). */
  last?: LastRecord;
  /** Per syslog host field (a central syslog file mixes hosts): the UTC offset its prefixes showed. */
  learnedZones?: Map<string, Zone>;
  statusUnit?: string;
  jobLocks?: JobLockNote[];
}

const KEY = 'libvirtd';

export function memoOf(state: SourceState): LibvirtdMemo {
  let memo = state.memo[KEY] as LibvirtdMemo | undefined;
  if (!memo) {
    memo = {};
    state.memo[KEY] = memo;
  }
  return memo;
}
