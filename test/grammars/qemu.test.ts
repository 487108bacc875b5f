import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EcsEvent } from '../../shared/schema/event.js';
import type { RawRecord } from '../../shared/raw-record.js';
import { qemuParser } from '../../services/parser/core/formats/qemu.js';
import { parseRecord, SourceStates } from '../../services/parser/core/parse-record.js';
import { detectFormatByContent } from '../../services/parser/core/detect-format.js';
import { readRecordShape } from '../../services/parser/core/qemu/record-shape.js';
import { readFileRecords } from '../../services/parser/adapters/read-file-records.js';
import type { DeadLetter } from '../../shared/schema/deadletter.js';
import { createFramer, framingFor } from '../../services/shipper/core/framing.js';
import { assertGolden, FIXED_CREATED, FIXED_MTIME, listFixtures, registryOf } from './golden.js';

// Golden fixtures for the qemu domain log: `<case>--<vm>.log` is read as /var/log/libvirt/qemu/<vm>.log (the file
// name names the domain) through the qemu record framing, as `hangwatch parse` and the shipper read it; the
// line-by-line path (a shipper that sends one record a line) is tested below. Sources: fixtures/qemu/SOURCES.md.

const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'qemu');
const registry = registryOf(qemuParser);
const options = { maxRecordBytes: 16 << 20, validate: true };

function domainLogPath(file: string): string {
  const vm = /--([^/]+)\.log$/.exec(basename(file))?.[1] ?? 'unknown';
  return `/var/log/libvirt/qemu/${vm}.log`;
}

/** A fixture read the way `hangwatch parse` and the shipper read a qemu log: through the qemu record framing. */
function parseFixture(file: string) {
  return parseFramed(readFileSync(file), domainLogPath(file));
}

function parseFramed(bytes: Buffer, path: string, chunkBytes = 1 << 20) {
  const framer = createFramer(framingFor('qemu', path), 16 << 20);
  const frames = [];
  for (let at = 0; at < bytes.length; at += chunkBytes) frames.push(...framer.push(bytes.subarray(at, at + chunkBytes)));
  frames.push(...framer.end());
  const states = new SourceStates();
  const events: EcsEvent[] = [];
  const deadletters: DeadLetter[] = [];
  for (const frame of frames) {
    const out = parseRecord({ ...record(frame.bytes, frame.offset, path), host: 'testhost', fingerprint: 'fixture', mtime: FIXED_MTIME }, registry, states, options);
    events.push(...out.events);
    deadletters.push(...out.deadletters);
  }
  return { events, deadletters };
}

for (const file of [...listFixtures(dir), ...listFixtures(join(dir, 'invalid'))]) {
  test(`golden: qemu/${file.slice(dir.length + 1)}`, () => {
    assertGolden(file, parseFixture(file));
  });
}

function record(text: string | Uint8Array, offset = 0, path = '/var/log/libvirt/qemu/vm113.log'): RawRecord {
  return { bytes: typeof text === 'string' ? Buffer.from(text) : text, host: 'sc7', path, format: 'qemu', fingerprint: 'fp', offset, created: FIXED_CREATED };
}

function parseLines(lines: readonly string[], path?: string) {
  const states = new SourceStates();
  let offset = 0;
  const events: EcsEvent[] = [];
  const deadletters = [];
  for (const line of lines) {
    const out = parseRecord(record(line, offset, path), registry, states, options);
    events.push(...out.events);
    deadletters.push(...out.deadletters);
    offset += Buffer.byteLength(line) + 1;
  }
  return { events, deadletters };
}

const byAction = (events: EcsEvent[], action: string) => events.filter((e) => e.event.action === action);

