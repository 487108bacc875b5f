import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { parseZone } from '../../shared/time.js';
import type { ParseOptions } from '../../services/parser/core/event-draft.js';
import { detectFormatByContent, detectFormatByPath } from '../../services/parser/core/detect-format.js';
import { iostatParser } from '../../services/parser/core/formats/iostat.js';
import { readLocaleDate } from '../../services/parser/core/iostat/iostat-time.js';
import { intervalFromCommandArgs, intervalFromPath, readIostatCommand } from '../../services/parser/core/iostat/sampling-interval.js';
import { assertGolden, listFixtures, parseFile, registryOf } from './golden.js';

const dir = join(import.meta.dirname, 'fixtures', 'iostat');
const registry = registryOf(iostatParser);
const fileOptions = { format: 'iostat', framing: 'lines', host: 'sc7', path: '/var/log/hangwatch/iostat.log', parseOptions: { maxRecordBytes: 1 << 20, hostZone: parseZone('Asia/Shanghai') } } as const;
const parse = (name: string, more: { path?: string; parseOptions?: Partial<ParseOptions> } = {}) =>
  parseFile(join(dir, name), registry, { ...fileOptions, ...more, parseOptions: { ...fileOptions.parseOptions, ...more.parseOptions } });
const devices = (events: ReturnType<typeof parse>['events']) => events.filter((e) => e.event.action === 'io-stats');
const cpus = (events: ReturnType<typeof parse>['events']) => events.filter((e) => e.event.action === 'host-cpu-pressure');

for (const file of listFixtures(dir)) {
  test(`iostat golden: ${file.split('/').pop()}`, () => {
    assertGolden(file, parseFile(file, registry, fileOptions));
  });
}

for (const file of listFixtures(join(dir, 'invalid'))) {
  test(`iostat invalid input is a dead letter: ${file.split('/').pop()}`, () => {
    const outcome = parseFile(file, registry, fileOptions);
    assert.equal(outcome.events.length, 0);
    assert.ok(outcome.deadletters.length > 0);
    for (const letter of outcome.deadletters) {
      assert.equal(letter.hangwatch.stage, 'parse');
      assert.match(letter.error.code, /^HW_(PARSE_NO_MATCH|TIME_INVALID)$/);
      assert.equal(letter.hangwatch.grammar, 'iostat');
    }
  });
}

test('sysstat 10.x: one event per device and avg-cpu row, block time in the host zone, since-boot only on the first report', () => {
  const { events, deadletters } = parse('sysstat10-ubuntu1604.log');
  assert.equal(deadletters.length, 0);
  assert.deepEqual(
    events.map((e) => [e['@timestamp'], e.event.action, e.linux?.iostat?.device, e.hangwatch.parse.flags]),
    [
      ['2017-03-15T05:05:01.000Z', 'host-cpu-pressure', undefined, ['since-boot']],
      ['2017-03-15T05:05:01.000Z', 'io-stats', 'sda', ['since-boot']],
      ['2017-03-15T05:05:01.000Z', 'io-stats', 'sdb', ['since-boot']],
      ['2017-03-15T05:05:06.000Z', 'host-cpu-pressure', undefined, undefined],
      ['2017-03-15T05:05:06.000Z', 'io-stats', 'sda', undefined],
      ['2017-03-15T05:05:06.000Z', 'io-stats', 'sdb', undefined],
    ],
  );
  const stall = events[4];
  assert.deepEqual(stall?.linux?.iostat, {
    device: 'sda',
    r_s: 0.4,
    w_s: 88.6,
    r_kb_s: 1.6,
    w_kb_s: 5683.2,
    aqu_sz: 35.12,
    await_ms: 394.61,
    r_await_ms: 12,
    w_await_ms: 396.34,
    util_pct: 100,
  });
  assert.equal(stall?.event.action, 'io-stats');
  assert.equal(stall?.event.dataset, 'linux.iostat');
  assert.equal(stall?.host?.name, 'sc7');
  assert.deepEqual(stall?.hangwatch.time, { basis: 'zone', zone: 'Asia/Shanghai' });
  // The avg-cpu row of the stalled report: iowait and steal as numbers, the interval from the two stamps.
  assert.deepEqual(events[3]?.host?.cpu, { user_pct: 12.4, nice_pct: 0, system_pct: 6.21, iowait_pct: 31.77, steal_pct: 0, idle_pct: 49.62, usage: 0.1861, count: 32, interval_ms: 5000 });
  assert.equal(events[3]?.event.dataset, 'linux.iostat');
});

