import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { correlateAll } from '../../../services/correlator/core/index.js';
import { configFromQemuEvent } from '../../../services/audit/core/domain-config.js';
import { seedLibvirtd, seedWindbg, vmConfig } from './fixtures.js';

// A qemu log copied while libvirt wrote it, or a paste cut short, gives a vm-config flagged partial-command-line
// with no -cpu: its enlightenments are unknown. It must not make a "missing Hyper-V enlightenments" diagnosis or
// show the domain exposed in the audit, and it must not hide the complete command line seen before it.

function cutBeforeCpu(at: string): EcsEvent {
  const event = vmConfig(at, 'sc7', 'vm105');
  delete (event.qemu as { cpu?: unknown }).cpu;
  event.hangwatch.parse.flags = ['partial-command-line'];
  return event;
}

test('a command line cut before -cpu is no evidence of missing enlightenments (only the unchecked form of the rule)', () => {
  const { incidents } = correlateAll([cutBeforeCpu('2017-03-15T00:10:40.000Z'), ...seedLibvirtd(), seedWindbg()], {});
  assert.equal(incidents.length, 1);
  // Only the rule's "command line not seen" form may remain: a watchdog bugcheck, enlightenments unchecked.
  const claim = incidents[0]!.incident.diagnosis.find((d) => d.code === 'missing-hyperv-enlightenments');
  assert.ok(!claim || (claim.confidence <= 0.3 && /not seen/.test(claim.summary)), JSON.stringify(claim));
  assert.equal(incidents[0]!.incident.config, undefined, 'no configuration claimed for the diagnosis');
});

test('a cut command line after a complete one leaves the complete one as the domain config', () => {
  const full = vmConfig('2017-03-15T00:10:40.000Z', 'sc7', 'vm105');
  const { incidents } = correlateAll([full, cutBeforeCpu('2017-03-15T04:00:00.000Z'), ...seedLibvirtd(), seedWindbg()], {});
  assert.equal(incidents[0]!.incident.diagnosis[0]?.code, 'missing-hyperv-enlightenments');
  assert.equal(incidents[0]!.incident.config?.qemu?.cpu?.model, 'SandyBridge');
});

test('the audit reads no domain configuration from a command line cut before -cpu', () => {
  assert.equal(configFromQemuEvent(cutBeforeCpu('2017-03-15T00:10:40.000Z')), undefined);
  assert.ok(configFromQemuEvent(vmConfig('2017-03-15T00:10:40.000Z', 'sc7', 'vm105')));
});
