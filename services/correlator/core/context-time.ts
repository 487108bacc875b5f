import type { EcsEvent } from '../../../shared/schema/event.js';
import { isGuestRecord } from './event-facts.js';
import type { TimedFact, TimedFacts } from './timed-facts.js';

// Crash records without a time of their own (DESIGN.md section 6). Most WinDbg reports people save or paste carry no
// `Debug session time`; the parser can only date them by the file's modification time (or the read time) and
// flags them `time-from-context`. The guest's own records of the same crash know better: the kernel dump header
// beside the report (its SystemTime is the moment of the crash) and the next boot's Kernel-Power 41 / EventLog
// 6008 / WER 1001. The correlator learns those per domain (HostFacts.crashes) and an undated report takes the
// time of the one it belongs to, with `hangwatch.time.basis` `dump-header` or `guest-event`; the report then joins
// that record's incident (group-signals.ts) instead of opening one dated by a copy's modification time.
//
// Which record: one that names the same crash (the same dump file, or the same code and four parameters: 41, 1001
// and dump headers carry them), at any distance; else the nearest record that does not contradict the report
// (another code, other parameters) within a day and a half of the file's time, or within the day a minidump's
// name gives (`042025-74062-01.dmp` is 2025-04-20 local). A dump header beats a boot record: its time is the crash.

/** "Within a day or so": a report is usually written the day of the crash or the next, its file time a bit later. */
export const CONTEXT_DATING_SPAN_MS = 36 * 3_600_000;
/** The widest UTC offsets in use: a local date covers these instants around its UTC day. */
const ZONE_SLACK_BEFORE_MS = 14 * 3_600_000;
const ZONE_SLACK_AFTER_MS = 12 * 3_600_000;
/** A guest left at its blue screen is restarted later: its boot records of the crash may come hours after it. */
const REBOOT_SLACK_MS = 6 * 3_600_000;
const DAY_MS = 86_400_000;

export type ContextBasis = 'dump-header' | 'guest-event';

/** What the guest recorded about one crash, for dating the reports of it. */
export interface CrashRecord {
  readonly source: ContextBasis;
  readonly code?: string;
  readonly parameters?: readonly string[];
  /** The dump's file name, lowercased (dump headers). */
  readonly file?: string;
}

/** A WinDbg report (or any guest bugcheck record) the parser could only date by its file or its reading. */
export function isContextDated(event: EcsEvent): boolean {
  if (event.event.action !== 'bugcheck' || !isGuestRecord(event)) return false;
  const basis = event.hangwatch.time.basis;
  if (basis !== 'file-mtime' && basis !== 'ingest' && basis !== 'inherited') return false;
  return event.hangwatch.parse.flags?.includes('time-from-context') === true;
}

/** The crash a dated guest record speaks of: a dump header's, or a boot record's about the previous run. */
export function readCrashRecord(event: EcsEvent): CrashRecord | undefined {
  if (!isGuestRecord(event) || isContextDated(event)) return undefined;
  const basis = event.hangwatch.time.basis;
  if (basis !== 'explicit' && basis !== 'zone') return undefined;
  const action = event.event.action;
  const bugcheck = event.windows?.bugcheck;
  const facts = { ...(bugcheck?.code ? { code: bugcheck.code } : {}), ...(bugcheck?.parameters ? { parameters: bugcheck.parameters } : {}) };
  if (event.event.dataset === 'windows.dump') {
    const file = baseName(event.log?.file?.path);
    return { source: 'dump-header', ...facts, ...(file ? { file } : {}) };
  }
  if (event.event.dataset === 'windows.windbg') return undefined;
  if (action === 'kernel-power-41' || action === 'unexpected-shutdown' || action === 'bugcheck') return { source: 'guest-event', ...facts };
  return undefined;
}

/** The guest's record of the crash an undated report is about, or undefined when none fits. */
export function findCrashContext(records: TimedFacts<CrashRecord> | undefined, report: EcsEvent, referenceMs: number): TimedFact<CrashRecord> | undefined {
  if (!records || records.size === 0) return undefined;
  const bugcheck = report.windows?.bugcheck;
  const file = baseName(report.windows?.windbg?.dump_file);
  const candidates = records.list().filter((r) => !contradicts(r.value, bugcheck?.code, bugcheck?.parameters));
  const same = candidates.filter((r) => namesSameCrash(r.value, file, bugcheck?.code, bugcheck?.parameters));
  if (same.length > 0) return nearest(same, referenceMs);
  const [from, to] = searchSpan(file, referenceMs);
  return nearest(candidates.filter((r) => r.atMs >= from && r.atMs <= to), referenceMs);
}

function contradicts(record: CrashRecord, code: string | undefined, parameters: readonly string[] | undefined): boolean {
  if (record.code && code && record.code !== code) return true;
  return record.parameters !== undefined && parameters !== undefined && record.code === code && !sameList(record.parameters, parameters);
}

function namesSameCrash(record: CrashRecord, file: string | undefined, code: string | undefined, parameters: readonly string[] | undefined): boolean {
  if (file !== undefined && record.file === file) return true;
  return code !== undefined && record.code === code && parameters !== undefined && record.parameters !== undefined && sameList(record.parameters, parameters);
}

/** A dump header first (its time is the crash itself), then the nearest, then the smallest event id. */
function nearest(list: readonly TimedFact<CrashRecord>[], referenceMs: number): TimedFact<CrashRecord> | undefined {
  let best: TimedFact<CrashRecord> | undefined;
  for (const r of list) {
    if (!best) {
      best = r;
      continue;
    }
    const rank = (f: TimedFact<CrashRecord>) => (f.value.source === 'dump-header' ? 0 : 1);
    const byRank = rank(r) - rank(best);
    const byDistance = Math.abs(r.atMs - referenceMs) - Math.abs(best.atMs - referenceMs);
    if (byRank < 0 || (byRank === 0 && (byDistance < 0 || (byDistance === 0 && r.eventId < best.eventId)))) best = r;
  }
  return best;
}

/** The instants a fitting record may have: the minidump name's local day, else around the file's time. */
function searchSpan(file: string | undefined, referenceMs: number): [number, number] {
  const day = file ? minidumpDayMs(file) : undefined;
  if (day !== undefined) return [day - ZONE_SLACK_BEFORE_MS, day + DAY_MS + ZONE_SLACK_AFTER_MS + REBOOT_SLACK_MS];
  return [referenceMs - CONTEXT_DATING_SPAN_MS, referenceMs + CONTEXT_DATING_SPAN_MS];
}

/**
 * The local day a minidump's name gives, as the UTC midnight of that date: Windows names them `MMDDYY-N-NN.dmp`
 * (Vista and later, `042025-74062-01.dmp`) or `MiniMMDDYY-NN.dmp` (XP).
 */
export function minidumpDayMs(file: string): number | undefined {
  const m = /^(?:mini)?(\d{2})(\d{2})(\d{2})-\d+(?:-\d+)?\.dmp$/i.exec(file);
  if (!m) return undefined;
  const month = Number(m[1]);
  const day = Number(m[2]);
  const year = 2000 + Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const ms = Date.UTC(year, month - 1, day);
  return new Date(ms).getUTCDate() === day ? ms : undefined;
}

/** The file name of a Windows or POSIX path, lowercased (Windows names are case-insensitive). */
function baseName(path: string | undefined): string | undefined {
  if (!path) return undefined;
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1).toLowerCase();
  return name === '' ? undefined : name;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
