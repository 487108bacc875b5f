import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EcsEvent } from '../../../shared/schema/event.js';
import { describeRealLogs, listRealLogs, parseRealLog, REAL_LOGS_DIR } from './harness.js';

// Real public iostat records (test/fixtures/real-logs/iostat, origins in ../SOURCES.md): each file against its golden key fields.
describeRealLogs('iostat', test);

// The key facts of each file, stated on their own (the goldens pin every event; these say what matters).

const devices = (events: EcsEvent[]) => events.filter((e) => e.event.action === 'io-stats');
const cpus = (events: EcsEvent[]) => events.filter((e) => e.event.action === 'host-cpu-pressure');

/** A data row as a person counts them: three or more numbers on the line (device rows, avg-cpu values). */
function dataRows(name: string): number {
  const text = readFileSync(join(REAL_LOGS_DIR, 'iostat', name), 'utf8');
  return text.split('\n').filter((l) => l.split(/\s+/).filter((w) => /^\d+(?:[.,]\d+)?$/.test(w)).length >= 3).length;
}

test('iostat real logs: every device and avg-cpu row is an event, nothing is dead-lettered', async () => {
  for (const name of listRealLogs('iostat')) {
    const { events, deadletters } = await parseRealLog('iostat', name);
    assert.equal(deadletters.length, 0, name);
    assert.equal(events.length, dataRows(name), name);
    assert.ok(events.every((e) => e.event.dataset === 'linux.iostat' && e.hangwatch.time.basis !== 'ingest'), name);
  }
});

test('iostat -x without -t (CentOS 7 paste): dated by the banner 05/21/2022, basis header-interval, host from the banner', async () => {
  const { events } = await parseRealLog('iostat', 'blog-cn-iostat-xt-centos7.txt');
  assert.deepEqual(
    events.map((e) => [e['@timestamp'], e.hangwatch.time.basis, e.host?.name, e.linux?.iostat?.device, e.linux?.iostat?.await_ms]),
    [
      ['2022-05-21T00:00:00.000Z', 'header-interval', 'VM-0-20-centos', 'vda', 999.4],
      ['2022-05-21T00:00:00.000Z', 'header-interval', 'VM-0-20-centos', 'vdb', 0.45],
    ],
  );
  assert.ok(events.every((e) => e.hangwatch.parse.flags?.includes('time-of-day-unknown')));
});

test('iostat -x without -t (icehe): avg-cpu with %iowait and %steal as a host CPU event on 11/15/2018', async () => {
  const { events } = await parseRealLog('iostat', 'icehe-iostat-x-centos7.txt');
  const [cpu] = cpus(events);
  assert.equal(cpu?.['@timestamp'], '2018-11-15T00:00:00.000Z');
  assert.equal(cpu?.hangwatch.time.basis, 'header-interval');
  assert.equal(cpu?.host?.name, 'box029.wb.trans.imgbed.bx.sinanode.com');
  assert.deepEqual(cpu?.host?.cpu, { user_pct: 0.68, nice_pct: 0, system_pct: 0.51, iowait_pct: 0.05, steal_pct: 0, idle_pct: 98.76, usage: 0.0119, count: 24 });
  assert.equal(devices(events)[0]?.linux?.iostat?.util_pct, 1.63);
});

test('iostat -x --pretty (sysstat test suite): four tables per report with the device last, no dead letter', async () => {
  const { events, deadletters } = await parseRealLog('iostat', 'sysstat-expected.iostat-x-pretty.txt');
  assert.equal(deadletters.length, 0);
  assert.equal(devices(events).length, 20);
  const sda = devices(events).filter((e) => e.linux?.iostat?.device === 'sda');
  assert.deepEqual(
    sda.map((e) => e.message),
    ['sda: r/s=6.9 r_await=12.58ms', 'sda: w/s=1.69 w_await=9.61ms', 'sda: d/s=0.00 dkB/s=0.00 drqm/s=0.00 %drqm=0.00 d_await=0.00 dareq-sz=0.00', 'sda: util=0.46% aqu-sz=0.1'],
  );
  assert.ok(events.every((e) => e.host?.name === 'SYSSTAT.TEST' && e['@timestamp'] === '2020-06-01T00:00:00.000Z'));
});

