// Durations in rule files are written with their unit (`15m`, `24h`, `7d`), never as bare numbers, so a
// reader never has to guess whether `900` meant seconds or milliseconds.

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_RE = /^(\d+)(ms|s|m|h|d)$/;

/** `15m` -> 900000; undefined when the text is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const match = DURATION_RE.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

/** 86400000 -> `24h`, 604800000 -> `7d`: the largest unit that divides it exactly, for messages and listings. */
export function formatDurationMs(ms: number): string {
  // Days only from two on: people say "24h" for a day-long window, "7d" for a week.
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit] as number;
    if (ms >= (unit === 'd' ? 2 * size : size) && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
