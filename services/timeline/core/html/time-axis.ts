import { isoInZone, zoneOffsetAt, type Zone } from '../../../../shared/time.js';

// Ticks of the chart's time axis, at round local times of the chosen zone (so 13:00 in Asia/Shanghai, not
// 05:00 UTC shifted), about six to twelve of them whatever the range.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const STEPS = [1_000, 5_000, 15_000, 30_000, MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 30 * DAY];

export interface Tick {
  readonly ms: number;
  readonly label: string;
}

export function buildTicks(fromMs: number, toMs: number, zone: Zone, maxTicks = 12): Tick[] {
  const span = Math.max(1, toMs - fromMs);
  const step = STEPS.find((s) => span / s <= maxTicks) ?? STEPS[STEPS.length - 1]!;
  const ticks: Tick[] = [];
  const offsetMs = zoneOffsetAt(zone, fromMs) * MINUTE;
  // Align in local time; a daylight-saving change inside the range shifts later ticks by its size, which
  // keeps them on real instants (labels are computed per tick, so they stay right).
  let local = Math.ceil((fromMs + offsetMs) / step) * step;
  let previousDate = '';
  for (let i = 0; i < 200; i++) {
    const ms = local - offsetMs;
    if (ms > toMs) break;
    const iso = isoInZone(ms, zone);
    const date = iso.slice(0, 10);
    const time = step < MINUTE ? iso.slice(11, 19) : iso.slice(11, 16);
    ticks.push({ ms, label: step >= DAY ? date.slice(5) : date !== previousDate ? `${date.slice(5)} ${time}` : time });
    previousDate = date;
    local += step;
  }
  return ticks;
}
