// Lines/s of the kernel grammar on a generated 100k-line kern.log (issue 3). No peer here: the figure is
// compared with DESIGN.md section 9's ~350k lines/s for the libvirtd lexer+grammar.
// Run: node --import tsx bench/kernel-grammar.ts [lines]
import type { RawRecord } from '../shared/raw-record.js';
import { parseZone } from '../shared/time.js';
import { kernelParser } from '../services/parser/core/formats/kernel.js';
import type { ParseContext, SourceState } from '../services/parser/core/event-draft.js';
import { parseRecord, SourceStates, type FormatRegistry } from '../services/parser/core/parse-record.js';

const total = Number(process.argv[2] ?? 100_000);

// A hypervisor's kern.log mix: mostly unremarkable kernel lines, some kvm MSR noise, a few lockups and hung
// tasks, other programs' lines.
const MESSAGES = [
  'IPv6: ADDRCONF(NETDEV_CHANGE): vnet3: link becomes ready',
  'br0: port 4(vnet3) entered forwarding state',
  'kvm [4573]: vcpu0 unhandled rdmsr: 0x34',
  'kvm [4573]: vcpu1, guest rIP: 0xfffff80002a3b5c0 unhandled wrmsr: 0x40000101 data 0x0',
  'NMI watchdog: BUG: soft lockup - CPU#3 stuck for 22s! [qemu-system-x86:4573]',
  'INFO: task qemu-system-x86:4573 blocked for more than 120 seconds.',
  'Modules linked in: vhost_net vhost macvtap macvlan kvm_intel kvm irqbypass',
  'audit: type=1400 audit(1489554301.123:42): apparmor="STATUS" operation="profile_load" name="libvirt-5f1b"',
];

function line(i: number): string {
  const s = i % 60;
  const m = Math.floor(i / 60) % 60;
  const stamp = `Mar 15 13:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')} sc7`;
  if (i % 10 === 9) return `${stamp} libvirtd[2417]: internal error: End of file from monitor`;
  const uptime = (18000 + i / 100).toFixed(6).padStart(12, ' ');
  return `${stamp} kernel: [${uptime}] ${MESSAGES[i % MESSAGES.length]}`;
}

const lines = Array.from({ length: total }, (_, i) => line(i));
const bytes = lines.map((l) => Buffer.from(l));
const options = { maxRecordBytes: 1 << 20, validate: false, hostZone: parseZone('Asia/Shanghai') };

function measure(name: string, run: () => void): void {
  run(); // warm-up
  const t0 = performance.now();
  run();
  const ms = performance.now() - t0;
  process.stdout.write(`${name}: ${total} lines in ${ms.toFixed(0)} ms = ${Math.round(total / (ms / 1000)).toLocaleString('en-US')} lines/s\n`);
}

measure('kernelParser.parse (grammar + classification + draft)', () => {
  const state: SourceState = { memo: {} };
  const record = { host: 'sc7', path: '/var/log/kern.log', format: 'kernel', fingerprint: 'bench', offset: 0, created: '2017-03-20T00:00:00.000Z', bytes: new Uint8Array() } satisfies RawRecord;
  for (const text of lines) {
    const ctx: ParseContext = { record, text, flags: [], state, options, createdMs: 1489968000000, mtimeMs: 1489968000000, year: { ms: 1489968000000, basis: 'file-mtime' } };
    kernelParser.parse(ctx);
  }
});

measure('parseRecord (decode + parse + finish, no schema validation)', () => {
  const states = new SourceStates();
  const registry = { kernel: kernelParser } as unknown as FormatRegistry;
  bytes.forEach((b, i) => {
    parseRecord({ bytes: b, host: 'sc7', path: '/var/log/kern.log', format: 'kernel', fingerprint: 'bench', offset: i * 120, created: '2017-03-20T00:00:00.000Z', mtime: '2017-03-20T00:00:00.000Z' }, registry, states, options);
  });
});

// The libvirtd grammar on its own lines in the same run, for a ratio that does not depend on the machine's load.
const { libvirtdParser } = await import('../services/parser/core/formats/libvirtd.js');
const LIBVIRTD = '2017-03-15 06:03:48.180+0000: 13914: error : qemuMonitorIO:689 : internal error: End of file from monitor';
measure('libvirtdParser.parse, same count (reference)', () => {
  const state: SourceState = { memo: {} };
  const record = { host: 'sc7', path: '/var/log/libvirt/libvirtd.log', format: 'libvirtd', fingerprint: 'bench', offset: 0, created: '2017-03-20T00:00:00.000Z', bytes: new Uint8Array() } satisfies RawRecord;
  for (let i = 0; i < total; i++) libvirtdParser.parse({ record, text: LIBVIRTD, flags: [], state, options, createdMs: 1489968000000, year: { ms: 1489968000000, basis: 'ingest' } });
});
