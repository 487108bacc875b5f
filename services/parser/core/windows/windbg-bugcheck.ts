import type { Bugcheck } from '../../../../shared/schema/event.js';
import { buildBugcheck, bugcheckCodeOfName, normalizeBugcheckCode } from '../bugcheck.js';
import type { WindbgReport } from './windbg-report.js';

// Which bugcheck a WinDbg report is about, from whatever markers it carries. WinDbg prints the code in many
// places, and pasted reports keep only some of them:
//   `NAME (code)` + `Arg1..4:` under "Bugcheck Analysis" (the classic `!analyze -v` heading; the last heading
//     wins: a report analysed twice gives the newer WinDbg's reading, `Unknown bugcheck code (19c)` then
//     `WIN32K_POWER_WATCHDOG_TIMEOUT (19c)`),
//   `*** Fatal System Error: 0x.. (p1,p2,p3,p4)` (a live kernel debugger),
//   `Bugcheck code ..` + `Arguments ..` (`.bugcheck`),
//   `BugCheck D1, {p1, p2, p3, p4}` (the summary printed when a dump is opened),
//   `BUGCHECK_CODE:` + `BUGCHECK_P1..4:` (WinDbg 10.0.18xxx and later),
//   WER 1001's `The bugcheck was: 0x.. (p1, p2, p3, p4)` pasted beside the report (in any language),
//   `BUGCHECK_STR:  0xD1` / `CLOCK_WATCHDOG_TIMEOUT_2_PROC` (older reports; code only),
//   `FAILURE_BUCKET_ID:  0x9F_3_POWER_DOWN_...` (code only).
// The code is the first marker's in that order; the name is the report's own heading for that code, else the
// reference table's; the parameters are the first complete set printed with that code.

interface Marker {
  readonly code: string;
  readonly name?: string;
  readonly parameters?: readonly (string | undefined)[];
}

export interface ReportBugcheck {
  readonly bugcheck?: Bugcheck;
  /** `bugcheck-parameters-missing`, `bugcheck-markers-disagree`. */
  readonly flags: string[];
}

/** `0xD1`, `0x9F_3_POWER_DOWN_tcpip!...`, `0x1E_c0000005_R`: a hex code before the first `_`. */
const BUCKET_CODE = /^0[xX]([0-9a-fA-F]{1,8})(?:_|$)/;

function bucketCode(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const hex = BUCKET_CODE.exec(text)?.[1];
  return hex !== undefined ? normalizeBugcheckCode(hex) : bugcheckCodeOfName(text);
}

function listMarkers(report: WindbgReport): Marker[] {
  const markers: Marker[] = [];
  const add = (code: string | undefined, parameters?: readonly (string | undefined)[], name?: string) => {
    const normalized = code === undefined ? undefined : normalizeBugcheckCode(code);
    if (normalized && normalized !== '0x00000000') markers.push({ code: normalized, ...(name ? { name } : {}), ...(parameters ? { parameters } : {}) });
  };
  for (let i = report.sections.length - 1; i >= 0; i--) {
    const section = report.sections[i]!;
    add(section.code, section.args.map((a) => a?.value), section.name);
  }
  add(report.fatal?.code, report.fatal?.parameters);
  add(report.dotBugcheck?.code, report.dotBugcheck?.parameters);
  add(report.summary?.code, report.summary?.parameters);
  add(report.values.get('BUGCHECK_CODE'), [1, 2, 3, 4].map((i) => report.values.get(`BUGCHECK_P${i}`)));
  add(report.wer?.code, report.wer?.parameters);
  add(bucketCode(report.values.get('BUGCHECK_STR')));
  add(bucketCode(report.values.get('FAILURE_BUCKET_ID')));
  return markers;
}

/** Bit 28 marks the `_M` variant of a code: `0x7E` in a bucket string and a `(1000007e)` heading agree. */
function sameCrash(a: string, b: string): boolean {
  return (Number.parseInt(a.slice(2), 16) & ~0x10000000) === (Number.parseInt(b.slice(2), 16) & ~0x10000000);
}

function isComplete(parameters: readonly (string | undefined)[] | undefined): parameters is readonly string[] {
  return parameters !== undefined && parameters.length === 4 && parameters.every((p) => p !== undefined);
}

export function chooseReportBugcheck(report: WindbgReport): ReportBugcheck {
  const markers = listMarkers(report);
  const first = markers[0];
  if (!first) return { flags: [] };
  const code = first.code;
  const same = markers.filter((m) => m.code === code);
  const name = same.find((m) => m.name)?.name;
  // `Arg` lines pasted without their heading belong to whatever code the rest of the report names.
  const orphan = report.sections.find((s) => s.code === undefined)?.args.map((a) => a?.value);
  const parameters = same.map((m) => m.parameters).find(isComplete) ?? (isComplete(orphan) ? orphan : undefined);
  const bugcheck = buildBugcheck(code, parameters ? [...parameters] : [], 16, name);
  const flags: string[] = [];
  if (bugcheck && !bugcheck.parameters) flags.push('bugcheck-parameters-missing');
  if (markers.some((m) => !sameCrash(m.code, code))) flags.push('bugcheck-markers-disagree');
  return { ...(bugcheck ? { bugcheck } : {}), flags };
}