test('seed vm113: header, command line and CPUID warnings parse into the DESIGN fields', () => {
  const { events, deadletters } = parseFixture(join(dir, 'seed--vm113.log'));
  assert.equal(deadletters.length, 0);
  const [start] = byAction(events, 'vm-start');
  assert.equal(start?.libvirt?.version, '1.3.1');
  assert.equal(start?.qemu?.version, '2.5.0');
  assert.equal(start?.host?.name, 'sc7');
  assert.equal(start?.['@timestamp'], '2017-03-16T02:55:46.227Z');
  const [config] = byAction(events, 'vm-config');
  assert.ok(config);
  assert.equal(config.event.dataset, 'libvirt.qemu');
  assert.deepEqual(config.libvirt?.domain, { name: 'vm113', uuid: '3fec386e-23ee-4853-b46a-37feb9ee3cf9' });
  assert.equal(config.hangwatch.attribution, 'record');
  assert.equal(config.hangwatch.time.basis, 'inherited');
  assert.equal(config['@timestamp'], '2017-03-16T02:55:46.227Z');
  assert.equal(config.qemu?.cpu?.model, 'SandyBridge');
  assert.ok(config.qemu?.cpu?.flags?.includes('pdpe1gb'));
  assert.deepEqual(config.qemu?.hyperv, []);
  assert.deepEqual(config.qemu?.smp, { cpus: 2, sockets: 1, cores: 2, threads: 1 });
  assert.equal(config.qemu?.rtc?.base, 'localtime');
  assert.deepEqual(config.qemu?.net?.mac, ['52:54:00:a6:3a:68']);
  assert.equal(config.qemu?.machine, 'pc-i440fx-xenial');
  assert.equal(config.qemu?.memory_mb, 3072);
  assert.equal(config.qemu?.spice?.port, 5908);
  assert.deepEqual(config.qemu?.drives, ['/media/vmpool/vm113.qcow2', '/media/vmdpool/vmd113.qcow2']);
  assert.equal(config.hangwatch.parse.flags, undefined);
  const cpuid = byAction(events, 'cpu-feature-unsupported');
  assert.equal(cpuid.length, 30);
  assert.deepEqual(cpuid[0]?.qemu?.cpuid, { register: 'CPUID.01H:EDX', feature: 'ds' });
  assert.equal(cpuid[0]?.hangwatch.attribution, 'file');
  assert.equal(byAction(events, 'spice-connect').length, 2);
  assert.equal(byAction(events, 'spice-disconnect').length, 6);
});

test('seed vm84: the appended -cpu is the effective one, flagged cpu-overridden', () => {
  const { events } = parseFixture(join(dir, 'seed-ps-appended-cpu--vm84.log'));
  const [config] = events;
  assert.equal(config?.event.action, 'vm-config');
  assert.equal(config?.qemu?.cpu?.model, 'host');
  assert.deepEqual(config?.qemu?.hyperv, ['relaxed', 'spinlocks', 'time', 'vapic', 'vendor_id']);
  assert.deepEqual(config?.hangwatch.parse.flags, ['cpu-overridden']);
  assert.equal(config?.hangwatch.time.basis, 'ingest'); // nothing before it to inherit from
});

test('modern libvirt: backslash-broken command line framed as one record, shipped line by line or joined, same config', () => {
  const file = join(dir, 'modern-q35-hyperv--win2022.log');
  const framed = byAction(parseFixture(file).events, 'vm-config');
  assert.equal(framed.length, 1);
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const joined = lines.slice(1, lines.findIndex((l) => l.startsWith('-msg')) + 1).join('\n');
  const viaJoined = byAction(parseLines([lines[0] as string, joined], domainLogPath(file)).events, 'vm-config');
  // A shipper that sends one record a line: the parser holds the lines until the last one.
  const lineByLine = byAction(parseLines(lines.filter((l) => l !== ''), domainLogPath(file)).events, 'vm-config');
  assert.equal(viaJoined.length, 1);
  assert.equal(lineByLine.length, 1);
  for (const config of [framed[0], viaJoined[0], lineByLine[0]]) {
    assert.equal(config?.event.original, joined);
    assert.deepEqual(config?.libvirt?.domain, { name: 'win2022', uuid: '8c5e2b1a-4d3f-4b6e-9a7c-0f1e2d3c4b5a' });
    assert.equal(config?.qemu?.machine, 'pc-q35-9.2');
    assert.equal(config?.qemu?.cpu?.model, 'host');
    assert.deepEqual(config?.qemu?.hyperv, ['frequencies', 'relaxed', 'reset', 'runtime', 'spinlocks', 'stimer', 'synic', 'time', 'vapic', 'vendor_id', 'vpindex']);
    assert.equal(config?.qemu?.memory_mb, 8192);
    assert.deepEqual(config?.qemu?.net?.mac, ['52:54:00:3e:91:0c']);
    assert.deepEqual(config?.qemu?.drives, ['/usr/share/qemu/ovmf-x86_64-smm-ms-code.bin', '/var/lib/libvirt/qemu/nvram/win2022_VARS.fd', '/var/lib/libvirt/images/win2022.qcow2']);
    assert.equal(config?.libvirt?.version, '11.1.0');
    assert.equal(config?.qemu?.version, '9.2.3');
  }
});

