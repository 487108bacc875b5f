import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { describeRealLogs, FIXED_CREATED, parseRealLog } from './harness.js';

// Real public kernel records (test/fixtures/real-logs/kernel, origins in ../SOURCES.md): each file against its golden key fields.
describeRealLogs('kernel', test);

// The key facts of each file, said outright. The harness reads every file with mtime 2025-12-31 and read time
// 2026-01-01: a year-less stamp with nothing better to go by takes 2025 (closest before the mtime), and a dmesg
// uptime with no boot time known is dated by the read time (`ingest`) or the line before it (`inherited`).

const facts = (e: EcsEvent | undefined) => ({
  ts: e?.['@timestamp'],
  basis: e?.hangwatch.time.basis,
  year: e?.hangwatch.time.year,
  host: e?.host?.name,
  action: e?.event.action,
  kernel: e?.linux?.kernel,
  process: e?.process,
  flags: e?.hangwatch.parse.flags,
});

async function parsed(name: string) {
  const outcome = await parseRealLog('kernel', name);
  return { ...outcome, hangs: outcome.events.filter((e) => e.event.action !== 'other') };
}

test('kernel/chia-535: the syslogd wall broadcast is a soft lockup on plot-071 at the header\'s time', async () => {
  const o = await parsed('chia-535-syslogd-wall.log');
  assert.deepEqual([o.records, o.events.length, o.deadletters.length], [2, 1, 0]);
  assert.deepEqual(facts(o.events[0]), {
    ts: '2025-06-17T13:06:42.000Z',
    basis: 'zone',
    year: 'file-mtime',
    host: 'plot-071',
    action: 'soft-lockup',
    kernel: { uptime_s: 405108.698255, cpu: 2, stuck_s: 22, task: 'chia_plot:29632' },
    process: { name: 'chia_plot', pid: 29632 },
    flags: ['wall-broadcast'],
  });
});

test('kernel/docker-formac-87: Go-stamped `kern.warn kernel:` lines parse, explicit UTC, levels kept', async () => {
  const o = await parsed('docker-formac-87-moby-kern-log.log');
  assert.deepEqual([o.records, o.events.length, o.deadletters.length], [9, 9, 0]);
  assert.ok(o.events.every((e) => e['@timestamp'] === '2016-07-31T16:26:53.000Z' && e.hangwatch.time.basis === 'explicit' && e.host?.name === 'collector'));
  assert.deepEqual(
    o.events.map((e) => e.log?.level),
    ['info', 'crit', 'alert', 'alert', 'warn', 'warn', 'warn', 'warn', 'warn'],
  );
  assert.equal(o.events[2]?.message, 'BUG: unable to handle kernel paging request at ffff88007bd671c0');
});

test('kernel/coreos-vagrant-222: the hung task of hhvm, dated 2015 by docker\'s own ISO stamp in the same journal', async () => {
  const o = await parsed('coreos-vagrant-222-journal-hungtask.log');
  assert.deepEqual([o.records, o.events.length, o.deadletters.length], [4, 4, 0]);
  assert.deepEqual(facts(o.hangs[0]), {
    ts: '2015-04-14T20:40:32.000Z',
    basis: 'zone',
    year: 'host-records',
    host: 'core-01',
    action: 'hung-task',
    kernel: { task: 'hhvm:1577', stuck_s: 120 },
    process: { name: 'hhvm', pid: 1577 },
    flags: undefined,
  });
  // The task dump's old-layout state line of the same task.
  assert.deepEqual([o.hangs[1]?.event.action, o.hangs[1]?.linux?.kernel?.task, o.hangs[1]?.hangwatch.parse.flags], ['hung-task', 'hhvm:1577', ['task-dump']]);
});

