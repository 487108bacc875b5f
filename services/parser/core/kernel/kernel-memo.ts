import type { SourceState } from '../event-draft.js';

// What the kernel parser learns about one source (host + path) between its lines.

export interface KernelMemo {
  /** Boot time (epoch ms) learned from a line with both a wall clock and an uptime, or a dmesg -T pair. */
  bootMs?: number;
  /** Last dmesg uptime line: pairs with a following `dmesg -T` line of the same message; detects reboots. */
  lastUptime?: { readonly ms: number; readonly message: string };
  /** Last `dmesg -T` line: pairs with a following uptime line of the same message. */
  lastWall?: { readonly ms: number; readonly message: string };
}

export function kernelMemo(state: SourceState): KernelMemo {
  let memo = state.memo.kernel as KernelMemo | undefined;
  if (!memo) {
    memo = {};
    state.memo.kernel = memo;
  }
  return memo;
}
