import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFramer, framingFor, type Frame } from '../../../services/shipper/core/framing.js';

// The qemu domain log framed as records: the lines of one command line (and of a pasted, hard-wrapped header or
// command line) are one frame; everything else is a line frame as before; what is held at the end of the input is
// emitted by end(), and a restart resumes at the first line of what is held.

const MAX = 1 << 20;

function frameAll(text: string, chunkSize = text.length + 1, kept = false, max = MAX): { frames: Frame[]; committedBeforeEnd: number; committed: number } {
  const input = Buffer.from(text);
  const framer = createFramer('qemu-records', max, 0, kept);
  const frames: Frame[] = [];
  for (let at = 0; at < input.length; at += chunkSize) {
    const chunk = Buffer.from(input.subarray(at, at + chunkSize));
    frames.push(...framer.push(chunk));
    if (!kept) chunk.fill(0x21); // the copying path: the caller may overwrite its read buffer
  }
  const committedBeforeEnd = framer.committedOffset;
  frames.push(...framer.end());
  return { frames, committedBeforeEnd, committed: framer.committedOffset };
}

const plain = (frames: readonly Frame[]) => frames.map((f) => [f.offset, f.bytes.toString()]);

const HEADER = '2020-12-13 17:49:15.028+0000: starting up libvirt version: 6.9.0, qemu version: 5.2.0, hostname: h';
const COMMAND = ['LC_ALL=C \\', 'PATH=/usr/bin \\', '/usr/bin/qemu-system-x86_64 \\', '-name guest=vm1,debug-threads=on \\', '-cpu host,migratable=on \\', '-msg timestamp=on'];
const AFTER = ['char device redirected to /dev/pts/20 (label charserial0)', '2020-12-13 17:49:16.145+0000: shutting down, reason=failed'];

test('qemu logs get record framing, by format or by the domain log path under auto', () => {
  assert.equal(framingFor('qemu', 'x.log'), 'qemu-records');
  assert.equal(framingFor('auto', '/var/log/libvirt/qemu/vm1.log'), 'qemu-records');
  assert.equal(framingFor('auto', '/var/log/libvirt/qemu/vm1.log.1'), 'qemu-records');
  assert.equal(framingFor('auto', '/var/log/libvirt/libvirtd.log'), 'lines');
  assert.equal(framingFor('libvirtd', '/var/log/libvirt/qemu/vm1.log'), 'lines');
});

test('a command line broken with " \\" is one frame at the offset of its first line, in any chunking', () => {
  const text = [HEADER, ...COMMAND, ...AFTER].join('\n') + '\n';
  const expected = [
    [0, HEADER],
    [HEADER.length + 1, COMMAND.join('\n')],
    [HEADER.length + 1 + COMMAND.join('\n').length + 1, AFTER[0]],
    [text.indexOf(AFTER[1] as string), AFTER[1]],
  ];
  for (const kept of [false, true]) {
    for (const size of [1, 2, 7, 64, text.length + 1]) {
      const { frames, committed } = frameAll(text, size, kept);
      assert.deepEqual(plain(frames), expected, `chunk ${size} kept ${kept}`);
      assert.equal(committed, text.length);
    }
  }
});

test('the input ending inside a command line: end() emits what is held, marked unfinished by a trailing newline', () => {
  const text = [HEADER, ...COMMAND.slice(0, 4)].join('\n') + '\n';
  const { frames, committedBeforeEnd } = frameAll(text);
  // Until end(), a restart must read the held command line again from its first line.
  assert.equal(committedBeforeEnd, HEADER.length + 1);
  assert.deepEqual(plain(frames), [
    [0, HEADER],
    [HEADER.length + 1, `${COMMAND.slice(0, 4).join('\n')}\n`],
  ]);
  // A lone first line at the end too: the newline tells the parser it will not go on.
  assert.deepEqual(plain(frameAll('LC_ALL=C \\\n').frames), [[0, 'LC_ALL=C \\\n']]);
  // The file cut inside the last line (no newline after it): the same.
  assert.deepEqual(plain(frameAll('LC_ALL=C \\\n-name x \\').frames), [[0, 'LC_ALL=C \\\n-name x \\\n']]);
});

test('a stamped line ends a command line (the writer died inside it); the size limit does too', () => {
  const stamped = '2020-12-13 17:49:16.145+0000: shutting down, reason=failed';
  const { frames } = frameAll(['LC_ALL=C \\', '-name guest=a \\', stamped].join('\n'));
  assert.deepEqual(plain(frames), [
    [0, 'LC_ALL=C \\\n-name guest=a \\\n'],
    [27, stamped],
  ]);
  const big = frameAll(['LC_ALL=C \\', `-name ${'x'.repeat(30)} \\`, '-S'].join('\n'), 1024, false, 40);
  assert.deepEqual(plain(big.frames), [
    [0, 'LC_ALL=C \\\n'],
    [11, `-name ${'x'.repeat(30)} \\\n`],
    [50, '-S'],
  ]);
});