test('kernel/gluster-hr-19: RHEL 7 messages, hung glusterfsd on glustern1 and its D-state dump line', async () => {
  const o = await parsed('gluster-hr-19-rhel7-hungtask.log');
  assert.deepEqual([o.records, o.events.length, o.deadletters.length], [12, 12, 0]);
  assert.deepEqual(
    o.hangs.map((e) => [e['@timestamp'], e.host?.name, e.event.action, e.linux?.kernel?.task, e.linux?.kernel?.stuck_s]),
    [
      ['2025-10-11T06:07:26.000Z', 'glustern1', 'hung-task', 'glusterfsd:26120', 120],
      ['2025-10-11T06:07:26.000Z', 'glustern1', 'hung-task', 'bptm:26120', undefined],
    ],
  );
});

test('kernel/sof-3387: rsyslog lines, the 5.18 hung task and its `task:... state:D` line', async () => {
  const o = await parsed('sof-3387-syslog-hungtask.log');
  assert.deepEqual([o.records, o.events.length, o.deadletters.length], [7, 7, 0]);
  assert.deepEqual(
    o.hangs.map((e) => [e['@timestamp'], e.host?.name, e.linux?.kernel?.task, e.hangwatch.parse.flags]),
    [
      ['2025-05-31T22:34:22.000Z', 'sh-tglh-0a70-hda-01', 'kworker/u32:2:113', undefined],
      ['2025-05-31T22:34:22.000Z', 'sh-tglh-0a70-hda-01', 'kworker/u32:2:113', ['task-dump']],
    ],
  );
  assert.equal(o.events[2]?.process?.name, 'sudo');
});

test('kernel/propolis-1153 and propolis-376: rcu stalls are soft lockups flagged rcu-stall; the idle kthread dump is not a hung task', async () => {
  const journal = await parsed('propolis-1153-journal-rcu-preempt-self-detected.log');
  assert.deepEqual(facts(journal.hangs[0]), {
    ts: '2025-06-11T14:12:22.000Z',
    basis: 'zone',
    year: 'file-mtime',
    host: 'oxcolo',
    action: 'soft-lockup',
    kernel: undefined,
    process: undefined,
    flags: ['rcu-stall'],
  });
  assert.equal(journal.hangs.length, 1);
  const dmesg = await parsed('propolis-376-dmesg-rcu-stall-after-migration.log');
  assert.deepEqual([dmesg.records, dmesg.events.length, dmesg.deadletters.length], [12, 12, 0]);
  assert.deepEqual(
    dmesg.hangs.map((e) => [e.event.action, e.hangwatch.parse.flags, e.linux?.kernel?.uptime_s]),
    [['soft-lockup', ['rcu-stall'], 553.456118]],
  );
  // The tab-indented continuation keeps its stamp and text.
  assert.equal(dmesg.events[2]?.message, '\t(detected by 1, t=5252 jiffies, g=12425, q=473)');
});

test('kernel/virtmanager-570: 5.x kvm_amd WRMSR lines are kvm-msr with vcpu, msr and qemu pid', async () => {
  const o = await parsed('virtmanager-570-journal-kvm-amd-wrmsr.log');
  assert.deepEqual(
    o.events.map((e) => [e['@timestamp'], e.host?.name, e.event.action, e.linux?.kernel?.vcpu, e.linux?.kernel?.msr, e.process?.pid]),
    [
      ['2025-09-04T22:56:17.000Z', 'PC', 'kvm-msr', 3, '0xc0010115', 67539],
      ['2025-09-04T22:56:17.000Z', 'PC', 'kvm-msr', 2, '0xc0010115', 67539],
      ['2025-09-04T22:56:17.000Z', 'PC', 'kvm-msr', 1, '0xc0010115', 67539],
      ['2025-09-04T22:56:16.000Z', 'PC', 'kvm-msr', 0, '0xc0010115', 67539],
    ],
  );
});

