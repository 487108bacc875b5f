import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { DIAGNOSIS_RULES, diagnose } from '../../../services/correlator/core/rules/index.js';
import { missingHypervEnlightenments } from '../../../services/correlator/core/rules/missing-hyperv-enlightenments.js';
import { hostSoftLockup } from '../../../services/correlator/core/rules/host-soft-lockup.js';
import { hostHungTask } from '../../../services/correlator/core/rules/host-hung-task.js';
import { hostIoStall } from '../../../services/correlator/core/rules/host-io-stall.js';
import { migrationFailure } from '../../../services/correlator/core/rules/migration-failure.js';
import { cpuFeatureMismatch } from '../../../services/correlator/core/rules/cpu-feature-mismatch.js';
import { kvmInternalError } from '../../../services/correlator/core/rules/kvm-internal-error.js';
import { qemuProcessExit } from '../../../services/correlator/core/rules/qemu-process-exit.js';
import type { RuleContext } from '../../../services/correlator/core/rules/rule.js';
import { ev } from './fixtures.js';

// Each diagnosis rule on hand-built contexts: what makes it fire, what keeps it quiet.

const HANG = '2017-03-15T05:11:54.777Z';

function ctx(over: Partial<RuleContext> = {}): RuleContext {
  return { kind: 'bugcheck', domain: 'vm105', hypervisor: 'sc7', hangMs: Date.parse(HANG), events: [], signals: [], thresholds: { ioAwaitMs: 500, ioUtilPct: 99 }, ...over };
}

const watchdog = { code: '0x00000101', name: 'CLOCK_WATCHDOG_TIMEOUT' };

test('missing-hyperv-enlightenments: confidence rises with each missing enlightenment; remediation lists only what is missing', () => {
  const none = missingHypervEnlightenments.evaluate(ctx({ bugcheck: watchdog, config: { seen: 'before', qemu: { hyperv: [], rtc: { base: 'localtime' } } } }));
  const some = missingHypervEnlightenments.evaluate(ctx({ bugcheck: watchdog, config: { seen: 'before', qemu: { hyperv: ['vapic', 'time'] } } }));
  assert.equal(none?.confidence, 0.9);
  assert.equal(some?.confidence, 0.7);
  assert.match(none!.remediation, /<features><hyperv><relaxed state='on'\/><vapic state='on'\/><spinlocks state='on' retries='8191'\/><\/hyperv><\/features>/);
  assert.match(none!.remediation, /<clock offset='localtime'><timer name='hypervclock' present='yes'\/><\/clock>/);
  assert.doesNotMatch(some!.remediation, /vapic|hypervclock/);
  assert.match(some!.remediation, /relaxed/);
});

test('missing-hyperv-enlightenments: quiet with hv_relaxed, or for a bugcheck that is not a watchdog', () => {
  assert.equal(missingHypervEnlightenments.evaluate(ctx({ bugcheck: watchdog, config: { seen: 'after', qemu: { hyperv: ['relaxed'] } } })), undefined);
  assert.equal(missingHypervEnlightenments.evaluate(ctx({ bugcheck: { code: '0x0000000a' }, config: { seen: 'before', qemu: { hyperv: [] } } })), undefined);
  assert.equal(missingHypervEnlightenments.evaluate(ctx({ kind: 'hard-hang' })), undefined);
});

test('missing-hyperv-enlightenments: 0x133 without a seen configuration is a low-confidence suspicion', () => {
  const finding = missingHypervEnlightenments.evaluate(ctx({ bugcheck: { code: '0x00000133' } }));
  assert.equal(finding?.confidence, 0.3);
});

const kernel = (action: 'soft-lockup' | 'hung-task', task: string) =>
  ev({ at: '2017-03-15T05:10:00Z', dataset: 'linux.kernel', action, message: action, extra: { linux: { kernel: { cpu: 3, task, stuck_s: 22 } } } });

test('host-soft-lockup: fires on host-wide lockups, stronger when a vCPU thread was stuck', () => {
  assert.equal(hostSoftLockup.evaluate(ctx()), undefined);
  assert.equal(hostSoftLockup.evaluate(ctx({ events: [kernel('soft-lockup', 'swapper/3')] }))?.confidence, 0.6);
  const vcpu = hostSoftLockup.evaluate(ctx({ events: [kernel('soft-lockup', 'CPU 1/KVM')] }));
  assert.equal(vcpu?.confidence, 0.7);
  assert.match(vcpu!.summary, /CPU 3, up to 22s/);
});

