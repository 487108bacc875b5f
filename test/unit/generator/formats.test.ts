import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateTemp, lines, listFiles, readText } from './corpus-helpers.js';

// Every line of every generated file must have the shape of the real format (simple regexes of the real
// notations); the grammars are tested elsewhere against these same shapes.

const { dir } = generateTemp();
const files = listFiles(dir);
const LIBVIRTD = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+0000: \d+: (info|warning|error) : (\w+:\d+ : )?\S.*$/;
const SYSLOG = /^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d sc\d+ kernel: \[ *\d+\.\d{6}\] .+$/;
const EVENT = /^<Event xmlns='http:\/\/schemas\.microsoft\.com\/win\/2004\/08\/events\/event'><System><Provider Name='[^']+'( Guid='\{[0-9A-Fa-f-]+\}')?( EventSourceName='[^']+')?\/><EventID( Qualifiers='\d+')?>\d+<\/EventID>.*<TimeCreated SystemTime='\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z'\/><EventRecordID>\d+<\/EventRecordID>.*<Channel>System<\/Channel><Computer>WIN7-VM\d+<\/Computer>.*<\/System><EventData>.*<\/EventData><\/Event>$/;

test('libvirtd.log: every line is `stamp+0000: thread: level : function:line : message`', () => {
  for (const f of files.filter((x) => x.endsWith('libvirtd.log'))) {
    const all = lines(readText(dir, f));
    assert.ok(all.length > 50);
    for (const l of all) assert.match(l, LIBVIRTD, f);
    assert.match(all[0] ?? '', /: info : libvirt version: 1\.3\.1, package: /);
    assert.match(all[1] ?? '', /: info : hostname: sc\d+$/);
  }
});

test('qemu logs: header, one-line command line, and only known untimed or timed line shapes', () => {
  const known = [
    /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+0000: starting up libvirt version: 1\.3\.1, .*, qemu version: 2\.5\.0 .*, hostname: sc\d+$/,
    /^LC_ALL=C PATH=\S+ QEMU_AUDIO_DRV=spice \/usr\/bin\/kvm-spice -name vm\d+ -S .* -msg timestamp=on$/,
    /^char device redirected to \/dev\/pts\/\d+ \(label charserial0\)$/,
    /^warning: host doesn't support requested feature: CPUID\.01H:(EDX|ECX)\.\w+ \[bit \d+\]$/,
    /^[a-z_]+:( .*)?$/,
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z qemu-system-x86_64: terminating on signal 15 from pid \d+$/,
    /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+0000: shutting down, reason=(shutdown|destroyed|crashed)$/,
    /^(KVM internal error\. Suberror: 1|emulation failure|[A-Z0-9]{2,4} ?=.*|Code=.*)$/,
  ];
  for (const f of files.filter((x) => x.includes('/qemu/'))) {
    const all = lines(readText(dir, f));
    for (const l of all) assert.ok(known.some((re) => re.test(l)), `${f}: unexpected line ${l.slice(0, 120)}`);
    const cmd = all.filter((l) => l.startsWith('LC_ALL=C '));
    assert.equal(cmd.length, all.filter((l) => l.includes('starting up libvirt')).length, 'one command line per start');
  }
});

test('kern.log: syslog prefix with host and kernel uptime stamp', () => {
  for (const f of files.filter((x) => x.endsWith('kern.log'))) for (const l of lines(readText(dir, f))) assert.match(l, SYSLOG, f);
});

test('iostat.log: banner, then blocks of stamp, avg-cpu and the extended device table', () => {
  for (const f of files.filter((x) => x.endsWith('iostat.log'))) {
    const all = lines(readText(dir, f));
    assert.match(all[0] ?? '', /^Linux 4\.4\.0-66-generic \(sc\d+\) \t2017-03-15 \t_x86_64_\t\(32 CPU\)$/);
    const blocks = readText(dir, f).split(/\n(?=\d{4}-\d\d-\d\dT)/).slice(1);
    assert.ok(blocks.length >= 144);
    for (const b of blocks) {
      const [stamp, cpuHead, cpuVals, blank, devHead, ...rows] = b.split('\n');
      assert.match(stamp ?? '', /^2017-03-1[56]T\d\d:\d\d:\d\d[+-]\d{4}$/);
      assert.equal(cpuHead, 'avg-cpu:  %user   %nice %system %iowait  %steal   %idle');
      assert.match(cpuVals ?? '', /^ {9,}\d+\.\d\d( +\d+\.\d\d){5}$/);
      assert.equal(blank, '');
      assert.match(devHead ?? '', /^Device: +rrqm\/s +wrqm\/s +r\/s +w\/s +rkB\/s +wkB\/s avgrq-sz avgqu-sz +await r_await w_await +svctm +%util$/);
      const devs = rows.filter((r) => r !== '');
      assert.equal(devs.length, 4);
      for (const r of devs) {
        assert.match(r, /^sd[a-d] +(\d+\.\d\d +){12}\d+\.\d\d$/);
        assert.equal(r.length, (devHead ?? '').length, 'columns line up with the header');
      }
    }
  }
});

test('System.xml: one wevtutil <Event> per CRLF line, with the fields each event id needs', () => {
  for (const f of files.filter((x) => x.endsWith('System.xml'))) {
    const raw = readText(dir, f);
    assert.ok(!/[^\r]\n/.test(raw), 'CRLF line ends');
    for (const l of lines(raw)) assert.match(l, EVENT, f);
    for (const l of lines(raw).filter((x) => x.includes('>6008</EventID>'))) {
      assert.match(l, /<EventData><Data>[^<]+<\/Data><Data>[^<]+<\/Data><Data><\/Data><Data><\/Data><Data>\d+<\/Data><Data><\/Data><Data><\/Data><Binary>[0-9A-F]{64}<\/Binary><\/EventData>/);
    }
    for (const l of lines(raw).filter((x) => x.includes('>41</EventID>'))) {
      assert.match(l, /<Data Name='BugcheckCode'>\d+<\/Data><Data Name='BugcheckParameter1'>0x[0-9a-f]+<\/Data>/);
    }
  }
});

test('WinDbg report: banner, session time with GMT offset, analysis box, arguments and stack', () => {
  const reports = files.filter((x) => x.endsWith('windbg-analyze.txt'));
  assert.ok(reports.length >= 1);
  for (const f of reports) {
    const t = readText(dir, f);
    assert.match(t, /^Microsoft \(R\) Windows Debugger Version 6\.11\.0001\.404 X86\r\n/);
    assert.match(t, /\r\nDebug session time: (Mon|Tue|Wed|Thu|Fri|Sat|Sun) Mar [ \d]\d \d\d:\d\d:\d\d\.\d{3} 2017 \(GMT\+8\)\r\n/);
    assert.match(t, /\r\nSystem Uptime: \d+ days \d+:\d\d:\d\d\.\d{3}\r\n/);
    assert.match(t, /\r\n\*{79}\r\n\* {77}\*\r\n\* {24}Bugcheck Analysis {36}\*\r\n/);
    assert.match(t, /\r\nArg1: 00000061, Clock interrupt time out interval in nominal clock ticks\.\r\n/);
    assert.match(t, /\r\nSTACK_TEXT: {2}\r\n[0-9a-f]{8} [0-9a-f]{8} 00000101 00000061 00000000 nt!KeBugCheckEx\+0x1e\r\n/);
  }
});
