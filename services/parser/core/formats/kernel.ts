import rules from '../../../../grammars/generated/kernel.js';
import { runGrammar } from '../../../../grammars/run-grammar.js';
import type { EventDraft, FormatParser, ParseContext } from '../event-draft.js';
import { ParseFailure } from '../parse-failure.js';
import { buildKernelDraft } from '../kernel/build-event.js';
import { classifyKernelMessage } from '../kernel/classify-message.js';
import type { KernelLine } from '../kernel/line-shape.js';
import { noteJournalMarker, resolveDmesgTime, resolveSyslogTime } from '../kernel/resolve-time.js';

// Linux kernel log lines (kern.log, messages, journalctl, dmesg) into `linux.kernel` events: grammars/kernel.ne
// for the line, grammars/kernel-message.ne for what the kernel said. One line per record.

const LINE_STARTS = ['bsdStamp', 'isoStamp', 'uptime', 'wallClock', 'journalMarker'];

export const kernelParser: FormatParser = {
  format: 'kernel',
  parse(ctx: ParseContext): EventDraft[] {
    let text = ctx.text;
    // rsyslog files cut by a power loss carry a run of NUL bytes before the next good line: parse what follows
    // (the core flags the record `nul-bytes`); a line of nothing but NULs is a dead letter.
    if (text.charCodeAt(0) === 0) {
      text = text.replace(/^\u0000+/, '');
      if (text.trim() === '') throw new ParseFailure('HW_PARSE_NO_MATCH', 'kernel', 'a line of NUL bytes', LINE_STARTS);
    }
    if (text.trim() === '') return [];
    // A journald kernel entry (issue 14): MESSAGE is the bare printk text, its time is the journal's (RawRecord.time).
    if (ctx.record.time !== undefined && !/^(\w{3} [ \d]\d |\d{4}-\d\d-\d\d|\[\s*\d+\.\d+\])/.test(text)) {
      const ms = Date.parse(ctx.record.time);
      ctx.state.lastTimestampMs = ms;
      return [buildKernelDraft({ time: { ms, basis: 'explicit' }, hostName: ctx.record.host, message: text, classified: classifyKernelMessage(text) })];
    }
    const line = runGrammar<KernelLine>('kernel', rules, text);
    if (line.kind === 'marker') {
      noteJournalMarker(line.text, ctx);
      return [];
    }
    if (line.kind === 'dmesg') {
      const time = resolveDmesgTime(line, ctx);
      ctx.state.lastTimestampMs = time.ms;
      return [
        buildKernelDraft({
          time,
          hostName: ctx.record.host,
          message: line.message,
          ...(line.uptimeMs !== undefined ? { uptimeMs: line.uptimeMs } : {}),
          classified: classifyKernelMessage(line.message),
        }),
      ];
    }
    const time = resolveSyslogTime(line, ctx);
    ctx.state.lastTimestampMs = time.ms;
    const isKernel = line.program === 'kernel';
    return [
      buildKernelDraft({
        time,
        hostName: line.host,
        message: line.message,
        ...(line.uptimeMs !== undefined ? { uptimeMs: line.uptimeMs } : {}),
        ...(line.program !== undefined && !isKernel ? { program: line.program } : {}),
        ...(line.pid !== undefined ? { pid: line.pid } : {}),
        ...(isKernel ? { classified: classifyKernelMessage(line.message) } : {}),
      }),
    ];
  },
};