test('host-hung-task: names the blocked tasks', () => {
  assert.equal(hostHungTask.evaluate(ctx()), undefined);
  const finding = hostHungTask.evaluate(ctx({ events: [kernel('hung-task', 'qemu-system-x86')] }));
  assert.equal(finding?.confidence, 0.65);
  assert.match(finding!.summary, /qemu-system-x86/);
});

const io = (awaitMs: number, util: number) => ev({ at: '2017-03-15T05:10:00Z', dataset: 'linux.iostat', action: 'io-stats', extra: { linux: { iostat: { device: 'sdb', await_ms: awaitMs, util_pct: util } } } });

test('host-io-stall: await or %util at the thresholds, not below', () => {
  assert.equal(hostIoStall.evaluate(ctx({ events: [io(499, 98)] })), undefined);
  assert.equal(hostIoStall.evaluate(ctx({ events: [io(500, 10)] }))?.confidence, 0.45);
  assert.equal(hostIoStall.evaluate(ctx({ events: [io(3, 99), io(800, 100)] }))?.confidence, 0.5);
});

const qemuEvent = (action: EcsEvent['event']['action'], extra: object = {}, domain = 'vm105') => ev({ at: '2017-03-15T05:05:00Z', dataset: domain ? 'libvirt.qemu' : 'libvirt.daemon', action, domain, extra });
const migration = (domain?: string) => ev({ at: '2017-03-15T05:00:00Z', dataset: 'libvirt.daemon', action: 'migration-failed', ...(domain ? { domain } : {}) });

test('migration-failure: only the domain\'s own failed migrations', () => {
  assert.equal(migrationFailure.evaluate(ctx({ events: [migration()] })), undefined);
  assert.equal(migrationFailure.evaluate(ctx({ events: [migration('vm999')] })), undefined);
  assert.equal(migrationFailure.evaluate(ctx({ events: [migration('vm105')] }))?.confidence, 0.45);
});

test('cpu-feature-mismatch: CPUID warnings count only after a migration', () => {
  const warning = qemuEvent('cpu-feature-unsupported', { qemu: { cpuid: { feature: 'CPUID.01H:EDX.ds', register: 'EDX' } } });
  assert.equal(cpuFeatureMismatch.evaluate(ctx({ events: [warning] })), undefined);
  const finding = cpuFeatureMismatch.evaluate(ctx({ events: [migration('vm105'), warning] }));
  assert.equal(finding?.confidence, 0.3);
  assert.match(finding!.summary, /CPUID\.01H:EDX\.ds/);
});

test('kvm-internal-error: the domain\'s own error is strong, a host-wide one weaker', () => {
  assert.equal(kvmInternalError.evaluate(ctx()), undefined);
  assert.equal(kvmInternalError.evaluate(ctx({ events: [qemuEvent('kvm-internal-error')] }))?.confidence, 0.85);
  const hostWide = ev({ at: '2017-03-15T05:05:00Z', dataset: 'linux.kernel', action: 'kvm-internal-error' });
  assert.equal(kvmInternalError.evaluate(ctx({ events: [hostWide] }))?.confidence, 0.5);
});

test('qemu-process-exit: a qemu-exit incident names the signal', () => {
  const kill = qemuEvent('vm-terminated-signal', { qemu: { signal: { number: 9 } } });
  assert.equal(qemuProcessExit.evaluate(ctx({ kind: 'bugcheck' })), undefined);
  const finding = qemuProcessExit.evaluate(ctx({ kind: 'qemu-exit', events: [kill], signals: [kill] }));
  assert.equal(finding?.confidence, 0.6);
  assert.match(finding!.summary, /signal 9/);
});

test('diagnose: most likely first, unknown only when nothing matched, every vocabulary code but unknown has a rule', () => {
  const both = diagnose(ctx({ bugcheck: watchdog, config: { seen: 'before', qemu: { hyperv: [] } }, events: [kernel('soft-lockup', 'CPU 1/KVM')] }));
  assert.deepEqual(both.map((d) => d.code), ['missing-hyperv-enlightenments', 'host-soft-lockup']);
  assert.deepEqual(diagnose(ctx({ kind: 'hard-hang' })).map((d) => d.code), ['unknown']);
  assert.deepEqual(
    DIAGNOSIS_RULES.map((r) => r.code).sort(),
    ['cpu-feature-mismatch', 'host-cpu-contention', 'host-hung-task', 'host-io-stall', 'host-soft-lockup', 'kvm-internal-error', 'migration-failure', 'missing-hyperv-enlightenments', 'qemu-process-exit'],
  );
});
