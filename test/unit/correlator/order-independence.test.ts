import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EcsEvent } from '../../../shared/schema/event.js';
import type { Incident } from '../../../shared/schema/incident.js';
import { listIncidentProblems } from '../../../shared/schema/incident.js';
import { applyOutput, correlateAll, Correlator, sortIncidents, type CorrelatorOptions } from '../../../services/correlator/core/index.js';
import { FLEET_EXPECTED, fleetScenario } from './fleet-scenario.js';

// Event-time correlation: the same final incidents whatever the arrival order (DESIGN.md section 6).

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function stream(events: readonly EcsEvent[], options: CorrelatorOptions): { incidents: Incident[]; tombstones: number; enriched: Map<string, EcsEvent> } {
  const correlator = new Correlator(options);
  const incidents = new Map<string, Incident>();
  const enriched = new Map<string, EcsEvent>();
  let tombstones = 0;
  for (const event of events) {
    const out = correlator.push(event);
    tombstones += out.tombstones.length;
    applyOutput(out, incidents, enriched);
  }
  applyOutput(correlator.flush(), incidents, enriched);
  return { incidents: sortIncidents([...incidents.values()]), tombstones, enriched };
}

/** Each host's records in time order with local jitter under the lateness bound, hosts interleaved at random. */
function interleave(events: readonly EcsEvent[], random: () => number, jitterMs: number): EcsEvent[] {
  const keyed = events.map((e) => ({ e, key: Date.parse(e['@timestamp']) + random() * jitterMs }));
  return keyed.sort((a, b) => a.key - b.key).map((x) => x.e);
}

test('fleet: correlateAll finds each hang once, with the expected kind, time and top diagnosis', () => {
  const { incidents } = correlateAll(fleetScenario(), {});
  for (const incident of incidents) assert.deepEqual(listIncidentProblems(incident), []);
  assert.deepEqual(
    incidents.map((i) => ({ hypervisor: i.libvirt.hypervisor, domain: i.libvirt.domain.name, kind: i.incident.kind, at: i['@timestamp'], top: i.incident.diagnosis[0]?.code })).sort((a, b) => `${a.hypervisor}/${a.domain}`.localeCompare(`${b.hypervisor}/${b.domain}`)),
    FLEET_EXPECTED.map((x) => ({ ...x })),
  );
});

test('fleet: the unexpected qemu exit of vm204 also names the iostat stall before it, and the clean shutdown stays quiet', () => {
  const { incidents } = correlateAll(fleetScenario(), {});
  const vm204 = incidents.find((i) => i.libvirt.domain.name === 'vm204');
  assert.ok(vm204?.incident.diagnosis.some((d) => d.code === 'host-io-stall'));
  assert.ok(vm204?.incident.evidence.some((e) => e.event.action === 'io-stats' && e.message === 'sdb'));
  assert.ok(!vm204?.incident.evidence.some((e) => e.message === 'sda'), 'an idle device is not evidence');
  assert.ok(!incidents.some((i) => i.libvirt.domain.name === 'vm203'));
});

test('fleet: the guest local time is re-timed with the zone learned from WinDbg (GMT-5)', () => {
  const { events } = correlateAll(fleetScenario(), {});
  const crash = events.find((e) => e.event.action === 'service-crash' && e.libvirt?.hypervisor === 'sc9');
  assert.equal(crash?.['@timestamp'], '2017-03-15T02:05:00.000Z');
  assert.equal(crash?.hangwatch.time.zone, '-05:00');
  assert.equal(crash?.libvirt?.domain?.name, 'vm301');
  assert.equal(crash?.hangwatch.attribution, 'folder');
});

test('fleet: the Winlogbeat records resolve to their domain by MAC', () => {
  const { events } = correlateAll(fleetScenario(), {});
  const guest = events.filter((e) => e.event.dataset === 'windows.winlogbeat');
  assert.ok(guest.length > 0);
  for (const e of guest) assert.deepEqual([e.libvirt?.domain?.name, e.hangwatch.attribution], ['vm201', 'mac']);
});

test('fleet: the bugcheck merges qemu panic, WinDbg, 41 and 1001 into one incident with the WinDbg parameters', () => {
  const { incidents } = correlateAll(fleetScenario(), {});
  const vm301 = incidents.find((i) => i.libvirt.domain.name === 'vm301');
  assert.equal(vm301?.incident.signals?.length, 4);
  assert.deepEqual(vm301?.windows?.bugcheck?.parameters, ['0x1', '0x1e00', '0x0', '0x0']);
  assert.equal(vm301?.windows?.bugcheck?.name, 'DPC_WATCHDOG_VIOLATION');
});

test('streaming: any arrival order (full shuffles, no eviction) gives the correlateAll incidents', () => {
  const events = fleetScenario();
  const expected = correlateAll(events, {}).incidents;
  let sawTombstone = false;
  for (let seed = 1; seed <= 25; seed++) {
    const shuffled = shuffle(events, mulberry32(seed));
    const result = stream(shuffled, { latenessMs: 10 * 86_400_000 });
    assert.deepEqual(result.incidents, expected, `seed ${seed}`);
    if (result.tombstones > 0) sawTombstone = true;
  }
  assert.ok(sawTombstone, 'some order should first open an incident that a later, earlier signal replaces');
});

test('streaming: per-host interleavings with disorder under the lateness bound give the correlateAll incidents and events', () => {
  const events = fleetScenario();
  const expected = correlateAll(events, {});
  for (let seed = 100; seed < 120; seed++) {
    const result = stream(interleave(events, mulberry32(seed), 4 * 60_000), {});
    assert.deepEqual(result.incidents, expected.incidents, `seed ${seed}`);
    for (const e of expected.events) {
      const streamed = result.enriched.get(e.event.id);
      if (e['@timestamp'] !== events.find((x) => x.event.id === e.event.id)?.['@timestamp'] || e.hangwatch.attribution === 'thread') {
        assert.deepEqual(streamed, e, `seed ${seed}: re-emitted ${e.event.action}`);
      }
    }
  }
});

test('streaming: a replayed record (at-least-once delivery) changes nothing', () => {
  const events = fleetScenario();
  const once = stream(events, {}).incidents;
  const twice = stream([...events, ...events.slice(0, 10)], {}).incidents;
  assert.deepEqual(twice, once);
});
