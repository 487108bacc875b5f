import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EcsEvent } from '../../shared/schema/event.js';
import type { RawRecord } from '../../shared/raw-record.js';
import { parseZone } from '../../shared/time.js';
import { domstatsParser } from '../../services/parser/core/formats/domstats.js';
import { parseRecord, SourceStates } from '../../services/parser/core/parse-record.js';
import { assertGolden, FIXED_CREATED, listFixtures, parseFile, registryOf } from './golden.js';

const dir = join(import.meta.dirname, 'fixtures', 'domstats');
const registry = registryOf(domstatsParser);
const whole = { format: 'domstats', framing: 'whole', host: 'sc7', path: 'host-metrics/domstats', parseOptions: { hostZone: parseZone('Asia/Shanghai') } } as const;
const parse = (name: string, framing: 'whole' | 'lines' = 'whole') => parseFile(join(dir, name), registry, { ...whole, framing });

/** What an event says, without where it was read (ids and offsets depend on the framing). */
function content(e: EcsEvent): unknown {
  return { t: e['@timestamp'], action: e.event.action, domain: e.libvirt?.domain?.name, vcpu: e.libvirt?.vcpu, cpu: e.host?.cpu, time: e.hangwatch.time };
}

for (const file of listFixtures(dir)) {
  test(`domstats golden: ${file.split('/').pop()}`, () => {
    assertGolden(file, parseFile(file, registry, whole));
  });
}

for (const file of listFixtures(join(dir, 'invalid'))) {
  test(`domstats invalid input is a dead letter: ${file.split('/').pop()}`, () => {
    const outcome = parseFile(file, registry, whole);
    assert.equal(outcome.events.length, 0);
    assert.equal(outcome.deadletters.length, 1);
    assert.equal(outcome.deadletters[0]?.error.code, 'HW_PARSE_NO_MATCH');
    assert.equal(outcome.deadletters[0]?.hangwatch.grammar, 'virsh-domstats');
  });
}

test('libvirt >= 7.9: delay becomes ms of run-queue wait per second; kvm .sum/.cur stats are ignored', () => {
  const { events, deadletters } = parse('libvirt-8.0-delay-kvm-stats.log');
  assert.equal(deadletters.length, 0);
  // First sample of each domain: nothing; second: one event per vCPU.
  assert.deepEqual(events.map((e) => [e.libvirt?.domain?.name, e.libvirt?.vcpu?.id]), [['win2022', 0], ['win2022', 1], ['vps3458844', 0]]);
  const hot = events[1]!;
  // (43245180097 - 35827450441) ns over 10 s = 7417.73 ms / 10 s
  assert.equal(hot.libvirt?.vcpu?.delay_ms_per_s, 741.77);
  assert.equal(hot.libvirt?.vcpu?.time_ms_per_s, 224);
  assert.equal(hot.libvirt?.vcpu?.interval_ms, 10_000);
  assert.equal(hot.event.dataset, 'libvirt.domstats');
  assert.equal(hot.event.action, 'vcpu-stats');
  assert.equal(hot.event.kind, 'metric');
  assert.equal(hot['@timestamp'], '2026-03-15T05:11:30.000Z');
  assert.deepEqual(hot.hangwatch.time, { basis: 'explicit' });
  assert.equal(hot.hangwatch.attribution, 'record');
  // 134773840000000 ns of vCPU time is past 2^53 / 1e3 but below 2^53: still exact.
  assert.equal(events[2]?.libvirt?.vcpu?.time_ns, 134773840000000);
});

test('libvirt 1.3 (no delay counter): run and wait rates only; a local date -Is stamp keeps its offset', () => {
  const { events } = parse('libvirt-1.3-no-delay.log');
  assert.equal(events.length, 4);
  assert.equal(events[0]?.libvirt?.vcpu?.delay_ms_per_s, undefined);
  assert.equal(events[0]?.libvirt?.vcpu?.time_ms_per_s, 87);
  assert.match(events[0]?.message ?? '', /no delay counter/);
  assert.equal(events[0]?.['@timestamp'], '2017-03-15T05:11:00.000Z');
});

test('non-raw booleans (vcpu.0.halted=yes) are accepted and ignored', () => {
  const { events, deadletters } = parse('libvirt-2.5-halted-nonraw.log');
  assert.equal(deadletters.length, 0);
  assert.equal(events.length, 1);
  assert.equal(events[0]?.libvirt?.vcpu?.interval_ms, 5000);
});

