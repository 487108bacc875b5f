import type { EventDraft, FormatParser, ParseContext } from '../event-draft.js';
import { ParseFailure } from '../parse-failure.js';
import { buildKernelDraft } from '../kernel/build-event.js';
import { classifyKernelMessage } from '../kernel/classify-message.js';
import { kernelMemo } from '../kernel/kernel-memo.js';
import { draftsOfLine, rememberTime } from '../kernel/line-drafts.js';
import { parseKernelLine, type KernelLine } from '../kernel/line-shape.js';
import { draftsOfUnstampedLine } from '../kernel/unstamped-line.js';

// Linux kernel log lines (kern.log, messages, journalctl, dmesg, console captures) into `linux.kernel` events:
// grammars/kernel.ne for the line, grammars/kernel-message.ne for what the kernel said. One line per record.

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
      const time = { ms: Date.parse(ctx.record.time), basis: 'explicit' as const };
      rememberTime(ctx, kernelMemo(ctx.state), time);
      return [buildKernelDraft({ time, hostName: ctx.record.host, message: text, classified: classifyKernelMessage(text) })];
    }
    let line: KernelLine;
    try {
      line = parseKernelLine(text);
    } catch (error) {
      // No stamp the grammar knows at the start: a wall broadcast, a shell prompt, a message without a stamp...
      if (error instanceof ParseFailure && error.code === 'HW_PARSE_NO_MATCH') return draftsOfUnstampedLine(text, ctx);
      throw error;
    }
    return draftsOfLine(line, ctx);
  },
};
