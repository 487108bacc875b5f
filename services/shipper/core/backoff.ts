// Retry waits while Kafka is unreachable: exponential with full jitter (kafkajs src/retry/index.js and the AWS
// architecture note "Exponential Backoff And Jitter"), so a fleet of shippers does not reconnect in lockstep
// after a broker restart. `random` is passed in to keep this pure.

export function backoffMs(attempt: number, initialMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  // Half fixed, half random: never zero (no busy loop), never above the ceiling.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
