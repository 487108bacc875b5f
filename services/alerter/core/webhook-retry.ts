// Retry decisions for webhooks, apart from the I/O (Vector's retry.rs habit): a timeout, a network error,
// 408, 425, 429 and 5xx are worth another try; any other 4xx means the receiver refuses this payload and a
// retry would only repeat the refusal.

export type DeliveryOutcome = { readonly kind: 'status'; readonly status: number } | { readonly kind: 'network' } | { readonly kind: 'timeout' };

export type Decision = 'delivered' | 'retry' | 'give-up';

export function decideDelivery(outcome: DeliveryOutcome): Decision {
  if (outcome.kind !== 'status') return 'retry';
  const { status } = outcome;
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 425 || status === 429 || status >= 500) return 'retry';
  return 'give-up';
}

/**
 * Exponential backoff with "equal jitter": half the capped delay fixed, half random, so retries from many
 * alerters spread out without ever retrying immediately. `random` is injected (0 <= r < 1) to keep it pure.
 */
export function backoffDelayMs(attempt: number, initialMs: number, maxMs: number, random: number): number {
  const capped = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(capped / 2 + (capped / 2) * random);
}