test('sysstat 12.x with ISO stamps: explicit time, await weighted from r_await and w_await', () => {
  const { events } = parse('sysstat12-iso.log');
  const nvme = events.filter((e) => e.linux?.iostat?.device === 'nvme0n1');
  assert.equal(nvme[1]?.['@timestamp'], '2023-10-10T13:01:40.000Z');
  assert.deepEqual(nvme[1]?.hangwatch.time, { basis: 'explicit' });
  // (109.5 * 9.23 + 41 * 8.57) / 150.5 = 9.0502
  assert.equal(nvme[1]?.linux?.iostat?.await_ms, 9.05);
  assert.equal(nvme[1]?.host?.name, 'sc8');
  const idle = events.find((e) => e.linux?.iostat?.device === 'dm-0');
  assert.equal(idle?.linux?.iostat?.await_ms, 0);
});

test('sysstat 12.3+ wide layout read by column name; two-digit years; -m MB/s read as kB/s', () => {
  const { events } = parse('sysstat12-3-mb.log');
  const dm10 = events.find((e) => e.linux?.iostat?.device === 'dm-10');
  assert.deepEqual(dm10?.linux?.iostat, { device: 'dm-10', r_s: 109.5, r_kb_s: 11714.56, r_await_ms: 9.23, w_s: 41, w_kb_s: 327.68, w_await_ms: 8.57, aqu_sz: 1.36, util_pct: 71.3, await_ms: 9.05 });
  assert.equal(dm10?.['@timestamp'], '2023-10-10T13:01:40.000Z');
});

test('without -t the banner dates the reports (header-interval, time of day unknown), never the read time; decimal commas are read', () => {
  const old = parse('sysstat9-rsec.log');
  // 08/27/2012 at midnight in the host zone (Asia/Shanghai).
  assert.deepEqual(
    old.events.map((e) => [e['@timestamp'], e.hangwatch.time.basis, e.hangwatch.parse.flags]),
    [
      ['2012-08-26T16:00:00.000Z', 'header-interval', ['since-boot', 'time-of-day-unknown']],
      ['2012-08-26T16:00:00.000Z', 'header-interval', ['since-boot', 'time-of-day-unknown']],
      ['2012-08-26T16:00:00.000Z', 'header-interval', ['since-boot', 'time-of-day-unknown']],
    ],
  );
  assert.equal(devices(old.events)[0]?.linux?.iostat?.await_ms, 7.32);
  // rsec/s: 512-byte sectors, so kB/s is half.
  assert.equal(devices(old.events)[0]?.linux?.iostat?.w_kb_s, 8.09);
  const de = parse('de-locale-commas.log');
  assert.equal(de.events[0]?.linux?.iostat?.util_pct, 0.7);
  assert.equal(de.events[0]?.linux?.iostat?.r_s, 0.03);
  // "15.03.2017" (de_DE %x): day first.
  assert.equal(de.events[0]?.['@timestamp'], '2017-03-14T16:00:00.000Z');
});