test('guest panic: hyper-v crash MSRs become windows.bugcheck (arg1 code, arg2-5 parameters)', () => {
  const { events } = parseLines(["2025-04-07 09:14:52.118+0000: panic hyper-v: arg1='0x101', arg2='0x61', arg3='0x0', arg4='0x807a3120', arg5='0x1'"]);
  assert.equal(events[0]?.event.action, 'guest-panic');
  assert.deepEqual(events[0]?.windows?.bugcheck, {
    code: '0x00000101',
    name: 'CLOCK_WATCHDOG_TIMEOUT',
    parameters: ['0x61', '0x0', '0x807a3120', '0x1'],
    arguments: { timeout_ticks: 97, prcb: '0x807a3120', processor: 1 },
  });
  const hv = parseLines(['HV crash parameters: (0x133 0 0x501 0x500 0)']).events[0];
  assert.equal(hv?.windows?.bugcheck?.code, '0x00000133');
  assert.deepEqual(hv?.windows?.bugcheck?.parameters, ['0x0', '0x501', '0x500', '0x0']);
  const s390 = parseLines(["2020-01-01 00:00:00.000+0000: panic s390: core='0' psw-mask='0x0002000180000000' psw-addr='0x000000000010f146' reason='disabled-wait'"]).events[0];
  assert.equal(s390?.event.action, 'guest-panic');
  assert.equal(s390?.windows, undefined);
});

test('signals and shutdowns, old and new spellings', () => {
  const { events } = parseLines([
    'qemu: terminating on signal 15 from pid 1234',
    'qemu: terminating on signal 15 from pid 1234 (<unknown process>)',
    '2020-01-01T10:00:00.123456Z qemu-system-x86_64: terminating on signal 15 from pid 1234 (/usr/sbin/libvirtd)',
    '2017-03-16 03:00:01.123+0000: shutting down, reason=shutdown',
    '2014-03-16 03:00:01.123+0000: shutting down',
  ]);
  assert.deepEqual(events.map((e) => e.event.action), ['vm-terminated-signal', 'vm-terminated-signal', 'vm-terminated-signal', 'vm-shutdown', 'vm-shutdown']);
  assert.deepEqual(events[0]?.qemu?.signal, { number: 15, sender_pid: 1234 });
  assert.equal(events[0]?.hangwatch.time.basis, 'ingest');
  assert.equal(events[2]?.['@timestamp'], '2020-01-01T10:00:00.123Z');
  assert.equal(events[2]?.hangwatch.time.basis, 'explicit');
  assert.equal(events[2]?.process?.name, 'qemu-system-x86_64');
  assert.equal(events[3]?.qemu?.shutdown?.reason, 'shutdown');
  assert.equal(events[4]?.qemu, undefined);
});

test('a KVM internal error dump shipped as one multi-line record is one event', () => {
  const dump = ['KVM internal error. Suberror: 1', 'emulation failure', 'EAX=00000023 EBX=00000002 ECX=00000000 EDX=00000600', 'ES =0000 00000000 0000ffff 00009300 DPL=0 DS16 [-WA]', 'Code=af af <00> 00'].join('\n');
  const states = new SourceStates();
  const out = parseRecord(record(`${dump}\nchar device redirected to /dev/pts/1 (label charserial0)`), registry, states, options);
  assert.equal(out.deadletters.length, 0);
  assert.deepEqual(out.events.map((e) => e.event.action), ['kvm-internal-error', 'other']);
  assert.equal(out.events[0]?.event.original, dump);
  assert.notEqual(out.events[0]?.event.id, out.events[1]?.event.id);
  // Line by line: the dump lines continue the error, flagged so counts can skip them.
  const lines = parseLines([...dump.split('\n'), 'char device redirected to /dev/pts/1 (label charserial0)']).events;
  assert.deepEqual(lines.map((e) => e.event.action), ['kvm-internal-error', 'kvm-internal-error', 'kvm-internal-error', 'kvm-internal-error', 'kvm-internal-error', 'other']);
  assert.equal(lines[0]?.hangwatch.parse.flags, undefined);
  assert.deepEqual(lines[1]?.hangwatch.parse.flags, ['continuation']);
  const entry = parseLines(['KVM: entry failed, hardware error 0x80000021']).events[0];
  assert.equal(entry?.event.action, 'kvm-internal-error');
});

