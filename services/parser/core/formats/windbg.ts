import type { Bugcheck, EcsEvent } from '../../../../shared/schema/event.js';
import type { TimeBasis } from '../../../../shared/vocabulary.js';
import { formatOffset, isoUtc, localToUtcMs, requireOffsetMinutes, utcMsFromParts } from '../../../../shared/time.js';
import type { EventDraft, FormatParser, ParseContext } from '../event-draft.js';
import { ParseFailure } from '../parse-failure.js';
import { chooseReportBugcheck } from '../windows/windbg-bugcheck.js';
import { MAX_STACK_FRAMES, readWindbgReports, WINDBG_GRAMMAR, type WindbgReport } from '../windows/windbg-report.js';

// WinDbg reports (dataset windows.windbg): one `bugcheck` event per debugger session in the record (usually one).
//
// Time. `Debug session time: Wed Mar 15 13:11:54.777 2017 (GMT+8)` is the dump's time of the crash, local with its
// offset (newer WinDbg: `(UTC + 8:00)`), so @timestamp is `explicit` and gmt_offset_minutes tells the correlator
// the guest's zone; boot_time = session time - `System Uptime`. A session time printed without a zone is local:
// the configured guest zone applies (`zone`), else it stays a wall clock for the correlator to place (`zone`
// without `hangwatch.time.zone`). Most pasted reports carry no session time at all; a record alone cannot know
// better than its file's modification time (`file-mtime`, else the read time, `ingest`), so such an event is
// flagged `time-from-context` and the correlator dates it from the dump header beside it or the guest's
// Kernel-Power 41 / 6008 of that crash (services/correlator/core/context-time.ts).
//
// A session whose excerpt ends before its bugcheck section (a banner and a loaded dump) is still the record of a
// crash dump at a known time: a `bugcheck` event without windows.bugcheck, flagged `bugcheck-not-in-report`.

type WindbgFields = NonNullable<NonNullable<EcsEvent['windows']>['windbg']>;

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12,
};

const NO_BUGCHECK_EXPECTED = [
  'bugcheck header `NAME (code)`',
  'BUGCHECK_CODE:',
  'BUGCHECK_STR:',
  'BugCheck <code>, {<args>}',
  '*** Fatal System Error: <code>',
  'The bugcheck was: <code> (<args>)',
  'Bugcheck code <code>',
  'Debug session time:',
];

interface ReportTime {
  readonly ms: number;
  readonly basis: TimeBasis;
  /** `hangwatch.time.zone`: the printed offset or the configured zone; absent for an unplaced wall clock. */
  readonly zone?: string;
  readonly offsetMinutes?: number;
  /** The session's wall clock as WinDbg printed it (ISO, with its offset when printed). */
  readonly local?: string;
  /** The instant is the session's own, in UTC (not a wall clock waiting for a zone, not the file's time). */
  readonly exact: boolean;
  readonly fromContext: boolean;
}

/** The session time in UTC: the printed offset (GMT/UTC +-h[:mm]); else the configured guest zone; else a wall clock. */
function readSessionTime(report: WindbgReport, ctx: ParseContext): ReportTime | undefined {
  const s = report.session;
  if (!s) return undefined;
  const month = MONTHS[s.month];
  if (month === undefined) return undefined;
  const ms = Number(s.time.fraction.slice(0, 3).padEnd(3, '0'));
  const wall = utcMsFromParts(s.year, month, s.day, s.time.hour, s.time.minute, s.time.second, ms);
  const local = isoUtc(wall).slice(0, 23);
  if (s.zone && /^(GMT|UTC)$/i.test(s.zone.name)) {
    const offsetMinutes = requireOffsetMinutes(s.zone.sign, s.zone.hours, s.zone.minutes, `${s.zone.name}${s.zone.sign}${s.zone.hours}:${String(s.zone.minutes).padStart(2, '0')}`);
    const zone = formatOffset(offsetMinutes);
    return { ms: wall - offsetMinutes * 60_000, basis: 'explicit', zone, offsetMinutes, local: `${local}${zone}`, exact: true, fromContext: false };
  }
  const guestZone = ctx.options.guestZone;
  if (guestZone) {
    return { ms: localToUtcMs(guestZone, s.year, month, s.day, s.time.hour, s.time.minute, s.time.second, ms), basis: 'zone', zone: guestZone.name, local, exact: true, fromContext: false };
  }
  return { ms: wall, basis: 'zone', local, exact: false, fromContext: false };
}

/** No session time: the file's modification time, else the read time; the correlator may know better. */
function contextTime(ctx: ParseContext): ReportTime {
  if (ctx.mtimeMs !== undefined && Number.isFinite(ctx.mtimeMs)) return { ms: ctx.mtimeMs, basis: 'file-mtime', exact: false, fromContext: true };
  return { ms: ctx.createdMs, basis: 'ingest', exact: false, fromContext: true };
}