test('host samples: PSI avg10 as printed, the stall counter and /proc/stat as per-interval rates, run queue', () => {
  const { events } = parse('sampler-host-cpu.log');
  assert.equal(events.length, 1);
  const e = events[0]!;
  assert.equal(e.event.action, 'host-cpu-pressure');
  assert.equal(e.event.dataset, 'linux.pressure');
  assert.equal(e.libvirt?.domain, undefined);
  // (877612467 - 871234567) us over 10 s = 637.79 ms/s
  assert.deepEqual(e.host?.cpu, {
    interval_ms: 10_000,
    pressure_some_avg10: 63.87,
    pressure_some_avg60: 21.5,
    pressure_some_avg300: 7.11,
    pressure_full_avg10: 0,
    pressure_some_ms_per_s: 637.79,
    usage: 0.946,
    steal_pct: 0,
    count: 4,
    runqueue: 11,
    load_1: 6.84,
  });
});

test('a host without PSI (RHEL 8 default, kernels < 4.20): steal and run queue still come through', () => {
  const { events } = parse('nested-host-no-psi.log');
  assert.equal(events.length, 1);
  assert.equal(events[0]?.host?.cpu?.pressure_some_avg10, undefined);
  // steal 560 of 2313 jiffies
  assert.equal(events[0]?.host?.cpu?.steal_pct, 24.21);
  assert.equal(events[0]?.host?.cpu?.runqueue, 5);
});

test('read line by line, a file gives the same samples (the last block waits for a line that closes it)', () => {
  const byWhole = parse('libvirt-8.0-delay-kvm-stats.log').events.map(content);
  const byLines = parse('libvirt-8.0-delay-kvm-stats.log', 'lines').events.map(content);
  // The last domain block of the file is closed by nothing in line mode.
  assert.deepEqual(byLines, byWhole.slice(0, -1));
  const hostLines = parse('sampler-host-cpu.log', 'lines');
  assert.equal(hostLines.deadletters.length, 0);
});

test('sampler records (one stamped block per record) give the same events as the whole file', () => {
  const text = readFileSync(join(dir, 'libvirt-8.0-delay-kvm-stats.log'), 'utf8');
  // Each record: the stamp of its sample + one Domain block, as startHostMetricsInput emits them.
  const records: string[] = [];
  for (const sample of text.split(/^(?=\d{4}-)/m)) {
    const [stamp, ...rest] = sample.split('\n');
    for (const block of rest.join('\n').split(/^(?=Domain: )/m)) if (block.trim()) records.push(`${stamp}\n${block.trimEnd()}`);
  }
  assert.equal(records.length, 4);
  const states = new SourceStates();
  const events: EcsEvent[] = [];
  records.forEach((r, i) => {
    const record: RawRecord = { bytes: Buffer.from(r), host: 'sc7', path: 'host-metrics/domstats', format: 'domstats', fingerprint: 'sampler', offset: i, created: FIXED_CREATED };
    const out = parseRecord(record, registry, states, { maxRecordBytes: 1 << 20, validate: true });
    assert.equal(out.deadletters.length, 0);
    events.push(...out.events);
  });
  assert.deepEqual(events.map(content), parse('libvirt-8.0-delay-kvm-stats.log').events.map(content));
});

test('a restarted domain (counters went backwards) gives no rate for that interval, then rates again', () => {
  const sample = (t: string, time: number, delay: number): string => `${t}\nDomain: 'vm7'\n  vcpu.0.state=1\n  vcpu.0.time=${time}\n  vcpu.0.delay=${delay}\n`;
  const text = [sample('2026-01-01T00:00:00Z', 9e11, 5e10), sample('2026-01-01T00:00:10Z', 2e9, 1e8), sample('2026-01-01T00:00:20Z', 4e9, 3.1e9)].join('');
  const states = new SourceStates();
  const record: RawRecord = { bytes: Buffer.from(text), host: 'sc7', path: 'x', format: 'domstats', fingerprint: 'f', offset: 0, created: FIXED_CREATED };
  const { events } = parseRecord(record, registry, states, { maxRecordBytes: 1 << 20, validate: true });
  assert.deepEqual(events.map((e) => [e['@timestamp'], e.libvirt?.vcpu?.delay_ms_per_s]), [['2026-01-01T00:00:20.000Z', 300]]);
});