test('domain attribution: file name, the record, or the same source before', () => {
  const fromFile = parseLines(['char device redirected to /dev/pts/1 (label charserial0)'], '/var/log/libvirt/qemu/vm9.log.1').events[0];
  assert.deepEqual([fromFile?.libvirt?.domain?.name, fromFile?.hangwatch.attribution], ['vm9', 'file']);
  const stdin = parseLines(['/usr/bin/qemu-system-x86_64 -name guest=w10,debug-threads=on -m 4G', 'Guest crashed'], '-').events;
  assert.deepEqual([stdin[0]?.libvirt?.domain?.name, stdin[0]?.hangwatch.attribution, stdin[0]?.qemu?.memory_mb], ['w10', 'record', 4096]);
  assert.deepEqual([stdin[1]?.libvirt?.domain?.name, stdin[1]?.hangwatch.attribution], ['w10', 'thread']);
  const nobody = parseLines(['Guest crashed'], '-').events[0];
  assert.equal(nobody?.hangwatch.attribution, 'unresolved');
  assert.equal(nobody?.libvirt?.domain, undefined);
});

test('anything else is `other`, invalid UTF-8 is parsed with the flag, blank lines carry nothing', () => {
  const bytes = Buffer.concat([Buffer.from('SeaBIOS (version 1.11.0-2.el7) '), Buffer.from([0xff, 0xfe]), Buffer.from(' done')]);
  const out = parseRecord(record(bytes), registry, new SourceStates(), options);
  assert.equal(out.events[0]?.event.action, 'other');
  assert.deepEqual(out.events[0]?.hangwatch.parse.flags, ['invalid-utf8']);
  const blank = parseRecord(record('   '), registry, new SourceStates(), options);
  assert.deepEqual([blank.events.length, blank.deadletters.length], [0, 0]);
});

test('a 1 MB command line parses; a 10 MB line dead-letters at the core', () => {
  const drives = Array.from({ length: 9000 }, (_, i) => `-drive file=/var/lib/libvirt/images/disk-${i}-${'x'.repeat(60)}.qcow2,format=qcow2,if=none,id=drive-${i}`).join(' ');
  const line = `LC_ALL=C /usr/bin/qemu-system-x86_64 -name big -cpu host,hv_relaxed ${drives} -cpu host`;
  assert.ok(line.length > 1_000_000);
  const out = parseRecord(record(line), registry, new SourceStates(), options);
  assert.equal(out.deadletters.length, 0);
  assert.equal(out.events[0]?.qemu?.drives?.length, 9000);
  assert.deepEqual(out.events[0]?.qemu?.hyperv, []); // the last -cpu has none
  assert.deepEqual(out.events[0]?.hangwatch.parse.flags, ['cpu-overridden']);
  // A 10 MB line: over a 1 MiB limit the core dead-letters it; under the test's 16 MiB limit the qemu parser
  // takes it as free text without blowing up, its message cut to 16 KiB (event.original keeps it all).
  const tenMb = Buffer.alloc(10 << 20, 0x61);
  const refused = parseRecord(record(tenMb), registry, new SourceStates(), { ...options, maxRecordBytes: 1 << 20 });
  assert.equal(refused.events.length, 0);
  assert.equal(refused.deadletters[0]?.error.code, 'HW_RECORD_TOO_LARGE');
  assert.equal(refused.deadletters[0]?.hangwatch.original.truncated, true);
  const taken = parseRecord(record(tenMb), registry, new SourceStates(), options);
  assert.equal(taken.events[0]?.event.action, 'other');
  assert.equal(taken.events[0]?.message?.length, 16 * 1024);
  assert.deepEqual(taken.events[0]?.hangwatch.parse.flags, ['message-truncated']);
  // Not a command line but just as long: still one `other` event, no blow-up.
  const prose = parseRecord(record('x'.repeat(1 << 20)), registry, new SourceStates(), options);
  assert.equal(prose.events[0]?.event.action, 'other');
});