function readWindbgFields(report: WindbgReport, time: ReportTime): WindbgFields {
  const fields: WindbgFields = {};
  if (time.local) fields.session_time_local = time.local;
  if (time.offsetMinutes !== undefined) fields.gmt_offset_minutes = time.offsetMinutes;
  if (report.uptimeMs !== undefined) {
    fields.uptime_ms = report.uptimeMs;
    if (time.exact) fields.boot_time = isoUtc(time.ms - report.uptimeMs);
  }
  const osBuild = report.builtBy ?? report.kernel?.version;
  if (osBuild) fields.os_build = osBuild;
  if (report.kernel?.processors !== undefined) fields.processors = report.kernel.processors;
  const kept: ReadonlyArray<readonly [string, keyof WindbgFields]> = [
    ['BUGCHECK_STR', 'bugcheck_str'],
    ['PROCESS_NAME', 'process_name'],
    ['CURRENT_IRQL', 'current_irql'],
    ['MODULE_NAME', 'module_name'],
    ['IMAGE_NAME', 'image_name'],
    ['FAILURE_BUCKET_ID', 'failure_bucket_id'],
  ];
  for (const [key, field] of kept) {
    const value = report.values.get(key);
    if (value) (fields as Record<string, unknown>)[field] = value;
  }
  const dumpFile = report.dumpFile ?? report.values.get('FILE_IN_CAB');
  if (dumpFile) fields.dump_file = dumpFile;
  if (report.stackFrames > 0) {
    fields.stack = report.stack;
    fields.stack_frames = report.stackFrames;
  }
  return fields;
}

function buildMessage(bugcheck: Bugcheck | undefined, fields: WindbgFields): string {
  if (!bugcheck) {
    const dump = fields.dump_file ? ` of ${fields.dump_file}` : '';
    return `WinDbg session${dump}: the report holds no bugcheck section`;
  }
  const params = bugcheck.parameters ? ` (${bugcheck.parameters.join(', ')})` : '';
  const process = fields.process_name ? `, process ${fields.process_name}` : '';
  const bucket = fields.failure_bucket_id ? `, bucket ${fields.failure_bucket_id}` : '';
  return `Bugcheck ${bugcheck.code}${bugcheck.name ? ` ${bugcheck.name}` : ''}${params}${process}${bucket}`;
}

/** A debugger session whose excerpt holds no bugcheck still says a dump was opened, and usually when. */
function isDebuggerSession(report: WindbgReport): boolean {
  return report.session !== undefined || report.dumpFile !== undefined || report.kernel !== undefined || report.builtBy !== undefined;
}

function buildReportDraft(report: WindbgReport, ctx: ParseContext): EventDraft | undefined {
  const { bugcheck, flags: bugcheckFlags } = chooseReportBugcheck(report);
  if (!bugcheck && !isDebuggerSession(report)) return undefined;
  const time = readSessionTime(report, ctx) ?? contextTime(ctx);
  const windbg = readWindbgFields(report, time);
  const flags: string[] = [...bugcheckFlags];
  if (!bugcheck) flags.push('bugcheck-not-in-report');
  if (time.fromContext) flags.push('time-from-context');
  if (report.unparsedLines > 0) flags.push('windbg-lines-unparsed');
  if (report.stackFrames > MAX_STACK_FRAMES) flags.push('stack-truncated');
  const draft: EventDraft = {
    '@timestamp': isoUtc(time.ms),
    event: { dataset: 'windows.windbg', kind: 'event', category: ['host'], type: ['error'], action: 'bugcheck', ...(bugcheck ? { code: bugcheck.code } : {}) },
    log: { level: 'critical' },
    message: buildMessage(bugcheck, windbg),
    windows: { ...(bugcheck ? { bugcheck } : {}), windbg },
    hangwatch: {
      time: { basis: time.basis, ...(time.zone ? { zone: time.zone } : {}) },
      parse: { grammar: WINDBG_GRAMMAR, ...(flags.length > 0 ? { flags } : {}) },
    },
  };
  if (report.machineName) draft.host = { name: report.machineName };
  return draft;
}

export const windbgParser: FormatParser = {
  format: 'windbg',
  parse(ctx: ParseContext): EventDraft[] {
    const drafts: EventDraft[] = [];
    for (const report of readWindbgReports(ctx.text)) {
      const draft = buildReportDraft(report, ctx);
      if (draft) drafts.push(draft);
    }
    if (drafts.length === 0) throw new ParseFailure('HW_PARSE_NO_MATCH', WINDBG_GRAMMAR, 'no bugcheck line and no debugger session in the WinDbg report', NO_BUGCHECK_EXPECTED);
    return drafts;
  },
};