test('without -t, the interval of a pasted command line dates report k at the banner date + k intervals', () => {
  const { events, deadletters } = parse('no-t-pasted-command-zh.log');
  assert.equal(deadletters.length, 0, 'the prompt line is context, not a dead letter');
  assert.equal(events.length, 9, 'three reports of one avg-cpu row and two devices');
  // Banner "2022年05月21日" (zh_CN %x), interval 5 s from "[root@kvm01 ~]# iostat -x 5 3".
  assert.deepEqual(
    [...new Set(events.map((e) => `${e['@timestamp']} ${e.hangwatch.time.basis}`))],
    ['2022-05-20T16:00:00.000Z header-interval', '2022-05-20T16:00:05.000Z header-interval', '2022-05-20T16:00:10.000Z header-interval'],
  );
  assert.ok(events.every((e) => e.host?.name === 'kvm01' && e.hangwatch.parse.flags?.includes('time-of-day-unknown')));
  const stalled = cpus(events)[1];
  assert.equal(stalled?.host?.cpu?.steal_pct, 12.3);
  assert.equal(stalled?.host?.cpu?.iowait_pct, 35.4);
  assert.equal(stalled?.host?.cpu?.interval_ms, 5000);
  assert.equal(devices(events)[2]?.linux?.iostat?.await_ms, 394.61);
});

test('without -t, a pasted command with -y: the first report is the first interval (no since-boot), dated one interval in', () => {
  const { events, deadletters } = parse('no-t-y-command.log');
  assert.equal(deadletters.length, 0);
  // "21.05.2022" (de_DE %x) at midnight in Asia/Shanghai, + 10 s and + 20 s.
  assert.deepEqual(
    events.map((e) => [e['@timestamp'], e.hangwatch.time.basis, e.hangwatch.parse.flags, e.linux?.iostat?.w_kb_s]),
    [
      ['2022-05-20T16:00:10.000Z', 'header-interval', ['time-of-day-unknown'], 920.5],
      ['2022-05-20T16:00:20.000Z', 'header-interval', ['time-of-day-unknown'], 8],
    ],
  );
});

test('without -t and no known interval, later reports inherit the first one\'s time and keep their order', () => {
  const { events } = parse('no-t-no-interval.log');
  assert.deepEqual(
    events.map((e) => [e['@timestamp'], e.hangwatch.time.basis, e.log?.offset]),
    [
      ['2022-05-05T16:00:00.000Z', 'header-interval', 159],
      ['2022-05-05T16:00:00.000Z', 'header-interval', 254],
      ['2022-05-05T16:00:00.000Z', 'inherited', 446],
      ['2022-05-05T16:00:00.000Z', 'inherited', 541],
    ],
  );
  // The configured interval (ParseOptions.iostatIntervalMs, `--iostat-interval`) wins.
  const configured = parse('no-t-no-interval.log', { parseOptions: { iostatIntervalMs: 10_000 } });
  assert.deepEqual(
    configured.events.map((e) => [e['@timestamp'], e.hangwatch.time.basis]),
    [
      ['2022-05-05T16:00:00.000Z', 'header-interval'],
      ['2022-05-05T16:00:00.000Z', 'header-interval'],
      ['2022-05-05T16:00:10.000Z', 'header-interval'],
      ['2022-05-05T16:00:10.000Z', 'header-interval'],
    ],
  );
  // So does a file name that spells the command.
  const named = parse('no-t-no-interval.log', { path: '/var/log/hangwatch/iostat-dx-30.log' });
  assert.equal(named.events[3]?.['@timestamp'], '2022-05-05T16:00:30.000Z');
});

