// Heartbeats from inside a consumer's batch loop. kafkajs sends a member's heartbeat only when the code calls
// heartbeat() (or between fetches), so a batch whose records are processed synchronously for longer than the
// session timeout (30 s) costs the member its place in the group: its commit is refused with "The coordinator is
// not aware of this member" and kafkajs gives up the consumer. Seen in the full fault suite: a correlator batch of
// 17,621 events took 36 s on a loaded machine. kafkajs throttles heartbeat() to the heartbeat interval itself;
// this only keeps the loop from awaiting it per record.

export const KEEP_ALIVE_EVERY_MS = 1_000;

/** Returns a function to call once per record: a heartbeat promise when one is due, undefined otherwise. */
export function batchKeepAlive(heartbeat: () => Promise<void>, everyMs = KEEP_ALIVE_EVERY_MS, now: () => number = Date.now): () => Promise<void> | undefined {
  let last = now();
  return () => {
    const at = now();
    if (at - last < everyMs) return undefined;
    last = at;
    return heartbeat();
  };
}

/** Protocol errors after which kafkajs's runner joins the group again (the member was dropped or the group moved on). */
const REJOIN_TYPES = new Set(['UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION']);

/**
 * kafkajs wraps a refused commit ("The coordinator is not aware of this member") in a KafkaJSNonRetriableError,
 * and its runner treats that as a crash it does not restart from: the service would exit. The protocol error
 * itself makes the runner join the group again and fetch from the last commit (at-least-once; ids are
 * deterministic). Any other error passes unchanged.
 */
export function membershipErrorOf(error: unknown): unknown {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    if (REJOIN_TYPES.has(String((current as { type?: unknown }).type))) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return error;
}

/** An eachBatch handler whose loss of group membership makes kafkajs rejoin instead of crashing. */
export function rejoiningOnMembershipLoss<P>(handler: (payload: P) => Promise<void>): (payload: P) => Promise<void> {
  return (payload) =>
    handler(payload).catch((error: unknown) => {
      throw membershipErrorOf(error);
    });
}
