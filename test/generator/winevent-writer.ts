import type { Zone } from '../../shared/time.js';
import type { Rng } from './prng.js';
import { formatLocaleTimeDate, formatSystemTimeHex, formatWinSystemTime, wallClock, type GuestLocale } from './time-format.js';
import type { FleetPlan, HangPlan, VmPlan } from './types.js';
import type { GuestBoot, VmTimeline } from './timeline.js';

// The guest's System log as `wevtutil qe System /f:xml` prints it on Windows 7: <Event> elements one after
// another (no root), single-quoted attributes, SystemTime in UTC with nine fraction digits. Classic EventLog
// records (6005/6006/6008/6009/6013) carry Qualifiers and unnamed <Data>; manifest providers (Kernel-Power 41,
// WER 1001, Service Control Manager 7036, User32 1074) carry named <Data>. 6008 writes the previous shutdown's
// local time and date as locale text plus two SYSTEMTIMEs (local, UTC) in <Binary>.

const NS = 'http://schemas.microsoft.com/win/2004/08/events/event';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');
}

interface GuestRecord {
  t: number;
  seq: number;
  render: (recordId: number) => string;
}

interface SystemHeader {
  provider: string;
  eventId: number;
  qualifiers?: number;
  /** Manifest-based providers print Version/Opcode/Correlation/Execution; classic EventLog records do not. */
  manifest?: { guid: string; sourceName?: string; version: number; task: number; pid: number; tid: number; userId?: string };
  level: number;
  keywords: string;
  task?: number;
}

function renderEvent(h: SystemHeader, t: number, recordId: number, computer: string, eventData: string): string {
  const time = formatWinSystemTime(t).text;
  const id = h.qualifiers === undefined ? `<EventID>${h.eventId}</EventID>` : `<EventID Qualifiers='${h.qualifiers}'>${h.eventId}</EventID>`;
  const m = h.manifest;
  const provider = m
    ? `<Provider Name='${h.provider}' Guid='${m.guid}'${m.sourceName ? ` EventSourceName='${m.sourceName}'` : ''}/>`
    : `<Provider Name='${h.provider}'/>`;
  const mid = m ? `<Version>${m.version}</Version><Level>${h.level}</Level><Task>${m.task}</Task><Opcode>0</Opcode>` : `<Level>${h.level}</Level><Task>${h.task ?? 0}</Task>`;
  const tail = m
    ? `<EventRecordID>${recordId}</EventRecordID><Correlation/><Execution ProcessID='${m.pid}' ThreadID='${m.tid}'/><Channel>System</Channel><Computer>${escapeXml(computer)}</Computer>${m.userId ? `<Security UserID='${m.userId}'/>` : '<Security/>'}`
    : `<EventRecordID>${recordId}</EventRecordID><Channel>System</Channel><Computer>${escapeXml(computer)}</Computer><Security/>`;
  return `<Event xmlns='${NS}'><System>${provider}${id}${mid}<Keywords>${h.keywords}</Keywords><TimeCreated SystemTime='${time}'/>${tail}</System>${eventData}</Event>`;
}

const data = (values: readonly string[]): string => values.map((v) => (v === '' ? '<Data></Data>' : `<Data>${escapeXml(v)}</Data>`)).join('');
const named = (pairs: ReadonlyArray<readonly [string, string]>): string => pairs.map(([k, v]) => `<Data Name='${k}'>${escapeXml(v)}</Data>`).join('');

const EVENTLOG = (eventId: number, level: number): SystemHeader => ({ provider: 'EventLog', eventId, qualifiers: 32768, level, keywords: '0x80000000000000' });
const KERNEL_POWER: SystemHeader = {
  provider: 'Microsoft-Windows-Kernel-Power',
  eventId: 41,
  level: 1,
  keywords: '0x8000000000000002',
  manifest: { guid: '{331C3B3A-2005-44C2-AC5E-77220C37D6B4}', version: 2, task: 63, pid: 4, tid: 8, userId: 'S-1-5-18' },
};
const WER_BUGCHECK: SystemHeader = {
  provider: 'Microsoft-Windows-WER-SystemErrorReporting',
  eventId: 1001,
  qualifiers: 16384,
  level: 2,
  keywords: '0x80000000000000',
  manifest: { guid: '{ABCE23E7-DE45-4366-8631-84FA6C525952}', sourceName: 'BugCheck', version: 0, task: 0, pid: 0, tid: 0 },
};
const SCM = (pid: number, tid: number): SystemHeader => ({
  provider: 'Service Control Manager',
  eventId: 7036,
  qualifiers: 16384,
  level: 4,
  keywords: '0x8080000000000000',
  manifest: { guid: '{555908d1-a6d7-4695-8e1e-26931d2012f4}', sourceName: 'Service Control Manager', version: 0, task: 0, pid, tid },
});
const USER32 = (pid: number, tid: number): SystemHeader => ({
  provider: 'User32',
  eventId: 1074,
  qualifiers: 32768,
  level: 4,
  keywords: '0x8080000000000000',
  manifest: { guid: '{b0aa8734-56f7-41cc-b2f4-de228e98b946}', sourceName: 'User32', version: 0, task: 0, pid, tid, userId: 'S-1-5-18' },
});

