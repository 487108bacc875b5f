import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { correlateAll } from '../../../services/correlator/core/index.js';
import { ev, vmConfig } from './fixtures.js';

// Bindings beat claims: a guest collected under guests/vm105/ that calls itself WIN7-VM113 (and carries vm113's MAC)
// stays vm105's, with its claim flagged; it opens no incident for vm113 and teaches nobody that name.

const VM105_MAC = '52:54:00:00:01:05';
const VM113_MAC = '52:54:00:00:01:13';
const configs = [vmConfig('2017-03-15T00:00:00Z', 'sc7', 'vm105', { mac: VM105_MAC }), vmConfig('2017-03-15T00:00:01Z', 'sc7', 'vm113', { mac: VM113_MAC })];

function impostor(mac?: string): EcsEvent {
  return ev({
    at: '2017-03-15T05:15:00Z',
    dataset: 'windows.system',
    action: 'kernel-power-41',
    code: '41',
    path: '/collect/sc7/guests/vm105/System.xml',
    message: 'The system has rebooted without cleanly shutting down first.',
    extra: {
      winlog: { computer_name: 'WIN7-VM113', channel: 'System', event_id: '41', record_id: '7' },
      host: { name: 'WIN7-VM113', ...(mac ? { mac: [mac] } : {}) },
      windows: { bugcheck: { code: '0x00000101' } },
    },
  });
}

const domainsOf = (incidents: readonly { libvirt: { domain: { name?: string } } }[]) => incidents.map((i) => i.libvirt.domain.name);

test('a guest under guests/vm105/ named WIN7-VM113 stays on vm105 when the inventory names WIN7-VM113 as vm113', () => {
  const record = impostor();
  const result = correlateAll([...configs, record], { inventory: [{ domain: 'vm113', computerName: 'WIN7-VM113' }] });
  assert.deepEqual(domainsOf(result.incidents), ['vm105'], 'no fake incident for vm113');
  const out = result.events.find((e) => e.event.id === record.event.id);
  assert.equal(out?.libvirt?.domain?.name, 'vm105');
  assert.equal(out?.hangwatch.attribution, 'folder');
  assert.deepEqual(out?.hangwatch.identity?.conflict, { claimed: 'vm113', via: 'inventory', claim: 'WIN7-VM113' });
});

test("a bound guest carrying another domain's MAC is flagged by the MAC, not moved", () => {
  const record = impostor(VM113_MAC);
  const result = correlateAll([...configs, record], {});
  assert.deepEqual(domainsOf(result.incidents), ['vm105']);
  const out = result.events.find((e) => e.event.id === record.event.id);
  assert.equal(out?.libvirt?.domain?.name, 'vm105');
  assert.deepEqual(out?.hangwatch.identity?.conflict, { claimed: 'vm113', via: 'mac', claim: VM113_MAC });
});

test('a bound guest whose claims agree carries no conflict; an unbound record still follows its claims', () => {
  const honest = { ...impostor(VM105_MAC), winlog: { computer_name: 'WIN7-VM105', channel: 'System' }, host: { name: 'WIN7-VM105', mac: [VM105_MAC] } };
  const out = correlateAll([...configs, honest], { inventory: [{ domain: 'vm105', computerName: 'WIN7-VM105' }] }).events.find((e) => e.event.id === honest.event.id);
  assert.equal(out?.hangwatch.identity, undefined);
  const unbound = { ...impostor(VM113_MAC), log: { file: { path: '/collect/sc7/System.xml' } } };
  const placed = correlateAll([...configs, unbound], {}).events.find((e) => e.event.id === unbound.event.id);
  assert.deepEqual([placed?.libvirt?.domain?.name, placed?.hangwatch.attribution, placed?.hangwatch.identity], ['vm113', 'mac', undefined]);
});

test("the impostor's computer name is not learned: the real vm113's unbound records are not pulled to vm105", () => {
  // The real vm113 writes a record that names only its computer (no folder, no MAC): a learned name is all there is.
  const real = ev({ at: '2017-03-15T05:30:00Z', dataset: 'windows.system', action: 'other', code: '7036', path: '/collect/sc7/System-vm113.xml', extra: { winlog: { computer_name: 'WIN7-VM113', channel: 'System' } } });
  const result = correlateAll([...configs, impostor(VM113_MAC), real], {});
  const out = result.events.find((e) => e.event.id === real.event.id);
  assert.notEqual(out?.libvirt?.domain?.name, 'vm105');
});
