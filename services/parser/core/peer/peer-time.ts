import { isoUtc } from '../../../../shared/time.js';

// Peers write their read time as RFC 3339 with any offset and up to nanoseconds (Vector), or milliseconds UTC
// (Beats). Normalized to our ISO UTC with milliseconds; unreadable times fall back to the Kafka timestamp.

export function peerTimeMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text.trim());
  return Number.isFinite(ms) ? ms : undefined;
}

export function peerTimeIso(text: string | undefined, fallbackMs: number): string {
  return isoUtc(peerTimeMs(text) ?? fallbackMs);
}