test('iostat -yxmt (t2y 11.7.3): 82 reports at their C-locale stamps, the write burst and its CPU row', async () => {
  const { events } = await parseRealLog('iostat', 't2y-sample_iostat_11.7.3.output');
  assert.equal(cpus(events).length, 82);
  assert.equal(devices(events).length, 82);
  const burst = devices(events).find((e) => e['@timestamp'] === '2021-09-26T03:35:25.000Z');
  assert.deepEqual(burst?.hangwatch.time, { basis: 'zone', zone: '+00:00' });
  assert.equal(burst?.linux?.iostat?.w_s, 5578);
  assert.equal(burst?.linux?.iostat?.util_pct, 96.5);
  // wMB/s 692.54 as kB/s.
  assert.equal(burst?.linux?.iostat?.w_kb_s, 709160.96);
  const cpu = cpus(events).find((e) => e['@timestamp'] === '2021-09-26T03:35:25.000Z');
  assert.equal(cpu?.host?.cpu?.system_pct, 80.23);
  assert.equal(cpu?.host?.cpu?.iowait_pct, 18.6);
  assert.equal(cpu?.host?.cpu?.interval_ms, 1000);
  assert.equal(cpu?.host?.name, 'localhost.localdomain');
});

test('iostat -t in en_US (PM stamps) and C (24 h, two-digit years)', async () => {
  const lustre = await parseRealLog('iostat', 'blog-cn-iostat-t-lustre.txt');
  assert.ok(lustre.events.every((e) => e['@timestamp'] === '2021-12-29T14:55:32.000Z' && e.host?.name === 'node13.domain.cn'));
  assert.equal(devices(lustre.events)[0]?.linux?.iostat?.w_kb_s, 16.18);
  const aws = await parseRealLog('iostat', 'blog-aws-iostat-xt-2021.txt');
  assert.equal(cpus(aws.events)[0]?.['@timestamp'], '2021-03-19T15:38:32.000Z');
  assert.equal(cpus(aws.events)[0]?.host?.cpu?.steal_pct, 0.04);
  const fr = await parseRealLog('iostat', 'blog-fr-iostat-xt-2014.txt');
  assert.deepEqual(
    cpus(fr.events).map((e) => [e['@timestamp'], e.host?.cpu?.steal_pct, e.host?.cpu?.interval_ms]),
    [
      ['2014-11-10T17:44:13.000Z', 0.13, undefined],
      ['2014-11-10T17:44:15.000Z', 0.26, 2000],
    ],
  );
  const openshift = await parseRealLog('iostat', 'openshift-perf-iostat-t-dm14.txt');
  assert.equal(devices(openshift.events)[0]?.['@timestamp'], '2017-08-29T15:54:55.000Z');
  assert.equal(devices(openshift.events)[0]?.linux?.iostat?.device, 'dm-14');
});

test('iostat -c -t (sysstat test suite): avg-cpu only, two reports one second apart', async () => {
  const { events } = await parseRealLog('iostat', 'sysstat-expected.iostat-ct.txt');
  assert.deepEqual(
    events.map((e) => [e['@timestamp'], e.event.action, e.host?.cpu?.nice_pct, e.host?.cpu?.interval_ms]),
    [
      ['2020-06-01T12:53:20.000Z', 'host-cpu-pressure', 39.91, undefined],
      ['2020-06-01T12:53:21.000Z', 'host-cpu-pressure', 12.5, 1000],
    ],
  );
});

test('iostat -x output pasted without its banner (sysstat#341, nvme, read columns only): dated by the file mtime', async () => {
  const { events } = await parseRealLog('iostat', 'sysstat-issue341-nvme.txt');
  assert.equal(devices(events).length, 13);
  assert.ok(events.every((e) => e.hangwatch.time.basis === 'file-mtime' && e['@timestamp'] === '2025-12-31T00:00:00.000Z'));
  const nvme6 = devices(events).find((e) => e.linux?.iostat?.device === 'nvme6n1');
  assert.deepEqual(nvme6?.linux?.iostat, { device: 'nvme6n1', r_s: 42, r_kb_s: 2600.96, r_await_ms: 0.57, util_pct: 4.8 });
  assert.equal(cpus(events)[0]?.host?.cpu?.user_pct, 73.73);
});

test('iostat -x -p ALL and -xs without -t (sysstat test suite): every report, partitions and cciss names, later reports inherited', async () => {
  const all = await parseRealLog('iostat', 'sysstat-expected.iostat-x-ALL-p-ALL.txt');
  assert.ok(devices(all.events).some((e) => e.linux?.iostat?.device === 'cciss/c0d0p2'));
  assert.deepEqual([...new Set(all.events.map((e) => e.hangwatch.time.basis))], ['header-interval', 'inherited']);
  const xs = await parseRealLog('iostat', 'sysstat-expected.iostat-xs.txt');
  assert.equal(cpus(xs.events).length, 3);
  assert.equal(devices(xs.events).find((e) => e.linux?.iostat?.device === 'sdd')?.linux?.iostat?.await_ms, 55.08);
});
