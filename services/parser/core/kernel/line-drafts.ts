import type { EventDraft, ParseContext } from '../event-draft.js';
import { buildKernelDraft } from './build-event.js';
import { classifyKernelMessage } from './classify-message.js';
import { auditEpochMs, noteDatedEvidence } from './dated-evidence.js';
import { kernelMemo, type KernelMemo } from './kernel-memo.js';
import { uptimeTokenMs, type KernelLine } from './line-shape.js';
import { learnBoot, noteJournalMarker, resolveDmesgTime, resolveSyslogTime, type ResolvedTime } from './resolve-time.js';

// One stamped kernel log line (grammars/kernel.ne's structure) into its event.

/** The line's time becomes what the next lines without one inherit, with the rule that gave its year. */
export function rememberTime(ctx: ParseContext, memo: KernelMemo, time: ResolvedTime): void {
  ctx.state.lastTimestampMs = time.ms;
  if (time.year === undefined) delete memo.lastYear;
  else memo.lastYear = time.year;
}

export function draftsOfLine(line: KernelLine, ctx: ParseContext, flags?: readonly string[]): EventDraft[] {
  const memo = kernelMemo(ctx.state);
  if (line.kind === 'marker') {
    noteJournalMarker(line.text, ctx);
    return [];
  }
  // A line with a stamp of its own ends a wall broadcast's context.
  delete memo.wall;
  const extra = flags && flags.length > 0 ? { flags } : {};
  if (line.kind === 'dmesg') {
    let time = resolveDmesgTime(line, ctx);
    const uptimeMs = line.stampKind === 'uptime' ? uptimeTokenMs(line.stamp) : undefined;
    // An audit record's own epoch stamp dates the line and gives the boot time of the uptime stamps around it.
    const audit = uptimeMs !== undefined ? auditEpochMs(line.message) : undefined;
    if (audit !== undefined && uptimeMs !== undefined) {
      learnBoot(memo, audit - uptimeMs, undefined);
      time = { ms: audit, basis: 'explicit' };
    }
    rememberTime(ctx, memo, time);
    return [
      buildKernelDraft({
        time,
        hostName: line.host ?? ctx.record.host,
        message: line.message,
        ...(uptimeMs !== undefined ? { uptimeMs } : {}),
        ...(line.level !== undefined ? { level: line.level } : {}),
        classified: classifyKernelMessage(line.message),
        ...extra,
      }),
    ];
  }
  noteDatedEvidence(line, ctx, memo);
  const time = resolveSyslogTime(line, ctx);
  rememberTime(ctx, memo, time);
  const isKernel = line.program === 'kernel';
  return [
    buildKernelDraft({
      time,
      // A line without a host field is the collecting host's own.
      hostName: line.host ?? ctx.record.host,
      message: line.message,
      ...(line.uptimeMs !== undefined ? { uptimeMs: line.uptimeMs } : {}),
      ...(line.program !== undefined && !isKernel ? { program: line.program } : {}),
      ...(line.pid !== undefined ? { pid: line.pid } : {}),
      ...(line.level !== undefined ? { level: line.level } : {}),
      ...(isKernel ? { classified: classifyKernelMessage(line.message) } : {}),
      ...extra,
    }),
  ];
}
