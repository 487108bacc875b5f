import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EcsEvent } from '../../../shared/schema/event.js';
import type { RawRecord } from '../../../shared/raw-record.js';
import { correlateAll } from '../../../services/correlator/core/correlate-all.js';
import { createHostCpuContentionRule, hostCpuContention } from '../../../services/correlator/core/rules/host-cpu-contention.js';
import type { RuleContext } from '../../../services/correlator/core/rules/rule.js';
import { domstatsParser } from '../../../services/parser/core/formats/domstats.js';
import { parseRecord, SourceStates } from '../../../services/parser/core/parse-record.js';
import { seedScenario } from '../correlator/fixtures.js';

// The seed's watchdog hang (vm105 on sc7, CLOCK_WATCHDOG_TIMEOUT at 05:11:54.777Z, no hv_* flags), correlated
// with vCPU samples parsed from `virsh domstats` text by the real parser, every 10 s from 05:10:00Z.

const HANG_MS = Date.parse('2017-03-15T05:11:54.777Z');

/** Sampler records (stamp + one Domain block) for vm105; `delayAt(t)` is vCPU 1's delay in ms/s over (t-10s, t]. */
function vcpuSamples(delayAt: (tMs: number) => number): EcsEvent[] {
  const states = new SourceStates();
  const out: EcsEvent[] = [];
  let time0 = 8_000_000_000_000n;
  let delay0 = 50_000_000_000n;
  let delay1 = 60_000_000_000n;
  for (let t = Date.parse('2017-03-15T05:10:00Z'), i = 0; t <= Date.parse('2017-03-15T05:12:00Z'); t += 10_000, i++) {
    time0 += 3_000_000_000n;
    delay0 += 20_000_000n; // 2 ms/s: an idle host
    delay1 += BigInt(Math.round(delayAt(t) * 10)) * 1_000_000n;
    const text = `${new Date(t).toISOString()}\nDomain: 'vm105'\n  vcpu.current=2\n  vcpu.0.state=1\n  vcpu.0.time=${time0}\n  vcpu.0.wait=0\n  vcpu.0.delay=${delay0}\n  vcpu.1.state=1\n  vcpu.1.time=${time0 / 2n}\n  vcpu.1.wait=0\n  vcpu.1.delay=${delay1}\n`;
    const record: RawRecord = { bytes: Buffer.from(text), host: 'sc7', path: 'host-metrics/domstats', format: 'domstats', fingerprint: 'sampler', offset: i, created: new Date(t).toISOString() };
    const outcome = parseRecord(record, { domstats: domstatsParser }, states, { maxRecordBytes: 1 << 20, validate: true });
    assert.equal(outcome.deadletters.length, 0);
    out.push(...outcome.events);
  }
  return out;
}

function hostPressure(at: string, avg10: number): EcsEvent {
  return {
    '@timestamp': new Date(at).toISOString(),
    event: { id: `psi-${at}`, dataset: 'linux.pressure', kind: 'metric', category: ['host'], type: ['info'], action: 'host-cpu-pressure' },
    host: { name: 'sc7', cpu: { pressure_some_avg10: avg10, runqueue: 40, count: 32, interval_ms: 10_000 } },
    libvirt: { hypervisor: 'sc7' },
    hangwatch: { time: { basis: 'explicit' }, parse: { grammar: 'virsh-domstats' } },
  };
}

function diagnosisOf(events: EcsEvent[]) {
  const { incidents } = correlateAll(events, {});
  const incident = incidents.find((i) => i.libvirt.domain.name === 'vm105' && i.incident.kind === 'bugcheck');
  assert.ok(incident, 'the seed bugcheck is an incident');
  return incident.incident.diagnosis;
}

test('the same watchdog hang: host-cpu-contention first when vCPU 1 waited 740 ms/s just before it', () => {
  const busy = (t: number) => (t > HANG_MS - 30_000 && t - 10_000 <= HANG_MS ? 740 : 3);
  const diagnosis = diagnosisOf([...seedScenario(), ...vcpuSamples(busy)]);
  assert.deepEqual(diagnosis.slice(0, 2).map((d) => d.code), ['host-cpu-contention', 'missing-hyperv-enlightenments']);
  assert.equal(diagnosis[0]?.confidence, 0.95);
  assert.match(diagnosis[0]?.summary ?? '', /vCPU 1 of vm105 waited 740 ms per second/);
  assert.match(diagnosis[0]?.remediation ?? '', /<relaxed state='on'\/>/);
});

test('the same watchdog hang: missing-hyperv-enlightenments first when the vCPUs were scheduled on time', () => {
  const diagnosis = diagnosisOf([...seedScenario(), ...vcpuSamples(() => 3)]);
  assert.equal(diagnosis[0]?.code, 'missing-hyperv-enlightenments');
  assert.ok(!diagnosis.some((d) => d.code === 'host-cpu-contention'));
});

test('host-wide PSI alone holds too, ranked after the missing enlightenments', () => {
  const diagnosis = diagnosisOf([...seedScenario(), ...vcpuSamples(() => 3), hostPressure('2017-03-15T05:11:50Z', 63.9)]);
  assert.deepEqual(diagnosis.slice(0, 2).map((d) => d.code), ['missing-hyperv-enlightenments', 'host-cpu-contention']);
  assert.equal(diagnosis[1]?.confidence, 0.6);
  assert.match(diagnosis[1]?.summary ?? '', /PSI cpu some avg10 63.9%, run queue 40 on 32 CPUs/);
});

function ctx(events: EcsEvent[], over: Partial<RuleContext> = {}): RuleContext {
  return {
    kind: 'bugcheck',
    domain: 'vm105',
    hypervisor: 'sc7',
    hangMs: HANG_MS,
    bugcheck: { code: '0x00000101', name: 'CLOCK_WATCHDOG_TIMEOUT' },
    events,
    signals: [],
    thresholds: { ioAwaitMs: 500, ioUtilPct: 99 },
    ...over,
  };
}

test('samples long before the hang, or of another domain, do not count', () => {
  const early = vcpuSamples((t) => (t < HANG_MS - 60_000 ? 900 : 3));
  assert.equal(hostCpuContention.evaluate(ctx(early, { hangMs: HANG_MS + 10 * 60_000 })), undefined);
  const other = vcpuSamples(() => 900).map((e) => ({ ...e, libvirt: { ...e.libvirt, domain: { name: 'vm102' } } }));
  assert.equal(hostCpuContention.evaluate(ctx(other)), undefined);
});

test('thresholds are configurable (rule factory, or ctx.thresholds from the correlator); a non-watchdog hang halves the confidence', () => {
  const mild = vcpuSamples(() => 150);
  assert.equal(hostCpuContention.evaluate(ctx(mild)), undefined);
  assert.equal(createHostCpuContentionRule({ vcpuDelayMsPerS: 100, vcpuDelayCriticalMsPerS: 400, pressureSomeAvg10Pct: 40, stealPct: 10, lookbackMs: 300_000 }).evaluate(ctx(mild))?.confidence, 0.85);
  const viaCtx = hostCpuContention.evaluate(ctx(mild, { thresholds: { ioAwaitMs: 500, ioUtilPct: 99, vcpuDelayMsPerS: 100 } as RuleContext['thresholds'] }));
  assert.equal(viaCtx?.confidence, 0.85);
  const hardHang = hostCpuContention.evaluate(ctx(vcpuSamples(() => 800), { kind: 'hard-hang', bugcheck: undefined } as Partial<RuleContext>));
  assert.equal(hardHang?.confidence, 0.48);
});
