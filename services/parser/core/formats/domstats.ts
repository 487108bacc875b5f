import rules from '../../../../grammars/generated/virsh-domstats.js';
import { runGrammar } from '../../../../grammars/run-grammar.js';
import { isoUtc } from '../../../../shared/time.js';
import type { EventDraft, FormatParser, ParseContext } from '../event-draft.js';
import { feedLines, GRAMMAR } from '../domstats/assemble.js';
import { domstatsMemo, forgetStaleDomains, type DomstatsMemo } from '../domstats/domstats-memo.js';
import { computeHostFigures, readHostCounters, type HostFigures } from '../domstats/host-rates.js';
import type { DomstatsLine } from '../domstats/line-shape.js';
import type { DomainSample, HostSample, SampleTime } from '../domstats/samples.js';
import { parseStamp } from '../domstats/stamp.js';
import { computeVcpuRates, readVcpuCounters, type VcpuRate } from '../domstats/vcpu-rates.js';

// Host CPU samples (issue 15) into metric events: `virsh domstats --vcpu --cpu-total --raw` blocks become one
// `vcpu-stats` event per vCPU (dataset libvirt.domstats), the host's PSI / steal / run queue one
// `host-cpu-pressure` event (dataset linux.pressure). Both carry per-interval rates, so each needs the
// previous sample of the same domain (or host) from this source's memo: the first sample emits nothing.

function timeFields(time: SampleTime): EventDraft['hangwatch']['time'] {
  return { basis: time.basis, ...(time.zone !== undefined ? { zone: time.zone } : {}) };
}

function vcpuDraft(sample: DomainSample, rate: VcpuRate, intervalMs: number, ctx: ParseContext): EventDraft {
  const c = rate.counters;
  const parts: string[] = [];
  if (rate.delayMsPerS !== undefined) parts.push(`delay ${rate.delayMsPerS} ms/s`);
  if (rate.timeMsPerS !== undefined) parts.push(`run ${rate.timeMsPerS} ms/s`);
  if (rate.waitMsPerS) parts.push(`wait ${rate.waitMsPerS} ms/s`);
  if (rate.delayMsPerS === undefined) parts.push('no delay counter (libvirt < 7.9)');
  return {
    '@timestamp': isoUtc(sample.time.ms),
    event: { dataset: 'libvirt.domstats', kind: 'metric', category: ['host'], type: ['info'], action: 'vcpu-stats' },
    message: `${sample.name} vCPU ${rate.id}: ${parts.join(', ')} over ${(intervalMs / 1000).toFixed(1)} s`,
    host: { name: ctx.record.host },
    libvirt: {
      domain: { name: sample.name },
      vcpu: {
        id: rate.id,
        ...(rate.state !== undefined ? { state: rate.state } : {}),
        ...(c.time !== undefined ? { time_ns: Number(c.time) } : {}),
        ...(c.wait !== undefined ? { wait_ns: Number(c.wait) } : {}),
        ...(c.delay !== undefined ? { delay_ns: Number(c.delay) } : {}),
        ...(rate.timeMsPerS !== undefined ? { time_ms_per_s: rate.timeMsPerS } : {}),
        ...(rate.waitMsPerS !== undefined ? { wait_ms_per_s: rate.waitMsPerS } : {}),
        ...(rate.delayMsPerS !== undefined ? { delay_ms_per_s: rate.delayMsPerS } : {}),
        interval_ms: intervalMs,
      },
    },
    hangwatch: { time: timeFields(sample.time), attribution: 'record', parse: { grammar: GRAMMAR } },
  };
}

function domainDrafts(sample: DomainSample, memo: DomstatsMemo, ctx: ParseContext): EventDraft[] {
  const counters = readVcpuCounters(sample.stats);
  const previous = memo.domains.get(sample.name);
  memo.domains.set(sample.name, { timeMs: sample.time.ms, vcpus: counters });
  forgetStaleDomains(memo, sample.time.ms);
  if (!previous) return [];
  const intervalMs = sample.time.ms - previous.timeMs;
  if (intervalMs <= 0) return [];
  return computeVcpuRates(previous, counters, intervalMs).map((rate) => vcpuDraft(sample, rate, intervalMs, ctx));
}

function describeHost(f: HostFigures): string {
  const parts: string[] = [];
  if (f.pressure_some_avg10 !== undefined) parts.push(`PSI some avg10 ${f.pressure_some_avg10}%`);
  if (f.pressure_some_ms_per_s !== undefined) parts.push(`stall ${f.pressure_some_ms_per_s} ms/s`);
  if (f.steal_pct !== undefined) parts.push(`steal ${f.steal_pct}%`);
  if (f.usage !== undefined) parts.push(`usage ${Math.round(f.usage * 1000) / 10}%`);
  if (f.runqueue !== undefined) parts.push(`run queue ${f.runqueue}${f.count !== undefined ? `/${f.count} CPUs` : ''}`);
  return `host CPU: ${parts.join(', ') || 'no figures'}`;
}

function hostDrafts(sample: HostSample, memo: DomstatsMemo, ctx: ParseContext): EventDraft[] {
  const current = readHostCounters(sample);
  const previous = memo.host;
  memo.host = current;
  if (!previous || current.timeMs <= previous.timeMs) return [];
  const figures = computeHostFigures(previous, current, sample);
  return [
    {
      '@timestamp': isoUtc(sample.time.ms),
      event: { dataset: 'linux.pressure', kind: 'metric', category: ['host'], type: ['info'], action: 'host-cpu-pressure' },
      message: describeHost(figures),
      host: { name: ctx.record.host, cpu: figures },
      hangwatch: { time: timeFields(sample.time), parse: { grammar: GRAMMAR } },
    },
  ];
}

export const domstatsParser: FormatParser = {
  format: 'domstats',
  parse(ctx: ParseContext): EventDraft[] {
    if (ctx.text.trim() === '') return [];
    const lines = runGrammar<DomstatsLine[]>(GRAMMAR, rules, ctx.text);
    const memo = domstatsMemo(ctx.state);
    const closed = feedLines(memo, lines, ctx.text.trim().includes('\n'), { ms: ctx.createdMs, basis: 'ingest' }, (text) => parseStamp(text, ctx.options.hostZone));
    const drafts: EventDraft[] = [];
    for (const sample of closed) {
      if (sample.kind === 'domain') drafts.push(...domainDrafts(sample, memo, ctx));
      else drafts.push(...hostDrafts(sample, memo, ctx));
    }
    if (drafts.length > 0) ctx.state.lastTimestampMs = Date.parse(drafts[drafts.length - 1]!['@timestamp']);
    return drafts;
  },
};
