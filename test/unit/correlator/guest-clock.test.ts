import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correlateAll, measureSkews, skewAt } from '../../../services/correlator/core/index.js';
import { TimedFacts } from '../../../services/correlator/core/timed-facts.js';
import { ev } from './fixtures.js';

// Issue 13, guest clock: a guest's boot record (6005) on its own clock against the qemu start on the host's
// bounds the guest's skew; the incident records it, and a large one moves the guest's record times.

const MIN = 60_000;
const T = Date.parse('2017-03-15T10:00:00.000Z');
const OPTIONS = { bootAllowanceMs: 3 * MIN, skewMaxMs: 60 * MIN };

function facts(times: readonly number[], prefix: string): TimedFacts<string> {
  const out = new TimedFacts<string>();
  times.forEach((atMs, i) => out.add({ atMs, eventId: `${prefix}${i}`, value: `${prefix}${i}` }));
  return out;
}

test('a boot within the allowance after qemu starts measures 0; before the start or past the allowance, the nearest consistent skew', () => {
  assert.deepEqual(measureSkews(facts([T + 27_000], 'b'), facts([T], 's'), OPTIONS).map((m) => m.skewMs), [0]);
  assert.deepEqual(measureSkews(facts([T - 20 * MIN], 'b'), facts([T], 's'), OPTIONS).map((m) => m.skewMs), [-20 * MIN]);
  assert.deepEqual(measureSkews(facts([T + 13 * MIN], 'b'), facts([T], 's'), OPTIONS).map((m) => m.skewMs), [10 * MIN]);
  // Farther than skewMaxMs: a boot that cannot be told from a reboot inside qemu measures nothing.
  assert.deepEqual(measureSkews(facts([T + 3 * 60 * MIN], 'b'), facts([T], 's'), OPTIONS), []);
  assert.deepEqual(measureSkews(facts([T - 2 * 60 * MIN], 'b'), facts([T], 's'), { ...OPTIONS, skewMaxMs: 3 * 60 * MIN }).map((m) => m.skewMs), [-2 * 60 * MIN]);
});

test('a reboot inside a running qemu (bugcheck, automatic restart) measures nothing and keeps the run\'s skew', () => {
  const boots = facts([T + 30_000, T + 30 * MIN], 'b');
  const starts = facts([T], 's');
  const measured = measureSkews(boots, starts, OPTIONS);
  assert.deepEqual(measured.map((m) => [m.bootEventId, m.skewMs]), [['b0', 0]]);
  assert.equal(skewAt(measured, T + 45 * MIN)?.skewMs, 0);
  // Two qemu runs: each record takes the skew of the boot it follows (the guest's clock was fixed in between).
  const two = measureSkews(facts([T - 10 * MIN, T + 24 * 60 * MIN + 20_000], 'b'), facts([T, T + 24 * 60 * MIN], 's'), OPTIONS);
  assert.deepEqual(two.map((m) => m.skewMs), [-10 * MIN, 0]);
  assert.equal(skewAt(two, T)?.skewMs, -10 * MIN);
  assert.equal(skewAt(two, T + 25 * 60 * MIN)?.skewMs, 0);
  assert.equal(skewAt(two, T - 60 * MIN)?.skewMs, -10 * MIN);
});

/** vm7 on sc7: qemu starts at T, the guest boots 30 s later on a clock `skewMs` off, qemu is killed (SIGKILL) an hour later. */
function scenario(skewMs: number) {
  const guest = (hostMs: number, action: 'system-boot' | 'service-crash', code: string) =>
    ev({ at: new Date(hostMs + skewMs).toISOString(), dataset: 'windows.winlogbeat', action, code, path: '/collect/sc7/guests/vm7/System.evtx', message: `event ${code}`, extra: { host: { name: 'WIN-7' } } });
  const crash = guest(T + 59 * MIN, 'service-crash', '7031');
  const events = [
    ev({ at: new Date(T).toISOString(), dataset: 'libvirt.qemu', action: 'vm-start', domain: 'vm7', attribution: 'file', path: '/var/log/libvirt/qemu/vm7.log', message: 'starting up libvirt version: 1.3.1' }),
    guest(T + 30_000, 'system-boot', '6005'),
    crash,
    ev({ at: new Date(T + 60 * MIN).toISOString(), dataset: 'libvirt.qemu', action: 'vm-terminated-signal', domain: 'vm7', attribution: 'file', path: '/var/log/libvirt/qemu/vm7.log', message: 'qemu-system-x86_64: terminating on signal 9 from pid 1', extra: { qemu: { signal: { number: 9, sender_pid: 1 } } } }),
  ];
  return { events, crash };
}

test('a guest clock 2 h behind: measured, the guest times corrected, and the incident says so', () => {
  const { events, crash } = scenario(-2 * 60 * MIN);
  const result = correlateAll(events, { skewMaxMs: 3 * 60 * MIN });
  const incident = result.incidents.find((i) => i.libvirt.domain.name === 'vm7');
  assert.ok(incident);
  assert.equal(incident.incident.clock.skew_ms, -(2 * 60 * MIN - 30_000));
  assert.equal(incident.incident.clock.corrected_ms, -(2 * 60 * MIN - 30_000));
  assert.match(incident.message ?? '', /guest clock -1h 59m 30s behind .* guest times corrected/);
  const fixed = result.events.find((e) => e.event.id === crash.event.id);
  assert.equal(fixed?.['@timestamp'], new Date(T + 59 * MIN - 30_000).toISOString());
  assert.equal(fixed?.hangwatch.clock?.corrected_ms, -(2 * 60 * MIN - 30_000));
  // Corrected into the window, the guest's own crash is evidence of the hang.
  assert.ok(incident.incident.evidence.some((e) => e.event.id === crash.event.id));
});

test('a small skew is recorded but not corrected; an unmeasurable one is not recorded; a larger threshold turns correction off', () => {
  const small = scenario(3 * MIN); // boot 3.5 min after the start: 30 s past the allowance
  const a = correlateAll(small.events, {}).incidents.find((i) => i.libvirt.domain.name === 'vm7');
  assert.equal(a?.incident.clock.skew_ms, 30_000);
  assert.equal(a?.incident.clock.corrected_ms, undefined);
  assert.equal(correlateAll(small.events, {}).events.find((e) => e.event.id === small.crash.event.id)?.['@timestamp'], small.crash['@timestamp']);
  const far = scenario(-2 * 60 * MIN);
  const b = correlateAll(far.events, {}); // skewMaxMs 1 h by default: 2 h is not measured
  assert.equal(b.incidents.find((i) => i.libvirt.domain.name === 'vm7')?.incident.clock.skew_ms, undefined);
  assert.equal(b.events.find((e) => e.event.id === far.crash.event.id)?.['@timestamp'], far.crash['@timestamp']);
  const off = correlateAll(far.events, { skewMaxMs: 3 * 60 * MIN, skewCorrectMs: 4 * 60 * MIN });
  assert.equal(off.incidents.find((i) => i.libvirt.domain.name === 'vm7')?.incident.clock.corrected_ms, undefined);
  assert.equal(off.events.find((e) => e.event.id === far.crash.event.id)?.['@timestamp'], far.crash['@timestamp']);
});
