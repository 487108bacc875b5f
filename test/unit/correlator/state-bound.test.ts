import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { Correlator } from '../../../services/correlator/core/index.js';
import { ev, vmConfig } from './fixtures.js';

// State is bounded by the event-time watermark: a day of records holds no more than a couple of hours of them.
// The heap figure per VM is reported as a test diagnostic (a measurement, not an assertion).

const VMS = 40;
const START = Date.parse('2017-03-15T00:00:00Z');

function* day(hours: number): Generator<EcsEvent> {
  for (let vm = 0; vm < VMS; vm++) yield vmConfig(new Date(START + vm * 1000).toISOString(), 'sc7', `vm${vm}`, { mac: `52:54:00:00:00:${vm.toString(16).padStart(2, '0')}` });
  for (let minute = 1; minute < hours * 60; minute++) {
    const at = new Date(START + minute * 60_000).toISOString();
    for (let vm = 0; vm < VMS; vm++) {
      yield ev({ at, dataset: 'windows.system', action: 'other', code: '7036', path: `/collect/sc7/guests/vm${vm}/System.xml`, message: 'The Windows Update service entered the running state.' });
    }
    yield ev({ at, dataset: 'libvirt.daemon', action: 'storage-permission', thread: 13919, message: "ignoring permission error for '/media/vmpool/win7_test.img'" });
    yield ev({ at, dataset: 'linux.iostat', action: 'io-stats', extra: { linux: { iostat: { device: 'sda', await_ms: 2, util_pct: 4 } } } });
    if (minute % 180 === 0) {
      const vm = (minute / 180) % VMS;
      yield ev({ at, dataset: 'windows.windbg', action: 'bugcheck', path: `/collect/sc7/guests/vm${vm}/analyze.txt`, extra: { windows: { bugcheck: { code: '0x00000101' } } } });
    }
  }
}

function feed(hours: number): { correlator: Correlator; incidents: number } {
  const correlator = new Correlator({});
  let incidents = 0;
  for (const e of day(hours)) incidents += correlator.push(e).incidents.length;
  return { correlator, incidents };
}

test('a day of 40 VMs holds only the retention span of records, and the held count does not grow with input length', (t) => {
  const half = feed(12).correlator.stats();
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  const { correlator, incidents } = feed(24);
  const full = correlator.stats();
  global.gc?.();
  const heapPerVm = (process.memoryUsage().heapUsed - before) / VMS;
  const retentionMinutes = (correlator.options.retentionMs + correlator.options.latenessMs + 60_000) / 60_000;
  assert.ok(full.events <= (VMS + 1) * (retentionMinutes + 2), `held ${full.events}`);
  assert.ok(Math.abs(full.events - half.events) <= VMS + 1, `12 h: ${half.events}, 24 h: ${full.events}`);
  assert.ok(incidents >= 7, `${incidents} watchdog incidents`);
  t.diagnostic(`held events ${full.events} (${(full.events / VMS).toFixed(0)} per VM), facts ${full.facts}, live incidents ${full.liveIncidents}; heap ~${(heapPerVm / 1024).toFixed(0)} KiB per VM${global.gc ? '' : ' (run with --expose-gc for a cleaner figure)'}`);
});