test('a command line cut at the end of the file: hangwatch parse reads it whole and flags it partial', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'hw-qemu-'));
  const path = join(folder, 'libvirt', 'qemu', 'vmcut.log');
  mkdirSync(join(folder, 'libvirt', 'qemu'), { recursive: true });
  const header = '2024-09-02 07:55:12.004+0000: starting up libvirt version: 10.6.0, qemu version: 9.0.2, kernel: 6.10.6, hostname: tower';
  const cases: Array<[string, number, string | undefined]> = [
    // cut after a " \" line, with and without the last newline
    [`${header}\nLC_ALL=C \\\n/usr/bin/qemu-system-x86_64 \\\n-name guest=vmcut \\\n-cpu host,migratable=on,hv-relaxed=on \\\n`, 4, 'vmcut'],
    [`${header}\nLC_ALL=C \\\n/usr/bin/qemu-system-x86_64 \\\n-name guest=vmcut \\`, 3, 'vmcut'],
    // cut right after the first line of the command line
    [`${header}\nLC_ALL=C \\\n`, 1, undefined],
    // cut inside a word of a one-line command line (libvirt < 6), inside a quote or not
    [`${header}\nLC_ALL=C /usr/bin/qemu-system-x86_64 -name guest=vmcut -object '{"qom-type":"secret","id":"mas`, 1, 'vmcut'],
    [`${header}\nLC_ALL=C /usr/bin/qemu-system-x86_64 -name guest=vmcut -m 1024 -dev`, 1, 'vmcut'],
    // cut inside the last line of a libvirt >= 6 command line (no " \" on it, and no -msg yet)
    [`${header}\nLC_ALL=C \\\n/usr/bin/qemu-system-x86_64 \\\n-name guest=vmcut \\\n-device virtio-blk-pci,bus=pci.4,ad`, 4, 'vmcut'],
  ];
  try {
    for (const [text, lines, name] of cases) {
      writeFileSync(path, text);
      const states = new SourceStates();
      const events: EcsEvent[] = [];
      for await (const raw of readFileRecords({ path, host: 'tower', format: 'auto', maxRecordBytes: 16 << 20, created: FIXED_CREATED })) {
        const out = parseRecord(raw, registry, states, options);
        assert.equal(out.deadletters.length, 0);
        events.push(...out.events);
      }
      const [config] = byAction(events, 'vm-config');
      assert.ok(config, text);
      assert.deepEqual(config.hangwatch.parse.flags, ['partial-command-line']);
      assert.equal(config.event.original?.split('\n').length, lines);
      assert.equal(config.log?.offset, header.length + 1);
      assert.equal(config.libvirt?.domain?.name, name ?? 'vmcut'); // by the record, else by the file name
      assert.match(config.message ?? '', /^qemu command line \(partial\)/);
    }
    // Whole, though the file has no last newline: libvirt's last option is there.
    writeFileSync(path, `${header}\nLC_ALL=C \\\n/usr/bin/qemu-system-x86_64 \\\n-name guest=vmcut \\\n-msg timestamp=on`);
    const whole: EcsEvent[] = [];
    for await (const raw of readFileRecords({ path, host: 'tower', format: 'qemu', maxRecordBytes: 16 << 20, created: FIXED_CREATED })) {
      whole.push(...parseRecord(raw, registry, new SourceStates(), options).events);
    }
    assert.deepEqual(whole.map((e) => [e.event.action, e.hangwatch.parse.flags]), [['vm-start', undefined], ['vm-config', undefined]]);
    // The -cpu seen before the cut is kept; without one the enlightenments are unknown, not empty.
    writeFileSync(path, (cases[0] as [string, number, string])[0]);
    const records = [];
    for await (const raw of readFileRecords({ path, host: 'tower', format: 'qemu', maxRecordBytes: 16 << 20, created: FIXED_CREATED })) records.push(raw);
    const states = new SourceStates();
    const events = records.flatMap((raw) => parseRecord(raw, registry, states, options).events);
    const config = byAction(events, 'vm-config')[0];
    assert.deepEqual(config?.qemu?.cpu, { model: 'host', flags: [], properties: ['migratable=on'] });
    assert.deepEqual(config?.qemu?.hyperv, ['relaxed']);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('shipped one record a line: a stamped line ends a held command line, which is flagged partial', () => {
  const { events } = parseLines([
    'LC_ALL=C \\',
    '/usr/bin/qemu-system-x86_64 \\',
    '-name guest=w1 \\',
    '2024-01-01 00:00:01.000+0000: shutting down, reason=failed',
    '-device virtio-balloon-pci,id=balloon0 \\',
    '-msg timestamp=on',
  ]);
  assert.deepEqual(events.map((e) => e.event.action), ['vm-config', 'vm-shutdown', 'vm-config']);
  assert.deepEqual(events[0]?.hangwatch.parse.flags, ['partial-command-line']);
  assert.equal(events[0]?.libvirt?.domain?.name, 'w1');
  // A tail (its head before the file began) is a partial command line too, without a program.
  assert.deepEqual(events[2]?.hangwatch.parse.flags, ['partial-command-line']);
  assert.match(events[2]?.message ?? '', /program not seen/);
});

test('IO errors pause the guest: vm-io-error with device, node name and reason, quoted or not', () => {
  const { events } = parseLines([
    "2026-04-27 15:13:00.598+0000: IO error device='sata0-0-0' node-name='libvirt-2-format' reason='No space left on device'",
    "2026-04-27 15:13:00.599+0000: IO error device=drive-virtio-disk0 node-name=libvirt-1-format reason='Input/output error'",
    '2026-04-27 15:13:00.600+0000: IO error device=drive-scsi0-0-0-0 reason=Disk quota exceeded',
    "block I/O error in device 'drive-virtio-disk0': No space left on device (28)",
  ]);
  assert.ok(events.every((e) => e.event.action === 'vm-io-error' && e.log?.level === 'error' && e.libvirt?.domain?.name === 'vm113'));
  assert.deepEqual(events.map((e) => e.qemu?.io_error), [
    { device: 'sata0-0-0', node_name: 'libvirt-2-format', reason: 'No space left on device' },
    { device: 'drive-virtio-disk0', node_name: 'libvirt-1-format', reason: 'Input/output error' },
    { device: 'drive-scsi0-0-0-0', reason: 'Disk quota exceeded' },
    { device: 'drive-virtio-disk0', reason: 'No space left on device', errno: 28 },
  ]);
  assert.equal(events[0]?.['@timestamp'], '2026-04-27T15:13:00.598Z');
  assert.deepEqual(events[0]?.event.type, ['error']);
});

test('qemu stderr stamps: T or a blank before the time, Z or an offset, all explicit UTC', () => {
  const { events } = parseLines([
    '2019-06-04 05:33:22.280743Z qemu-kvm: -vnc 10.0.0.5:0: Failed to start VNC server',
    '2019-06-04T05:33:22.280743Z qemu-kvm: warning: host doesn\'t support requested feature: CPUID.07H:EBX.hle [bit 4]',
    '2019-06-04 07:33:22.280743+02:00 qemu-kvm: something else',
  ]);
  assert.deepEqual(events.map((e) => [e['@timestamp'], e.hangwatch.time.basis, e.process?.name]), [
    ['2019-06-04T05:33:22.280Z', 'explicit', 'qemu-kvm'],
    ['2019-06-04T05:33:22.280Z', 'explicit', 'qemu-kvm'],
    ['2019-06-04T05:33:22.280Z', 'explicit', 'qemu-kvm'],
  ]);
  assert.equal(events[0]?.log?.level, 'error');
  assert.equal(events[1]?.event.action, 'cpu-feature-unsupported');
});

test('the domain: the file name only under libvirt/qemu/ (rotations too), else the command line, else nobody', () => {
  const line = 'char device redirected to /dev/pts/1 (label charserial0)';
  for (const [path, name] of [
    ['/var/log/libvirt/qemu/vm9.log', 'vm9'],
    ['/var/log/libvirt/qemu/vm9.log.1', 'vm9'],
    ['/var/log/libvirt/qemu/vm9.log-20240101', 'vm9'],
    ['/collect/host1/var/log/libvirt/qemu/vm9.log.2.gz', 'vm9'],
    ['/tmp/pastes/qemu/vm9.log', undefined],
    ['real-logs/qemu/issue-481.log', undefined],
  ] as const) {
    assert.equal(parseLines([line], path).events[0]?.libvirt?.domain?.name, name, path);
  }
  const named = parseLines(['/usr/bin/qemu-system-x86_64 -name guest=w10,debug-threads=on -m 4G', line], '/tmp/pastes/qemu/x.log').events;
  assert.deepEqual(named.map((e) => [e.libvirt?.domain?.name, e.hangwatch.attribution]), [['w10', 'record'], ['w10', 'thread']]);
});

test('pasted logs: backticks around lines, code fences dead-lettered with their reason, header fields alone on a line', () => {
  const { events, deadletters } = parseLines([
    '```',
    '`2023-05-03 22:32:02.815+0000: starting up libvirt version: 9.2.0, qemu version: 8.0.0, hostname: mango',
    '2023-05-03 22:40:11.007+0000: shutting down, reason=crashed`',
    '```log',
    'libvirt version: 9.2.0, package: 1.fc38 (Fedora Project)',
    'qemu version: 8.0.0 (qemu-8.0.0-1.fc38)',
    'hostname: mango',
  ]);
  assert.deepEqual(events.map((e) => e.event.action), ['vm-start', 'vm-shutdown', 'daemon-info', 'daemon-info', 'daemon-info']);
  assert.deepEqual([events[0]?.['@timestamp'], events[0]?.host?.name], ['2023-05-03T22:32:02.815Z', 'mango']);
  assert.equal(events[1]?.qemu?.shutdown?.reason, 'crashed');
  assert.deepEqual([events[2]?.libvirt?.version, events[3]?.qemu?.version, events[4]?.host?.name], ['9.2.0', '8.0.0', 'mango']);
  assert.equal(deadletters.length, 2);
  assert.ok(deadletters.every((d) => d.error.code === 'HW_RECORD_INVALID' && /markdown code fence/.test(d.error.message)));
});

test('a hard-wrapped paste is joined back to the very characters of the original lines', () => {
  const original = 'LC_ALL=C PATH=/usr/bin /usr/bin/kvm-spice -name guest=w7,debug-threads=on -S -machine pc-i440fx-bionic,accel=kvm -cpu Westmere,hv_relaxed,hv_time -m 4096 -smp 2 -msg timestamp=on';
  for (const width of [40, 41, 57, 80]) {
    const pieces = (original.match(new RegExp(`.{1,${width}}`, 'g')) as string[]).map((p) => p.trimEnd());
    const shape = readRecordShape(pieces);
    assert.deepEqual(shape, { kind: 'wrapped', of: 'command', text: original }, `width ${width}`);
  }
  // A KVM dump grouped by another shipper is no wrapped line: one event per line, the dump folded.
  assert.deepEqual(readRecordShape(['KVM internal error. Suberror: 1', 'emulation failure', 'EAX=00000023 EBX=00000002']), { kind: 'lines' });
});

test('auto-detection knows qemu lines by content where the path says nothing', () => {
  for (const line of [
    '2019-06-04 05:33:22.280743Z qemu-kvm: -vnc 10.0.0.5:0: Failed to start VNC server',
    '2020-12-13T17:49:15.239179Z qemu-system-x86_64: warning: host doesn\'t support requested feature: MSR(48FH).vmx-exit-load-perf-global-ctrl [bit 12]',
    "2026-04-27 15:13:00.598+0000: IO error device='sata0-0-0' node-name='libvirt-2-format' reason='No space left on device'",
    '2020-12-13 17:49:16.145+0000: shutting down, reason=failed',
    'LC_ALL=C',
    'KVM internal error. Suberror: 1',
  ]) {
    assert.equal(detectFormatByContent(line), 'qemu', line);
  }
  assert.equal(detectFormatByContent('2020-12-13 17:49:16.145+0000: 1234: info : libvirt version: 6.9.0'), 'libvirtd');
});