const SERVICE_STATES: Readonly<Record<GuestLocale, readonly [string, string]>> = {
  'zh-CN': ['正在运行', '已停止'],
  'en-US': ['running', 'stopped'],
  'de-DE': ['Ausgeführt', 'Beendet'],
};
const SERVICES = [
  ['Windows Update', 'wuauserv'],
  ['Windows Modules Installer', 'TrustedInstaller'],
  ['WinHTTP Web Proxy Auto-Discovery Service', 'WinHttpAutoProxySvc'],
  ['Software Protection', 'sppsvc'],
  ['Application Experience', 'AeLookupSvc'],
] as const;

function utf16Hex(text: string): string {
  return Buffer.from(text, 'utf16le').toString('hex').toUpperCase();
}

function zoneDisplayName(zone: Zone, locale: GuestLocale, offsetMinutes: number): string {
  if (zone.name === 'Asia/Shanghai') return locale === 'zh-CN' ? '中国标准时间' : locale === 'de-DE' ? 'China Normalzeit' : 'China Standard Time';
  if (offsetMinutes === 0) return 'Coordinated Universal Time';
  return zone.name;
}

/** `0x00000101 (0x00000061, 0x00000000, 0x807a3120, 0x00000001)`: WER 1001 param1 on a 32-bit guest. */
export function formatWerParam1(code: string, parameters: readonly string[]): string {
  const eight = (hex: string): string => `0x${BigInt(hex).toString(16).padStart(8, '0')}`;
  return `${eight(code)} (${parameters.map(eight).join(', ')})`;
}

/** WER report ids on Windows 7 look like `031517-21606-01`: local MMDDYY, a random number, a counter. */
function werReportId(t: number, zone: Zone, rng: Rng): string {
  const w = wallClock(t, zone);
  return `${String(w.month).padStart(2, '0')}${String(w.day).padStart(2, '0')}${String(w.year % 100).padStart(2, '0')}-${rng.int(10000, 39999)}-01`;
}

function bootRecords(boot: GuestBoot, vm: VmPlan, zone: Zone, rng: Rng, add: (t: number, r: (id: number) => string) => void): void {
  const pc = vm.computerName;
  const b = boot.bootMs;
  const hang: HangPlan | undefined = boot.hang;
  if (hang) {
    const bc = hang.bugcheck;
    const code = bc ? String(Number(BigInt(bc.code))) : '0';
    const params = bc ? bc.parameters : ['0x0', '0x0', '0x0', '0x0'];
    add(b - 6_000, (id) =>
      renderEvent(KERNEL_POWER, b - 6_000, id, pc, `<EventData>${named([
        ['BugcheckCode', code],
        ['BugcheckParameter1', params[0] ?? '0x0'],
        ['BugcheckParameter2', params[1] ?? '0x0'],
        ['BugcheckParameter3', params[2] ?? '0x0'],
        ['BugcheckParameter4', params[3] ?? '0x0'],
        ['SleepInProgress', 'false'],
        ['PowerButtonTimestamp', '0'],
      ])}</EventData>`),
    );
  }
  add(b, (id) => renderEvent(EVENTLOG(6009, 4), b, id, pc, `<EventData>${data(['6.01.', '7601', 'Service Pack 1', 'Multiprocessor Free', '17514'])}</EventData>`));
  add(b, (id) => renderEvent(EVENTLOG(6005, 4), b, id, pc, '<EventData></EventData>'));
  if (hang) {
    const last = hang.lastAliveMs;
    const { time, date } = formatLocaleTimeDate(last, zone, vm.locale);
    const uptimeS = boot.previousBootMs === undefined ? 0 : Math.floor((last - boot.previousBootMs) / 1000);
    const binary = `${formatSystemTimeHex(last, zone)}${formatSystemTimeHex(last, { kind: 'fixed', name: '+00:00', offsetMinutes: 0 })}`;
    add(b + 400, (id) => renderEvent(EVENTLOG(6008, 2), b + 400, id, pc, `<EventData>${data([time, date, '', '', String(uptimeS), '', ''])}<Binary>${binary}</Binary></EventData>`));
    const bc = hang.bugcheck;
    if (bc) {
      const t = b + rng.int(45_000, 110_000);
      const param1 = formatWerParam1(bc.code, bc.parameters);
      add(t, (id) =>
        renderEvent(WER_BUGCHECK, t, id, pc, `<EventData>${named([
          ['param1', param1],
          ['param2', 'C:\\Windows\\MEMORY.DMP'],
          ['param3', werReportId(hang.hangMs, zone, rng)],
        ])}</EventData>`),
      );
    }
  }
}

