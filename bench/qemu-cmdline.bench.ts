import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { qemuParser } from '../services/parser/core/formats/qemu.js';
import { parseCommandLine, readQemuConfig } from '../services/parser/core/qemu/command-line.js';
import { parseRecord, SourceStates } from '../services/parser/core/parse-record.js';
import type { FormatRegistry } from '../services/parser/core/parse-record.js';

// qemu command lines per second on one core, for the bench table (no peer parses qemu command lines:
// this is reported on its own). Inputs: the seed's vm113 line (2.3 KB, libvirt 1.3.1) and the joined modern
// libvirt 11 line of the fixtures (5 KB, JSON -blockdev/-device). Two figures: the grammar + config reader
// alone, and the whole parser path (parseRecord with schema validation off, as in production).
// Run: node --import tsx bench/qemu-cmdline.bench.ts [seconds-per-case]

const fixtures = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'test', 'grammars', 'fixtures', 'qemu');
const seed = readFileSync(join(fixtures, 'seed--vm113.log'), 'utf8').split('\n')[1] as string;
const modernLines = readFileSync(join(fixtures, 'modern-q35-hyperv--win2022.log'), 'utf8').split('\n');
const modern = modernLines.slice(1, modernLines.findIndex((l) => l.startsWith('-msg')) + 1).join('\n');
const seconds = Number(process.argv[2] ?? 2);
const registry = { qemu: qemuParser } as unknown as FormatRegistry;

function measure(name: string, bytes: number, run: () => void): void {
  for (let i = 0; i < 200; i++) run(); // warm-up for the JIT
  let n = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 50; i++) run();
    n += 50;
  }
  const s = (performance.now() - start) / 1000;
  process.stdout.write(`${name.padEnd(34)} ${Math.round(n / s).toString().padStart(8)} lines/s  ${((n * bytes) / s / 2 ** 20).toFixed(1).padStart(6)} MiB/s\n`);
}

for (const [label, line] of [['seed vm113 (2.3 KB)', seed], ['libvirt 11 joined (5 KB)', modern]] as const) {
  measure(`grammar+config ${label}`, line.length, () => readQemuConfig(parseCommandLine(line)));
  const bytes = Buffer.from(line);
  measure(`parseRecord ${label}`, line.length, () => {
    parseRecord(
      { bytes, host: 'h', path: '/var/log/libvirt/qemu/vm.log', format: 'qemu', fingerprint: 'f', offset: 0, created: '2026-01-01T00:00:00.000Z' },
      registry,
      new SourceStates(),
      { maxRecordBytes: 16 << 20, validate: false },
    );
  });
}
