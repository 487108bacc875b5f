import { round2, type DiagnosisRule } from './rule.js';

// iostat -x on the host: a device whose await or %util stayed above the thresholds near the hang starved the
// guest's disk requests (the seed's operator checked this first and found it normal).

export const hostIoStall: DiagnosisRule = {
  code: 'host-io-stall',
  description: 'iostat await or %util above the thresholds in the window',
  evaluate(ctx) {
    const stalled = ctx.events.filter((e) => {
      const io = e.linux?.iostat;
      if (e.event.action !== 'io-stats' || !io) return false;
      return (io.await_ms ?? Math.max(io.r_await_ms ?? 0, io.w_await_ms ?? 0)) >= ctx.thresholds.ioAwaitMs || (io.util_pct ?? 0) >= ctx.thresholds.ioUtilPct;
    });
    if (stalled.length === 0) return undefined;
    const devices = [...new Set(stalled.map((e) => e.linux!.iostat!.device))].sort();
    const worstAwait = Math.max(...stalled.map((e) => e.linux!.iostat!.await_ms ?? Math.max(e.linux!.iostat!.r_await_ms ?? 0, e.linux!.iostat!.w_await_ms ?? 0)));
    return {
      confidence: round2(Math.min(0.75, 0.4 + 0.05 * stalled.length)),
      summary: `${devices.join(', ')} on ${ctx.hypervisor} stalled in ${stalled.length} iostat sample(s) (await up to ${worstAwait} ms)`,
      remediation: 'Find the load on those devices (iotop, the other guests on the pool); move the image to faster storage or set I/O limits (<iotune>) on noisy neighbours.',
    };
  },
};