test('-t stamps in the locales glibc prints them, and the banner host per run', () => {
  const { events, deadletters } = parse('locale-stamps.log');
  assert.equal(deadletters.length, 0);
  const at = (host: string) => devices(events).filter((e) => e.host?.name === host).map((e) => e['@timestamp']);
  // 10:11:12 in Asia/Shanghai is 02:11:12Z.
  assert.deepEqual(at('de-host'), ['2022-05-21T02:11:12.000Z']);
  assert.deepEqual(at('zh-host'), ['2022-05-21T02:11:12.000Z']);
  assert.deepEqual(at('ja-host'), ['2022-05-21T14:11:12.000Z']);
  assert.deepEqual(at('ko-host'), ['2022-05-21T02:11:12.000Z']);
  assert.deepEqual(at('iso-host'), ['2022-05-21T02:11:12.000Z']);
  assert.deepEqual(at('us-host'), ['2022-05-21T14:11:12.000Z', '2022-05-21T16:00:02.000Z']);
  assert.deepEqual(at('c-host'), ['2022-05-21T14:11:12.000Z']);
  // "06/05/2022 10:11:12": a 4-digit-year slash date under a 24-hour clock is fr/it/pt's day-first %x.
  assert.deepEqual(at('fr-host'), ['2022-05-06T02:11:12.000Z']);
  // "04/05/22" alone is ambiguous; the banner's "21/05/22" showed the run's day-first order.
  assert.deepEqual(at('gb-host'), ['2022-05-04T02:11:12.000Z']);
  assert.deepEqual(at('cs-host'), ['2022-05-21T02:11:12.000Z']);
  // "Time:" stamps (sysstat < 10) take the banner's date, a day later when the clock goes back.
  assert.deepEqual(at('old-host'), ['2022-05-21T15:59:58.000Z', '2022-05-21T16:00:03.000Z']);
  assert.deepEqual(events.find((e) => e.host?.name === 'iso-host')?.hangwatch.time, { basis: 'explicit' });
  // -U (sysstat >= 12.7.8): seconds since the epoch.
  assert.deepEqual(at('u-host'), ['2022-05-21T10:11:12.000Z']);
  assert.deepEqual(events.find((e) => e.host?.name === 'u-host')?.hangwatch.time, { basis: 'explicit' });
  // de_DE decimal commas in the avg-cpu row.
  assert.equal(cpus(events)[0]?.host?.cpu?.steal_pct, 15.2);
});

test('--pretty and -h: the device name in the last column, unit suffixes on sizes and percentages, names that start with digits', () => {
  const { events, deadletters } = parse('pretty-human.log');
  assert.equal(deadletters.length, 0);
  assert.equal(cpus(events)[0]?.host?.cpu?.nice_pct, 39.9);
  const uuid = devices(events).find((e) => e.linux?.iostat?.device?.startsWith('2f5c1e2a'));
  // "1.2M" kB/s read = 1.2 * 1024, "3.4G" written = 3.4 * 1024^2 kB/s.
  assert.deepEqual(uuid?.linux?.iostat, { device: '2f5c1e2a-6c1b-4f8e-9d3e-1a2b3c4d5e6f', tps: 129, r_kb_s: 1228.8, w_kb_s: 3565158.4 });
  const cciss = devices(events).find((e) => e.linux?.iostat?.device === 'cciss/c0d0');
  assert.equal(cciss?.linux?.iostat?.util_pct, 100);
  assert.equal(cciss?.linux?.iostat?.r_s, 32082.13, 'a value as wide as its column leaves no leading blank');
});

test('-g group totals are device events flagged device-group', () => {
  const { events } = parse('groups-g.log');
  assert.deepEqual(
    events.map((e) => [e.linux?.iostat?.device, e.hangwatch.parse.flags?.includes('device-group') ?? false]),
    [
      ['sda', false],
      ['sdb', false],
      ['disks', true],
      ['sdc', false],
      ['other', true],
    ],
  );
});

test('sysstat 5.x columns: %sys and no %steal in avg-cpu, Blk_read/s in 512-byte blocks', () => {
  const { events } = parse('sysstat5-sys-blk.log');
  assert.deepEqual(cpus(events)[0]?.host?.cpu, { user_pct: 0.5, nice_pct: 0, system_pct: 0.3, iowait_pct: 40.1, idle_pct: 59.1, usage: 0.008 });
  assert.deepEqual(devices(events)[1]?.linux?.iostat, { device: 'sda', tps: 1.1, r_kb_s: 0.8, w_kb_s: 12 });
  assert.equal(devices(events)[0]?.linux?.iostat?.await_ms, 805);
});

