import type { Framing } from './framing.js';

// What to do next with one tailed file, decided from what was observed (issue 4: rotation by rename, copytruncate,
// deletion, growth). Pure: the adapter stats its open descriptor and the watched path, then acts on the answer.
// This is the logic Filebeat spreads over its harvester and registry; here it is one function tested without a
// filesystem (test/unit/shipper/tail-decision.test.ts).

export interface TailObservation {
  /** Size of the inode held open (fstat of the descriptor): still readable after a rename or unlink. */
  readonly size: number;
  /** Whether a watched path still leads to this inode; false once it was renamed away or deleted. */
  readonly reachable: boolean;
  /** Whether the first bytes still hash to the file's fingerprint; undefined when there is none yet. */
  readonly headMatches: boolean | undefined;
  readonly now: number;
}

export interface TailState {
  /** Next byte to read. */
  readonly readOffset: number;
  /** When the file last gave new bytes (or was opened). */
  readonly lastGrowthAt: number;
  readonly hasFingerprint: boolean;
  /** The framer holds bytes of an unfinished record. */
  readonly buffered: boolean;
  readonly framing: Framing;
}

export interface TailPolicy {
  readonly rotatedGraceMs: number;
  readonly flushTimeoutMs: number;
  /** `ship --once`: what exists is all there will be. */
  readonly final: boolean;
}

export type TailAction =
  /** Shrunk or rewritten in place (copytruncate): read again from 0 under a new fingerprint. */
  | { readonly kind: 'truncated' }
  /** Compute the fingerprint; `complete` allows a head without a newline (nothing more will come soon). */
  | { readonly kind: 'fingerprint'; readonly complete: boolean }
  | { readonly kind: 'read' }
  /** Emit the buffered unfinished record (a WinDbg report whose file stopped growing, or the end in --once). */
  | { readonly kind: 'flush' }
  /** Renamed away or deleted and drained: emit what is buffered, close, forget. */
  | { readonly kind: 'close' }
  | { readonly kind: 'wait' };

export function decideTail(state: TailState, seen: TailObservation, policy: TailPolicy): TailAction {
  if (seen.size < state.readOffset || seen.headMatches === false) return { kind: 'truncated' };
  const idleMs = seen.now - state.lastGrowthAt;
  const settled = policy.final || !seen.reachable || idleMs >= policy.flushTimeoutMs;
  if (!state.hasFingerprint) {
    if (seen.size > 0) return { kind: 'fingerprint', complete: settled };
    return !seen.reachable && (policy.final || idleMs >= policy.rotatedGraceMs) ? { kind: 'close' } : { kind: 'wait' };
  }
  if (seen.size > state.readOffset) return { kind: 'read' };
  if (!seen.reachable && (policy.final || idleMs >= policy.rotatedGraceMs)) return { kind: 'close' };
  if (state.buffered && (policy.final || (state.framing === 'document' && idleMs >= policy.flushTimeoutMs))) return { kind: 'flush' };
  return { kind: 'wait' };
}