test('kernel/gvt-linux-100: the unstamped first line parses; the audit records date the dmesg (2019-05-16) from there on', async () => {
  const o = await parsed('gvt-linux-100-dmesg-ignored-rdmsr-segfault.log');
  assert.deepEqual([o.records, o.events.length, o.deadletters.length], [9, 9, 0]);
  assert.deepEqual(
    o.events.map((e) => [e['@timestamp'], e.hangwatch.time.basis, e.event.action]),
    [
      [FIXED_CREATED, 'ingest', 'kvm-msr'],
      [FIXED_CREATED, 'inherited', 'kvm-msr'],
      [FIXED_CREATED, 'inherited', 'kvm-msr'],
      [FIXED_CREATED, 'inherited', 'kvm-msr'],
      ['2019-05-16T15:56:50.156Z', 'explicit', 'other'],
      ['2019-05-16T15:56:55.653Z', 'explicit', 'other'],
      ['2019-05-16T15:57:00.885Z', 'uptime', 'kvm-msr'],
      ['2019-05-16T15:57:01.585Z', 'uptime', 'other'],
      ['2019-05-16T15:57:01.585Z', 'uptime', 'other'],
    ],
  );
  assert.deepEqual([o.events[0]?.linux?.kernel?.msr, o.events[0]?.linux?.kernel?.vcpu, o.events[0]?.process?.pid], ['0x641', 0, 1816]);
});

test('kernel/i915ovmf-22: every ignored rdmsr is kvm-msr of qemu pid 1887', async () => {
  const o = await parsed('i915ovmf-22-dmesg-ignored-rdmsr-vfio.log');
  assert.deepEqual([o.records, o.events.length, o.deadletters.length], [14, 14, 0]);
  assert.equal(o.hangs.length, 12);
  assert.ok(o.hangs.every((e) => e.event.action === 'kvm-msr' && e.process?.pid === 1887));
  assert.deepEqual(o.hangs.map((e) => e.linux?.kernel?.msr).slice(0, 3), ['0x641', '0x611', '0x1ad']);
});

test('kernel/openrisc-12: the soft lockup after the console prompt `/ # ` parses', async () => {
  const o = await parsed('openrisc-12-console-softlockup.log');
  assert.deepEqual([o.records, o.events.length, o.deadletters.length], [19, 19, 0]);
  assert.deepEqual(facts(o.events[0]), {
    ts: FIXED_CREATED,
    basis: 'ingest',
    year: undefined,
    host: 'collector',
    action: 'soft-lockup',
    kernel: { uptime_s: 90216.14, cpu: 0, stuck_s: 186, task: 'kworker/u3:3:2073' },
    process: { name: 'kworker/u3:3', pid: 2073 },
    flags: ['after-shell-prompt'],
  });
});

test('kernel/arpl-507, lfedge-eve-2653, openshift-44782: old NMI-watchdog wording, printk caller ids, console hung tasks', async () => {
  const arpl = await parsed('arpl-507-nmi-watchdog-softlockup.log');
  assert.deepEqual(arpl.hangs.map((e) => [e.event.action, e.linux?.kernel?.task, e.linux?.kernel?.stuck_s]), [['soft-lockup', 'migration/1:12', 41]]);
  const eve = await parsed('lfedge-eve-2653-callerid-softlockup.log');
  assert.deepEqual([eve.records, eve.events.length], [13, 13]);
  assert.deepEqual(eve.hangs.map((e) => [e.event.action, e.linux?.kernel?.cpu, e.linux?.kernel?.task, e.message?.startsWith('watchdog:')]), [['soft-lockup', 1, '002-logging:310', true]]);
  const shift = await parsed('openshift-44782-console-hungtask.log');
  assert.deepEqual(
    shift.hangs.map((e) => [e.linux?.kernel?.task, e.linux?.kernel?.stuck_s]),
    [
      ['kworker/u8:1:11', 122],
      ['crio:2173', 122],
      ['crio:4597', 122],
      ['crio:56315', 122],
    ],
  );
});