test('output without a banner (tab-separated): reports by their repeated tables, dated by the file mtime, not the read time', () => {
  const { events } = parse('tabs-no-banner.log');
  assert.equal(events.length, 4);
  assert.ok(events.every((e) => e['@timestamp'] === '2017-03-20T00:00:00.000Z' && e.hangwatch.time.basis === 'file-mtime'));
  assert.equal(events[0]?.hangwatch.parse.flags, undefined, 'no banner: nothing says the first report is since boot');
  assert.equal(cpus(events)[1]?.host?.cpu?.steal_pct, 22);
});

test('-o JSON output, one value per line: banner fields, -t timestamps (locale and -U seconds), avg-cpu and device objects', () => {
  const { events, deadletters } = parse('json-output.log');
  assert.equal(deadletters.length, 0, 'brackets and banner fields are structure, not dead letters');
  assert.equal(events.length, 7);
  const stall = devices(events).find((e) => e.linux?.iostat?.util_pct === 100);
  assert.equal(stall?.['@timestamp'], '2022-05-21T02:11:17.000Z');
  assert.equal(stall?.host?.name, 'hv-json');
  assert.equal(stall?.linux?.iostat?.await_ms, 394.61);
  assert.deepEqual(cpus(events)[1]?.host?.cpu, { user_pct: 10.2, nice_pct: 0, system_pct: 5.1, iowait_pct: 35.4, steal_pct: 12.3, idle_pct: 37, usage: 0.276, count: 32, interval_ms: 5000 });
  // -U: "timestamp": "1653127872", seconds since the epoch.
  const epoch = events.find((e) => e.host?.name === 'hv-epoch');
  assert.equal(epoch?.['@timestamp'], '2022-05-21T10:11:12.000Z');
  assert.deepEqual(epoch?.hangwatch.time, { basis: 'explicit' });
});

