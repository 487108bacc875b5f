import type { EcsEvent } from '../../../../shared/schema/event.js';
import { isoUtc } from '../../../../shared/time.js';
import type { EventDraft, FormatParser, ParseContext } from '../event-draft.js';
import { buildBugcheck } from '../bugcheck.js';
import { DUMP_TYPE_NAMES, DumpHeaderError, MACHINE_NAMES, readDumpHeader, type DumpHeader } from '../dump/dump-header.js';
import { ParseFailure } from '../parse-failure.js';
import { filetimeToMs } from '../evtx/windows-time.js';

// Kernel crash dump headers (issue 10) as `windows.dump` bugcheck events: the reader ships the file's first
// 8 KiB (a 4 GB MEMORY.DMP costs one small read), this decodes it. @timestamp is the header's SystemTime, the
// moment of the crash in UTC; a header without one falls back to the read time and says so (`ingest`).
// A wrong signature, a user-mode minidump or a truncated header is a dead letter (HW_DUMP_INVALID).

export const DUMP_GRAMMAR = 'dump-header';
const EARLIEST_PLAUSIBLE_MS = Date.UTC(2000, 0, 1);

type DumpFields = NonNullable<NonNullable<EcsEvent['windows']>['dump']>;

function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}

/** A readable rendering of the header fields for event.original (the bytes themselves are binary). */
function describeHeader(h: DumpHeader): string {
  const fields = [
    `Signature=${h.signature}`,
    `MajorVersion=${h.majorVersion}`,
    `MinorVersion=${h.minorVersion}`,
    `MachineImageType=${hex(h.machineImageType)}`,
    `NumberProcessors=${h.processors}`,
    `BugCheckCode=${hex(h.bugcheckCode)}`,
    ...h.bugcheckParameters.map((p, i) => `BugCheckParameter${i + 1}=${hex(p)}`),
  ];
  if (h.dumpType !== undefined) fields.push(`DumpType=${h.dumpType}`);
  if (h.systemTime !== undefined) fields.push(`SystemTime=${h.systemTime}`);
  if (h.systemUpTime !== undefined) fields.push(`SystemUpTime=${h.systemUpTime}`);
  return fields.join(' ');
}

export function buildDumpDraft(h: DumpHeader, ctx: Pick<ParseContext, 'createdMs'>): EventDraft {
  const bugcheck = buildBugcheck(h.bugcheckCode, [...h.bugcheckParameters]);
  const dump: DumpFields = {
    machine: MACHINE_NAMES[h.machineImageType] ?? hex(h.machineImageType),
    processors: h.processors,
    os_version: `${h.majorVersion}.${h.minorVersion}`,
    build: h.minorVersion,
    bits: h.bits,
    signature: h.signature,
  };
  if (h.dumpType !== undefined) dump.type = DUMP_TYPE_NAMES[h.dumpType] ?? String(h.dumpType);
  if (h.systemUpTime !== undefined) dump.uptime_ms = Number(h.systemUpTime / 10_000n);
  const claimedMs = h.systemTime !== undefined ? filetimeToMs(h.systemTime) : undefined;
  // SystemTime is the guest's clock: a time after the read (plus a day of zone slack) or before 2000 is not when
  // it crashed. The event keeps the claim in windows.dump.system_time_claimed and is dated by the read time,
  // flagged suspect, so no index, watermark or incident follows a guest-chosen date.
  const plausible = claimedMs !== undefined && Number.isFinite(claimedMs) && claimedMs >= EARLIEST_PLAUSIBLE_MS && claimedMs <= ctx.createdMs + 86_400_000;
  const timeMs = plausible ? claimedMs : undefined;
  if (timeMs !== undefined) dump.system_time = isoUtc(timeMs);
  else if (h.systemTime !== undefined) dump.system_time_claimed = h.systemTime.toString();
  const kind = `${dump.type ?? 'kernel'} dump, ${dump.machine}, ${h.processors} processor${h.processors === 1 ? '' : 's'}`;
  const message = bugcheck
    ? `${kind}: bugcheck ${bugcheck.code}${bugcheck.name ? ` ${bugcheck.name}` : ''} (${(bugcheck.parameters ?? []).join(', ')})`
    : `${kind}: no bugcheck code in the header`;
  return {
    '@timestamp': isoUtc(timeMs ?? ctx.createdMs),
    event: { dataset: 'windows.dump', kind: 'event', category: ['host'], type: ['error'], action: 'bugcheck', code: bugcheck?.code ?? `0x${h.bugcheckCode.toString(16).padStart(8, '0')}`, original: describeHeader(h) },
    message,
    windows: { ...(bugcheck ? { bugcheck } : {}), dump },
    hangwatch: { time: { basis: timeMs !== undefined ? 'explicit' : 'ingest', ...(claimedMs !== undefined && !plausible ? { suspect: true } : {}) }, parse: { grammar: DUMP_GRAMMAR } },
  };
}

export const dumpParser: FormatParser = {
  format: 'dump',
  parse(ctx: ParseContext): EventDraft[] {
    let header: DumpHeader;
    try {
      header = readDumpHeader(ctx.record.bytes);
    } catch (error) {
      if (error instanceof DumpHeaderError) throw new ParseFailure('HW_DUMP_INVALID', DUMP_GRAMMAR, error.message, ['PAGEDUMP', 'PAGEDU64'], error);
      throw error;
    }
    return [buildDumpDraft(header, ctx)];
  },
};