test('only command words start a held " \\" line; anything else passes through', () => {
  const lines = ['C:\\', 'Booting from Hard Disk...', 'RAX=0 RBX=1 \\', 'next'];
  assert.deepEqual(
    plain(frameAll(lines.join('\n')).frames).map(([, t]) => t),
    // The input's last line had no newline: the record it ends is marked unfinished too.
    ['C:\\', 'Booting from Hard Disk...', 'RAX=0 RBX=1 \\\nnext\n'],
  );
});

test('a paste whose backslashes were lost: env, binary and option lines are one frame', () => {
  const bare = ['LC_ALL=C', 'PATH=/usr/bin', '/usr/bin/qemu-system-x86_64', '-name guest=Windows-10,debug-threads=on', '-S', '-msg timestamp=on'];
  const { frames } = frameAll([HEADER, ...bare, AFTER[0]].join('\n'));
  assert.deepEqual(
    plain(frames).map(([, t]) => t),
    [HEADER, bare.join('\n'), AFTER[0]],
  );
  // At the end: emitted by end(), marked unfinished (whether it was cut, only what it lacks can tell).
  assert.deepEqual(
    plain(frameAll(bare.slice(0, 4).join('\n') + '\n').frames).map(([, t]) => t),
    [bare.slice(0, 4).join('\n') + '\n'],
  );
  // A lone register line of a dump (`EFER=...` alone) is held for one line and let go.
  assert.deepEqual(
    plain(frameAll('EFER=0000000000000d01\nCode=af af <00> 00').frames).map(([, t]) => t),
    ['EFER=0000000000000d01', 'Code=af af <00> 00'],
  );
});

test('a hard-wrapped paste: the header and a one-line command line are joined from their full-width pieces', () => {
  for (const width of [57, 60, 61, 80, 120]) {
    const header = '2018-11-24 16:13:38.555+0000: starting up libvirt version: 4.0.0, package: 1ubuntu8.5, qemu version: 2.11.1, hostname: ubu';
    const command = 'LC_ALL=C PATH=/usr/bin /usr/bin/kvm-spice -name guest=win7-2,debug-threads=on -S -machine pc-i440fx-bionic,accel=kvm -cpu host -m 4096 -msg timestamp=on';
    // A terminal paste trims the blank a wrap fell on.
    const wrap = (s: string) => (s.match(new RegExp(`.{1,${width}}`, 'g')) as string[]).map((p) => p.trimEnd());
    const text = [...wrap(header), ...wrap(command), '2018-11-24 16:13:38.555+0000: Domain id=1 is tainted: host-cpu'].join('\n');
    const { frames } = frameAll(text);
    assert.deepEqual(
      plain(frames).map(([, t]) => t),
      [wrap(header).join('\n'), wrap(command).join('\n'), '2018-11-24 16:13:38.555+0000: Domain id=1 is tainted: host-cpu'],
      `width ${width}`,
    );
  }
});

test('a short one-line command line followed by its own messages is not joined to them', () => {
  const text = [
    'qemu-system-x86_64 -enable-kvm -name vm84 -m 1024',
    'char device redirected to /dev/pts/1 (label charserial0)',
    'warning: host doesn\'t support requested feature: CPUID.80000001H:ECX.svm [bit 2]',
  ].join('\n');
  assert.equal(frameAll(text).frames.length, 3);
  // The header is held until the command line after it, which is its own record.
  const header = [HEADER, 'LC_ALL=C PATH=/bin /usr/bin/kvm -name vm1 -S'].join('\n');
  assert.equal(frameAll(header).frames.length, 2);
});

test('a line over the limit passes through whole (oversize) and ends what was held', () => {
  const long = `-device ${'x'.repeat(100)} \\`;
  const { frames } = frameAll(['LC_ALL=C \\', long, '-S'].join('\n'), 1024, false, 64);
  assert.equal(frames.length, 3);
  assert.equal(frames[0]?.bytes.toString(), 'LC_ALL=C \\\n');
  assert.ok(frames[1]?.oversize);
  assert.equal(frames[2]?.bytes.toString(), '-S');
});

test('the last line of the input without its newline: a command line it ends or starts is marked unfinished', () => {
  // libvirt >= 6: the copy was taken while libvirt wrote the command line, cut inside a line.
  const cut = ['LC_ALL=C \\', '/usr/bin/qemu-system-x86_64 \\', '-device virtio-blk-pci,bus=pci.4,ad'];
  assert.deepEqual(plain(frameAll(cut.join('\n')).frames), [[0, `${cut.join('\n')}\n`]]);
  // The same record ended by a newline in the file is complete as far as the framing can tell.
  assert.deepEqual(plain(frameAll(`${cut.join('\n')}\n`).frames), [[0, cut.join('\n')]]);
  // A one-line command line (libvirt < 6) as the last, unterminated line.
  const oneLine = `LC_ALL=C PATH=/usr/bin /usr/bin/kvm -name guest=vm1 -machine pc ${'-device x '.repeat(60)}-dev`;
  assert.deepEqual(plain(frameAll(oneLine).frames), [[0, `${oneLine}\n`]]);
  // Any other last line is left as it is.
  assert.deepEqual(plain(frameAll('2020-12-13 17:49:16.145+0000: shutting down, reason=failed').frames), [[0, '2020-12-13 17:49:16.145+0000: shutting down, reason=failed']]);
});
