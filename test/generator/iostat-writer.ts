import type { Rng } from './prng.js';
import { formatIostatIsoTime, formatIostatUsTime, pad, wallClock } from './time-format.js';
import type { FleetPlan, HostPlan } from './types.js';

// `iostat -x -t <interval>` of sysstat 11.2 (Ubuntu 16.04), as an operator leaves it running into a file:
// one banner, then per interval the -t timestamp, avg-cpu, and the extended device table with sysstat's
// printf widths (%-13s name, %8.2f rrqm/s wrqm/s, %7.2f r/s w/s, ...). S_TIME_FORMAT=ISO gives
// `2017-03-15T13:05:01+0800`; an en_US locale gives `03/15/2017 01:05:01 PM`.

const DEVICES = ['sda', 'sdb', 'sdc', 'sdd'] as const;
export const IOSTAT_DEVICE_HEADER =
  'Device:         rrqm/s   wrqm/s     r/s     w/s    rkB/s    wkB/s avgrq-sz avgqu-sz   await r_await w_await  svctm  %util';

interface DeviceSample {
  rrqm: number;
  wrqm: number;
  r: number;
  w: number;
  rkb: number;
  wkb: number;
  avgqu: number;
  rAwait: number;
  wAwait: number;
  svctm: number;
  util: number;
}

/** A stalled window on a host: the data disks answer in seconds and stay 100% busy. */
export interface IoStall {
  fromMs: number;
  toMs: number;
}

function sampleDevice(rng: Rng, ssd: boolean, stalled: boolean): DeviceSample {
  if (stalled && !ssd) {
    const r = rng.float(0.5, 6);
    const w = rng.float(1, 12);
    return { rrqm: 0, wrqm: rng.float(0, 3), r, w, rkb: r * rng.float(4, 64), wkb: w * rng.float(4, 128), avgqu: rng.float(40, 160), rAwait: rng.float(900, 6000), wAwait: rng.float(1500, 9000), svctm: rng.float(60, 300), util: rng.float(99.2, 100) };
  }
  const r = rng.float(0, ssd ? 25 : 6);
  const w = rng.float(0.5, ssd ? 60 : 14);
  const rAwait = r === 0 ? 0 : rng.float(ssd ? 0.1 : 2, ssd ? 1.5 : 12);
  const wAwait = rng.float(ssd ? 0.2 : 1, ssd ? 2.5 : 18);
  return { rrqm: rng.float(0, 0.5), wrqm: rng.float(0, 8), r, w, rkb: r * rng.float(4, 64), wkb: w * rng.float(4, 32), avgqu: rng.float(0, ssd ? 0.2 : 0.6), rAwait, wAwait, svctm: rng.float(0.05, ssd ? 0.4 : 4), util: rng.float(0.1, ssd ? 4 : 18) };
}

const f = (width: number, v: number): string => v.toFixed(2).padStart(width, ' ');

export function formatDeviceRow(name: string, s: DeviceSample): string {
  const ios = s.r + s.w;
  const avgrq = ios === 0 ? 0 : ((s.rkb + s.wkb) * 2) / ios;
  const await_ = ios === 0 ? 0 : (s.r * s.rAwait + s.w * s.wAwait) / ios;
  return `${name.padEnd(13, ' ')} ${f(8, s.rrqm)} ${f(8, s.wrqm)} ${f(7, s.r)} ${f(7, s.w)} ${f(8, s.rkb)} ${f(8, s.wkb)} ${f(8, avgrq)} ${f(8, s.avgqu)} ${f(7, await_)} ${f(7, s.rAwait)} ${f(7, s.wAwait)} ${f(6, s.svctm)} ${f(6, s.util)}`;
}

export function formatAvgCpu(user: number, system: number, iowait: number, steal = 0): string[] {
  const idle = Math.max(0, 100 - user - system - iowait - steal);
  return ['avg-cpu:  %user   %nice %system %iowait  %steal   %idle', `${f(15, user)} ${f(7, 0)} ${f(7, system)} ${f(7, iowait)} ${f(7, steal)} ${f(7, idle)}`];
}

export function* generateIostatLines(plan: FleetPlan, host: HostPlan, stalls: readonly IoStall[], rng: Rng): Generator<string> {
  const o = plan.options;
  const z = plan.hostZone;
  const day = wallClock(o.startMs, z);
  const date = o.iostatTimeFormat === 'iso' ? `${day.year}-${pad(day.month)}-${pad(day.day)}` : `${pad(day.month)}/${pad(day.day)}/${day.year}`;
  yield `Linux ${'4.4.0-66-generic'} (${host.name}) \t${date} \t_x86_64_\t(32 CPU)`;
  yield '';
  const step = o.iostatIntervalS * 1000;
  for (let t = o.startMs; t <= plan.endMs; t += step) {
    const stalled = stalls.some((s) => t > s.fromMs && t - step < s.toMs);
    yield o.iostatTimeFormat === 'iso' ? formatIostatIsoTime(t, z) : formatIostatUsTime(t, z);
    yield* formatAvgCpu(rng.float(1, 6), rng.float(0.5, 3), stalled ? rng.float(18, 40) : rng.float(0, 1.2));
    yield '';
    yield IOSTAT_DEVICE_HEADER;
    for (const [i, d] of DEVICES.entries()) yield formatDeviceRow(d, sampleDevice(rng, i === 0, stalled));
    yield '';
  }
}