export function buildWinEventRecords(plan: FleetPlan, tl: VmTimeline, rng: Rng): string[] {
  const vm = tl.vm;
  const zone = plan.guestZone;
  const records: GuestRecord[] = [];
  const add = (t: number, render: (id: number) => string): void => {
    records.push({ t: formatWinSystemTime(t).quantizedMs, seq: records.length, render });
  };
  for (const boot of tl.boots) bootRecords(boot, vm, zone, rng, add);
  for (const c of tl.shutdowns) {
    const t = c.shutdownMs - rng.int(8_000, 20_000);
    const pid = rng.int(300, 900);
    add(t, (id) =>
      renderEvent(USER32(pid, rng.int(1000, 4000)), t, id, vm.computerName, `<EventData>${named([
        ['param1', `C:\\Windows\\system32\\winlogon.exe (${vm.computerName})`],
        ['param2', vm.computerName],
        ['param3', 'No title for this reason could be found'],
        ['param4', '0x500ff'],
        ['param5', 'power off'],
        ['param6', ''],
        ['param7', 'NT AUTHORITY\\SYSTEM'],
      ])}</EventData>`),
    );
    add(c.shutdownMs, (id) => renderEvent(EVENTLOG(6006, 4), c.shutdownMs, id, vm.computerName, '<EventData></EventData>'));
  }
  pushDailyUptime(plan, tl, add);
  pushServiceNoise(plan, tl, rng, add);
  records.sort((a, b) => a.t - b.t || a.seq - b.seq);
  return records.map((r, i) => r.render(vm.firstRecordId + i));
}

/** Windows is running at `t` when some boot precedes it with no shutdown or hang in between. */
function isUp(tl: VmTimeline, t: number): GuestBoot | undefined {
  const boot = tl.boots.filter((b) => b.bootMs <= t).pop();
  if (!boot) return undefined;
  const down = [...tl.hangs.map((h) => h.hangMs), ...tl.shutdowns.map((c) => c.shutdownMs)].some((d) => d >= boot.bootMs && d <= t);
  return down ? undefined : boot;
}

/** EventLog 6013 at noon local every day: uptime, and the zone as `-480 China Standard Time` (bias, name). */
function pushDailyUptime(plan: FleetPlan, tl: VmTimeline, add: (t: number, r: (id: number) => string) => void): void {
  const zone = plan.guestZone;
  const first = wallClock(plan.options.startMs, zone);
  for (let d = 0; d <= Math.ceil(plan.options.durationMs / 86_400_000); d++) {
    const noonUtc = Date.UTC(first.year, first.month - 1, first.day + d, 12) - first.offsetMinutes * 60_000;
    if (noonUtc < plan.options.startMs || noonUtc >= plan.endMs) continue;
    const boot = isUp(tl, noonUtc);
    if (!boot) continue;
    const offset = wallClock(noonUtc, zone).offsetMinutes;
    const uptime = String(Math.floor((noonUtc - boot.bootMs) / 1000));
    const zoneText = `${-offset} ${zoneDisplayName(zone, tl.vm.locale, offset)}`;
    add(noonUtc, (id) => renderEvent(EVENTLOG(6013, 4), noonUtc, id, tl.vm.computerName, `<EventData>${data(['', '', '', '', uptime, '60', zoneText])}</EventData>`));
  }
}

function pushServiceNoise(plan: FleetPlan, tl: VmTimeline, rng: Rng, add: (t: number, r: (id: number) => string) => void): void {
  const count = Math.round((plan.options.noisePerHour / 8) * (plan.options.durationMs / 3_600_000));
  const [running, stopped] = SERVICE_STATES[tl.vm.locale];
  const scmPid = rng.int(440, 520);
  for (let i = 0; i < count; i++) {
    const t = plan.options.startMs + Math.floor(rng.next() * (plan.options.durationMs - 600_000));
    if (!isUp(tl, t) || !isUp(tl, t + 300_000)) continue;
    const [display, name] = rng.pick(SERVICES);
    const stopAt = t + rng.int(30_000, 300_000);
    for (const [at, state] of [[t, running], [stopAt, stopped]] as const) {
      const tid = rng.int(500, 4000);
      add(at, (id) => renderEvent(SCM(scmPid, tid), at, id, tl.vm.computerName, `<EventData>${named([['param1', display], ['param2', state]])}<Binary>${utf16Hex(`${name}/${state === running ? 4 : 1}`)}0000</Binary></EventData>`));
    }
  }
}
