import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correlateAll } from '../../../services/correlator/core/index.js';
import { listIncidentProblems } from '../../../shared/schema/incident.js';
import { seedScenario } from './fixtures.js';

// The project's reason to exist: the seed report's evidence gives one incident with the seed's diagnosis.

test('seed: one CLOCK_WATCHDOG_TIMEOUT incident diagnosed as missing Hyper-V enlightenments', () => {
  const { incidents } = correlateAll(seedScenario(), {});
  assert.equal(incidents.length, 1);
  const [incident] = incidents;
  assert.ok(incident);
  assert.deepEqual(listIncidentProblems(incident), []);
  assert.equal(incident.incident.kind, 'bugcheck');
  assert.equal(incident['@timestamp'], '2017-03-15T05:11:54.777Z');
  assert.equal(incident.windows?.bugcheck?.code, '0x00000101');
  assert.equal(incident.windows?.bugcheck?.name, 'CLOCK_WATCHDOG_TIMEOUT');
  assert.equal(incident.libvirt.domain.name, 'vm105');
  assert.equal(incident.libvirt.hypervisor, 'sc7');
  const top = incident.incident.diagnosis[0];
  assert.equal(top?.code, 'missing-hyperv-enlightenments');
  assert.ok(top.confidence >= 0.85, `confidence ${top.confidence}`);
  assert.match(top.remediation, /<hyperv>/);
  assert.match(top.remediation, /relaxed/);
  assert.match(top.remediation, /<timer name='hypervclock' present='yes'\/>/);
  assert.equal(incident.incident.config?.seen, 'before');
  assert.equal(incident.incident.config?.qemu?.cpu?.model, 'SandyBridge');
  assert.equal(incident.incident.config?.libvirt?.version, '1.3.1');
  assert.equal(incident.incident.clock.zone, '+08:00');
  assert.equal(incident.incident.clock.offset_minutes, 480);
});

test('seed with hv_relaxed, hv_vapic, hv_spinlocks and hv_time: no missing-enlightenment diagnosis', () => {
  const { incidents } = correlateAll(seedScenario(['relaxed', 'vapic', 'spinlocks=0x1fff', 'time']), {});
  assert.equal(incidents.length, 1);
  const codes = incidents[0]!.incident.diagnosis.map((d) => d.code);
  assert.ok(!codes.includes('missing-hyperv-enlightenments'), codes.join(','));
});

test('seed with hv_ prefixed names in qemu.hyperv is read the same way', () => {
  const { incidents } = correlateAll(seedScenario(['hv_relaxed', 'hv_vapic', 'hv_spinlocks=0x1fff', 'hv_time']), {});
  assert.ok(!incidents[0]!.incident.diagnosis.some((d) => d.code === 'missing-hyperv-enlightenments'));
});

test('seed: the monitor EOF naming no VM is attributed to vm105 by its thread and re-emitted', () => {
  const { events } = correlateAll(seedScenario(), {});
  const eofs = events.filter((e) => e.event.action === 'monitor-eof');
  assert.equal(eofs.length, 2);
  assert.deepEqual(
    eofs.map((e) => [e.libvirt?.domain?.name, e.hangwatch.attribution, e.hangwatch.attribution_confidence]),
    [
      ['vm105', 'thread', 0.9],
      ['vm102', 'thread', 0.9],
    ],
  );
});

test('seed: a monitor EOF alone is host evidence, not an incident', () => {
  const { incidents } = correlateAll(seedScenario().filter((e) => e.event.dataset !== 'windows.windbg'), {});
  assert.deepEqual(incidents, []);
});
