import type { Bugcheck, EcsEvent } from '../../../../shared/schema/event.js';
import { formatOffset, isoUtc, localToUtcMs, utcMsFromParts } from '../../../../shared/time.js';
import { buildBugcheck } from '../bugcheck.js';
import type { EventDraft, FormatParser, ParseContext } from '../event-draft.js';
import { ParseFailure } from '../parse-failure.js';
import { MAX_STACK_FRAMES, readWindbgReport, WINDBG_GRAMMAR, type WindbgReport } from '../windows/windbg-report.js';

// WinDbg `!analyze -v` reports (dataset windows.windbg): one report per record, one `bugcheck` event out.
// `Debug session time: Wed Mar 15 13:11:54.777 2017 (GMT+8)` is the guest's local time with its offset
// (newer WinDbg: `(UTC + 8:00)`), so @timestamp is `explicit` and gmt_offset_minutes tells the correlator the
// guest's zone; boot_time = session time - `System Uptime`.

type WindbgFields = NonNullable<NonNullable<EcsEvent['windows']>['windbg']>;

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12,
};

const NO_BUGCHECK_EXPECTED = ['bugcheck header `NAME (code)`', 'BUGCHECK_CODE:', 'BugCheck <code>, {<args>}'];

/** Code and arguments: the analysis header and Arg1-4 first, then BUGCHECK_CODE/_P1-4, then the banner summary. */
function readBugcheck(report: WindbgReport): Bugcheck {
  const args = report.arguments.map((a) => a?.value);
  const kvArgs = [1, 2, 3, 4].map((i) => report.values.get(`BUGCHECK_P${i}`));
  const complete = (list: Array<string | undefined>): list is string[] => list.length === 4 && list.every((x) => x !== undefined);
  const code = report.header?.code ?? report.values.get('BUGCHECK_CODE') ?? report.summary?.code;
  if (code === undefined) throw new ParseFailure('HW_PARSE_NO_MATCH', WINDBG_GRAMMAR, 'no bugcheck line in the WinDbg report', NO_BUGCHECK_EXPECTED);
  const parameters = complete(args) ? args : complete(kvArgs) ? kvArgs : (report.summary?.parameters ?? []);
  const bugcheck = buildBugcheck(code, parameters, 16, report.header?.name);
  if (!bugcheck) throw new ParseFailure('HW_PARSE_NO_MATCH', WINDBG_GRAMMAR, `not a bugcheck code: ${code}`, NO_BUGCHECK_EXPECTED);
  return bugcheck;
}

interface SessionTime {
  readonly utcMs: number;
  readonly basis: 'explicit' | 'zone';
  readonly offsetMinutes?: number;
  readonly local: string;
}

/** The session time in UTC: the printed offset (GMT/UTC +-h[:mm]); otherwise the configured guest zone. */
function readSessionTime(report: WindbgReport, ctx: ParseContext): SessionTime | undefined {
  const s = report.session;
  if (!s) return undefined;
  const month = MONTHS[s.month];
  if (month === undefined) throw new ParseFailure('HW_PARSE_NO_MATCH', WINDBG_GRAMMAR, `unknown month ${s.month}`, Object.keys(MONTHS));
  const ms = Number(s.time.fraction.slice(0, 3).padEnd(3, '0'));
  const wall = utcMsFromParts(s.year, month, s.day, s.time.hour, s.time.minute, s.time.second, ms);
  const local = isoUtc(wall).slice(0, 23);
  if (/^(GMT|UTC)$/i.test(s.zone.name)) {
    const offsetMinutes = (s.zone.sign === '-' ? -1 : 1) * (s.zone.hours * 60 + s.zone.minutes);
    return { utcMs: wall - offsetMinutes * 60_000, basis: 'explicit', offsetMinutes, local: `${local}${formatOffset(offsetMinutes)}` };
  }
  const zone = ctx.options.guestZone;
  if (!zone) return undefined;
  return { utcMs: localToUtcMs(zone, s.year, month, s.day, s.time.hour, s.time.minute, s.time.second, ms), basis: 'zone', local };
}

function readWindbgFields(report: WindbgReport, session: SessionTime | undefined): WindbgFields {
  const fields: WindbgFields = {};
  if (session) {
    fields.session_time_local = session.local;
    if (session.offsetMinutes !== undefined) fields.gmt_offset_minutes = session.offsetMinutes;
  }
  if (report.uptimeMs !== undefined) {
    fields.uptime_ms = report.uptimeMs;
    if (session) fields.boot_time = isoUtc(session.utcMs - report.uptimeMs);
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
  if (report.stackFrames > 0) {
    fields.stack = report.stack;
    fields.stack_frames = report.stackFrames;
  }
  return fields;
}

function buildMessage(bugcheck: Bugcheck, fields: WindbgFields): string {
  const params = bugcheck.parameters ? ` (${bugcheck.parameters.join(', ')})` : '';
  const process = fields.process_name ? `, process ${fields.process_name}` : '';
  const bucket = fields.failure_bucket_id ? `, bucket ${fields.failure_bucket_id}` : '';
  return `Bugcheck ${bugcheck.code}${bugcheck.name ? ` ${bugcheck.name}` : ''}${params}${process}${bucket}`;
}

export const windbgParser: FormatParser = {
  format: 'windbg',
  parse(ctx: ParseContext): EventDraft[] {
    const report = readWindbgReport(ctx.text);
    const bugcheck = readBugcheck(report);
    const session = readSessionTime(report, ctx);
    const windbg = readWindbgFields(report, session);
    let timestampMs: number;
    let basis: 'explicit' | 'zone' | 'inherited' | 'ingest';
    if (session) {
      timestampMs = session.utcMs;
      basis = session.basis;
      ctx.state.lastTimestampMs = timestampMs;
    } else if (ctx.state.lastTimestampMs !== undefined) {
      timestampMs = ctx.state.lastTimestampMs;
      basis = 'inherited';
    } else {
      timestampMs = ctx.createdMs;
      basis = 'ingest';
    }
    const flags: string[] = [];
    if (report.unparsedLines > 0) flags.push('windbg-lines-unparsed');
    if (report.stackFrames > MAX_STACK_FRAMES) flags.push('stack-truncated');
    const draft: EventDraft = {
      '@timestamp': isoUtc(timestampMs),
      event: { dataset: 'windows.windbg', kind: 'event', category: ['host'], type: ['error'], action: 'bugcheck', code: bugcheck.code },
      log: { level: 'critical' },
      message: buildMessage(bugcheck, windbg),
      windows: { bugcheck, windbg },
      hangwatch: {
        time: { basis, ...(session?.offsetMinutes !== undefined ? { zone: formatOffset(session.offsetMinutes) } : basis === 'zone' && ctx.options.guestZone ? { zone: ctx.options.guestZone.name } : {}) },
        parse: { grammar: WINDBG_GRAMMAR, ...(flags.length > 0 ? { flags } : {}) },
      },
    };
    if (report.machineName) draft.host = { name: report.machineName };
    return [draft];
  },
};
