import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { startHostMetricsInput } from '../../../services/shipper/adapters/host-metrics.js';
import { buildHostCpuRecord, splitDomstatsBlocks } from '../../../services/shipper/core/host-metrics-records.js';
import { domstatsParser } from '../../../services/parser/core/formats/domstats.js';
import { parseRecord, SourceStates } from '../../../services/parser/core/parse-record.js';

// The sampler against a real child process (node printing virsh-shaped output) and a folder standing in for /proc.

const VIRSH_OUTPUT = (delay: number) =>
  `Domain: 'win2022'\n  state.state=1\n  cpu.time=486629513000\n  vcpu.current=1\n  vcpu.maximum=1\n  vcpu.0.state=1\n  vcpu.0.time=${115940000000 + delay}\n  vcpu.0.wait=0\n  vcpu.0.delay=${34399069382 + delay}\n\nDomain: 'vm7'\n  state.state=1\n  vcpu.current=1\n  vcpu.0.state=1\n  vcpu.0.time=1000\n  vcpu.0.wait=0\n\n`;

test('virsh output is cut into one record per Domain block', () => {
  assert.deepEqual(
    splitDomstatsBlocks(VIRSH_OUTPUT(0)).map((b) => b.split('\n')[0]),
    ["Domain: 'win2022'", "Domain: 'vm7'"],
  );
  assert.deepEqual(splitDomstatsBlocks(''), []);
  assert.equal(buildHostCpuRecord(0, {}), undefined);
});

test('two rounds of the sampler become vcpu-stats and host-cpu-pressure events through the parser', async () => {
  const proc = mkdtempSync(join(tmpdir(), 'hw-proc-'));
  const out = join(proc, 'virsh.txt');
  try {
    mkdirSync(join(proc, 'pressure'));
    let clock = Date.parse('2026-03-15T05:11:20.000Z');
    const writeRound = (delay: number, psiTotal: number, user: number) => {
      writeFileSync(out, VIRSH_OUTPUT(delay));
      writeFileSync(join(proc, 'pressure', 'cpu'), `some avg10=51.00 avg60=20.00 avg300=5.00 total=${psiTotal}\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n`);
      writeFileSync(join(proc, 'stat'), `cpu  ${user} 0 100 9000 0 0 0 0 0 0\ncpu0 ${user} 0 100 9000 0 0 0 0 0 0\nintr 123456 1 2 3\nctxt 99\nprocs_running 7\nprocs_blocked 0\n`);
      writeFileSync(join(proc, 'loadavg'), '3.10 1.00 0.50 7/300 4242\n');
    };
    const emitted: Array<[string, string]> = [];
    const errors: string[] = [];
    writeRound(0, 1_000_000, 1000);
    const input = startHostMetricsInput(
      { intervalMs: 60_000, procRoot: proc, virsh: [process.execPath, '-e', `process.stdout.write(require('fs').readFileSync(${JSON.stringify(out)}, 'utf8'))`], now: () => clock, onError: (what) => errors.push(what) },
      (record, kind) => emitted.push([record, kind]),
    );
    await input.sampleOnce();
    clock += 10_000;
    writeRound(6_000_000_000, 6_000_000, 9000);
    await input.sampleOnce();
    await input.stop();
    assert.deepEqual(errors, []);
    assert.deepEqual(emitted.map(([, kind]) => kind), ['host-cpu', 'domstats', 'domstats', 'host-cpu', 'domstats', 'domstats']);
    assert.ok(!emitted[0]![0].includes('intr'), 'long /proc/stat lines are left out');

    const states = new SourceStates();
    const events: EcsEvent[] = [];
    emitted.forEach(([text, kind], i) => {
      const r = parseRecord(
        { bytes: Buffer.from(text), host: 'kvm07', path: `host-metrics/${kind}`, format: 'domstats', fingerprint: `sampler-${kind}`, offset: i, created: new Date(clock).toISOString() },
        { domstats: domstatsParser },
        states,
        { maxRecordBytes: 1 << 20, validate: true },
      );
      assert.deepEqual(r.deadletters, []);
      events.push(...r.events);
    });
    assert.deepEqual(events.map((e) => [e.event.action, e.libvirt?.domain?.name]), [['host-cpu-pressure', undefined], ['vcpu-stats', 'win2022'], ['vcpu-stats', 'vm7']]);
    assert.equal(events[1]?.libvirt?.vcpu?.delay_ms_per_s, 600);
    assert.equal(events[0]?.host?.cpu?.pressure_some_ms_per_s, 500);
    assert.equal(events[0]?.host?.cpu?.runqueue, 7);
    assert.equal(events[0]?.['@timestamp'], '2026-03-15T05:11:30.000Z');
  } finally {
    rmSync(proc, { recursive: true, force: true });
  }
});

test('a failing virsh is reported and the host record still comes', async () => {
  const proc = mkdtempSync(join(tmpdir(), 'hw-proc-'));
  try {
    writeFileSync(join(proc, 'loadavg'), '0.10 0.10 0.10 1/100 5\n');
    const emitted: string[] = [];
    const errors: string[] = [];
    const input = startHostMetricsInput({ intervalMs: 60_000, procRoot: proc, virsh: [process.execPath, '-e', 'process.exit(1)'], onError: (what) => errors.push(what) }, (_r, kind) => emitted.push(kind));
    await input.sampleOnce();
    await input.stop();
    assert.deepEqual(emitted, ['host-cpu']);
    assert.deepEqual(errors, ['virsh domstats']);
  } finally {
    rmSync(proc, { recursive: true, force: true });
  }
});
