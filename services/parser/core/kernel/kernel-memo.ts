import type { YearBasis } from '../../../../shared/vocabulary.js';
import type { SourceState } from '../event-draft.js';
import type { ResolvedTime } from './resolve-time.js';

// What the kernel parser learns about one source (host + path) between its lines.

export interface KernelMemo {
  /** Boot time (epoch ms) learned from a line with both a wall clock and an uptime, a dmesg -T pair, an audit stamp. */
  bootMs?: number;
  /** The year rule behind bootMs when it came from a year-less stamp (uptime-dated lines carry it on). */
  bootYear?: YearBasis;
  /** Last dmesg uptime line: pairs with a following `dmesg -T` line of the same message; detects reboots. */
  lastUptime?: { readonly ms: number; readonly message: string };
  /** Last `dmesg -T` line: pairs with a following uptime line of the same message. */
  lastWall?: { readonly ms: number; readonly message: string };
  /** The year rule behind the last line's time, for the lines that inherit it. */
  lastYear?: YearBasis;
  /**
   * A full date of this host found in the source itself (a journalctl header, a program's own ISO stamp inside
   * its syslog line, a kernel audit stamp): year-less stamps of the source take their year from it.
   */
  datedMs?: number;
  /** A `Message from syslogd@host at ...` broadcast: the host its following lines belong to, and its time. */
  wall?: { readonly host: string; readonly time: ResolvedTime; pending: boolean };
}

export function kernelMemo(state: SourceState): KernelMemo {
  let memo = state.memo.kernel as KernelMemo | undefined;
  if (!memo) {
    memo = {};
    state.memo.kernel = memo;
  }
  return memo;
}
