import type { Finding, RuleContext } from './rule.js';

// What an incident says when no rule matched: still a hang, with the evidence attached.
export function describeUnknown(ctx: RuleContext): Finding {
  return {
    confidence: 0,
    summary: `no known cause matched for ${ctx.domain}'s ${ctx.kind}${ctx.bugcheck ? ` ${ctx.bugcheck.code}` : ''}`,
    remediation: 'Read the evidence around the hang; collect a kernel memory dump (WinDbg !analyze -v) and the host kernel and iostat logs for the next occurrence.',
  };
}
