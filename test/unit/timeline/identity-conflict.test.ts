import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseZone } from '../../../shared/time.js';
import { correlateAll } from '../../../services/correlator/core/index.js';
import { DirSource } from '../../../services/timeline/adapters/dir-source.js';
import { exportTimeline } from '../../../services/timeline/core/export-timeline.js';
import { TIMELINE_FORMATS } from '../../../services/timeline/core/render.js';
import { buildEventRow } from '../../../services/timeline/core/timeline-row.js';
import { ev, vmConfig } from '../correlator/fixtures.js';
import { collect } from './seed-fixture.js';

// A guest record kept on its binding while it claims another domain shows the claim on its row, in every format.

const impostor = ev({
  at: '2017-03-15T05:15:00Z',
  dataset: 'windows.system',
  action: 'kernel-power-41',
  code: '41',
  path: '/collect/sc7/guests/vm105/System.xml',
  message: 'The system has rebooted without cleanly shutting down first.',
  extra: { winlog: { computer_name: 'WIN7-VM113', channel: 'System', event_id: '41', record_id: '7' }, host: { name: 'WIN7-VM113' }, windows: { bugcheck: { code: '0x00000101' } } },
});

const NOTE = '[identity conflict: claims vm113 (the inventory entry for WIN7-VM113); kept on vm105] The system has rebooted without cleanly shutting down first.';

test("the row of a record that claims another domain starts with the claim and where it was kept", () => {
  const result = correlateAll([vmConfig('2017-03-15T00:00:00Z', 'sc7', 'vm105'), impostor], { inventory: [{ domain: 'vm113', computerName: 'WIN7-VM113' }] });
  const enriched = result.events.find((e) => e.event.id === impostor.event.id)!;
  assert.equal(buildEventRow(enriched).message, NOTE);
  assert.equal(buildEventRow(impostor).message, impostor.message, 'no conflict, no note');
});

test('every timeline format shows the conflict', async () => {
  const result = correlateAll([vmConfig('2017-03-15T00:00:00Z', 'sc7', 'vm105'), impostor], { inventory: [{ domain: 'vm113', computerName: 'WIN7-VM113' }] });
  assert.equal(result.incidents.length, 1);
  const incident = result.incidents[0]!;
  assert.equal(incident.libvirt.domain.name, 'vm105');
  const dir = mkdtempSync(join(tmpdir(), 'hw-identity-timeline-'));
  writeFileSync(join(dir, 'events.ndjson'), result.events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  writeFileSync(join(dir, 'incidents.ndjson'), `${JSON.stringify(incident)}\n`);
  for (const format of TIMELINE_FORMATS) {
    const out = await exportTimeline(new DirSource(dir), { scope: { kind: 'incident', incidentId: incident.incident.id }, format, zone: parseZone('UTC'), generatedMs: Date.UTC(2026, 0, 1), sourceLabel: 'test' });
    const text = await collect(out.chunks);
    assert.match(text, /identity conflict: claims vm113 \(the inventory entry for WIN7-VM113\); kept on vm105/, format);
  }
});