test('colour codes (S_COLORS=always, a script capture) and no-break spaces (a web page) are read as iostat wrote the line', () => {
  const { events, deadletters } = parse('colours-and-nbsp.log');
  assert.equal(deadletters.length, 0);
  assert.deepEqual(
    events.map((e) => [e.linux?.iostat?.device, e.linux?.iostat?.util_pct]),
    [
      ['sda', 99.5],
      ['sdb', 3],
    ],
  );
  assert.match(events[0]?.event.original ?? '', /\u001b\[0;31m/, 'the original keeps its bytes');
});

test('a device line before any header is a dead letter that expected a header', () => {
  const { deadletters } = parse('invalid/device-before-header.log');
  assert.equal(deadletters.length, 2);
  assert.deepEqual(deadletters[0]?.hangwatch.expected, ['deviceHeader']);
});

test('day order of %x dates: a number above 12 decides, then the run, then the separator, then the clock', () => {
  assert.deepEqual(readLocaleDate('05/21/2022', undefined), { date: { year: 2022, month: 5, day: 21 }, learned: 'mdy' });
  assert.deepEqual(readLocaleDate('21/05/2022', undefined), { date: { year: 2022, month: 5, day: 21 }, learned: 'dmy' });
  assert.deepEqual(readLocaleDate('04/05/22', 'dmy').date, { year: 2022, month: 5, day: 4 });
  assert.deepEqual(readLocaleDate('04/05/22', undefined).date, { year: 2022, month: 4, day: 5 });
  assert.deepEqual(readLocaleDate('04.05.2022', undefined).date, { year: 2022, month: 5, day: 4 });
  assert.deepEqual(readLocaleDate('04-05-22', undefined).date, { year: 2022, month: 5, day: 4 });
  assert.deepEqual(readLocaleDate('04/05/2022', undefined, true).date, { year: 2022, month: 5, day: 4 });
  assert.deepEqual(readLocaleDate('04/05/2022', undefined, false).date, { year: 2022, month: 4, day: 5 });
  assert.deepEqual(readLocaleDate('2022-05-04', 'mdy').date, { year: 2022, month: 5, day: 4 });
  assert.deepEqual(readLocaleDate('2022. 05. 04.', undefined).date, { year: 2022, month: 5, day: 4 });
  assert.deepEqual(readLocaleDate('2022년 05월 04일', undefined).date, { year: 2022, month: 5, day: 4 });
  assert.throws(() => readLocaleDate('02/30/2022', undefined), /impossible date/);
});

test('sampling interval: from iostat arguments, a pasted command line, a file name that spells the command', () => {
  assert.equal(intervalFromCommandArgs(['-x', '5']), 5000);
  assert.equal(intervalFromCommandArgs(['-xt', '2', '30']), 2000);
  assert.equal(intervalFromCommandArgs(['-d', 'sda', 'sdb', '10']), 10_000);
  assert.equal(intervalFromCommandArgs(['-p', 'ALL', '1']), 1000);
  assert.equal(intervalFromCommandArgs(['-p', '3']), 3000, 'iostat -p 5: -p without a device list');
  assert.equal(intervalFromCommandArgs(['-j', 'UUID', '-x', '7']), 7000);
  assert.equal(intervalFromCommandArgs(['--human', '--dec=1', '4']), 4000);
  assert.equal(intervalFromCommandArgs(['-x']), undefined, 'one report since boot');
  assert.equal(intervalFromCommandArgs(['-x', '|', 'head', '-5']), undefined);
  assert.equal(intervalFromCommandArgs(['-x', '>', 'out.txt']), undefined);
  assert.deepEqual(readIostatCommand(['$', 'iostat', '-xt', '2']), { intervalMs: 2000, omitsSinceBoot: false });
  assert.deepEqual(readIostatCommand(['[root@node14', '~]#', 'iostat', '-t', '10', 'dm-14']), { intervalMs: 10_000, omitsSinceBoot: false });
  assert.deepEqual(readIostatCommand(['user@host:~$', 'sudo', '/usr/bin/iostat', '-x', '5', '3']), { intervalMs: 5000, omitsSinceBoot: false });
  assert.deepEqual(readIostatCommand(['iostat', '-x']), { intervalMs: undefined, omitsSinceBoot: false });
  assert.deepEqual(readIostatCommand(['#', 'iostat', '-yxmt', '1']), { intervalMs: 1000, omitsSinceBoot: true });
  assert.equal(readIostatCommand(['run', 'iostat', '-x', '5']), undefined, 'prose that names iostat is no command');
  assert.equal(readIostatCommand(['sda', '0.00', '1.00']), undefined);
  assert.equal(intervalFromPath('/var/log/iostat-x-5.log'), 5000);
  assert.equal(intervalFromPath('/tmp/iostat_xt_10.txt'), 10_000);
  assert.equal(intervalFromPath('/tmp/host1-iostat-dx-2-30.out'), 2000);
  assert.equal(intervalFromPath('/tmp/iostat-5s.log'), 5000);
  assert.equal(intervalFromPath('/var/log/iostat.log'), undefined);
  assert.equal(intervalFromPath('/tmp/iostat-1.log'), undefined, 'a numbered copy, not an interval');
  assert.equal(intervalFromPath('/tmp/sample_iostat_11.7.3.output'), undefined, 'a sysstat version');
  assert.equal(intervalFromPath('/tmp/iostat-2022-05-21.log'), undefined, 'a date');
  assert.equal(intervalFromPath('/tmp/sysstat-expected.iostat-x-ALL-p-ALL.txt'), undefined);
});

test('auto-detection: iostat in a file name as a word, and --pretty tables by content', () => {
  assert.equal(detectFormatByPath('/collect/hv1/host1-iostat.log'), 'iostat');
  assert.equal(detectFormatByPath('/collect/sample_iostat_11.7.3.output'), 'iostat');
  assert.equal(detectFormatByPath('/collect/nfsiostat.log'), undefined, 'nfsiostat prints another format');
  assert.equal(detectFormatByContent('Linux 1.2.3 (h) \t06/01/20 \t_x86_64_\t(9 CPU)\n\n      tps    kB_read/s    kB_wrtn/s Device\n     8.59 222.14 57.08 sda\n'), 'iostat');
});
