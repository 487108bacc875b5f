import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { libvirtdParser } from '../services/parser/core/formats/libvirtd.js';
import { parseRecord, SourceStates } from '../services/parser/core/parse-record.js';
import { createFramer } from '../services/shipper/core/framing.js';

// issue 3's bench: a 1M-line libvirtd corpus parsed by our grammar (lexer + nearley plan + message rules + event
// building + JSON output, on one core) and by lognormalizer (liblognorm, C) with a rulebase of the same line
// structure (bench/lognormalizer/libvirtd.rulebase, JSON output), in the same run. Both are measured in CPU
// seconds of their own process (user + system), so other load on the machine does not skew the ratio much.

export interface ParseBenchResult {
  readonly lines: number;
  readonly oursLinesPerCpuSecond: number;
  readonly peerLinesPerCpuSecond?: number;
  readonly ratio?: number;
  readonly peer: string;
}

export async function ensureLibvirtdCorpus(lines: number, repo: string): Promise<string> {
  const dir = join(repo, 'bench', 'out', `libvirtd-${lines}`);
  const file = join(dir, 'sc1', 'var', 'log', 'libvirt', 'libvirtd.log');
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'test', 'generator', 'cli.ts'), '--out', dir, '--seed', '7', '--hosts', '1', '--vms', '2', '--day', '2017-03-15', '--libvirtd-lines', String(lines)], { stdio: 'inherit', cwd: repo });
  if (r.status !== 0) throw new Error('corpus generation failed');
  return file;
}

export async function runLibvirtdParseBench(corpus: string, repo: string): Promise<ParseBenchResult> {
  const states = new SourceStates();
  const registry = { libvirtd: libvirtdParser };
  const framer = createFramer('lines', 1 << 20);
  let lines = 0;
  let outBytes = 0;
  const cpu0 = process.cpuUsage();
  for await (const chunk of createReadStream(corpus, { highWaterMark: 1 << 20 })) {
    for (const frame of framer.push(chunk as Buffer)) {
      const outcome = parseRecord(
        { bytes: frame.bytes, host: 'sc1', path: corpus, format: 'libvirtd', fingerprint: 'bench', offset: frame.offset, created: '2026-01-01T00:00:00.000Z' },
        registry,
        states,
        { maxRecordBytes: 1 << 20, validate: false },
      );
      for (const e of outcome.events) outBytes += JSON.stringify(e).length;
      lines++;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const ours = lines / ((cpu.user + cpu.system) / 1e6);
  void outBytes;
  const peer = runLognormalizer(corpus, repo);
  return {
    lines,
    oursLinesPerCpuSecond: Math.round(ours),
    peer: 'lognormalizer (liblognorm-utils)',
    ...(peer ? { peerLinesPerCpuSecond: Math.round(lines / peer), ratio: ours / (lines / peer) } : {}),
  };
}

/** CPU seconds lognormalizer spends on the corpus, or undefined when it is not installed. */
function runLognormalizer(corpus: string, repo: string): number | undefined {
  const rulebase = join(repo, 'bench', 'lognormalizer', 'libvirtd.rulebase');
  const probe = spawnSync('sh', ['-c', 'command -v lognormalizer']);
  if (probe.status !== 0) {
    const install = spawnSync('sh', ['-c', 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq liblognorm-utils'], { stdio: 'ignore' });
    if (install.status !== 0) return undefined;
  }
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', 'sh', '-c', `lognormalizer -r '${rulebase}' -e json < '${corpus}' > /dev/null`], { encoding: 'utf8' });
  const m = /([\d.]+) ([\d.]+)\s*$/.exec(r.stderr.trim());
  return m ? Number(m[1]) + Number(m[2]) : undefined;
}

if (process.argv[1]?.endsWith('libvirtd-parse.bench.ts')) {
  const repo = join(import.meta.dirname, '..');
  const lines = Number(process.argv[2] ?? 1_000_000);
  const corpus = await ensureLibvirtdCorpus(lines, repo);
  const result = await runLibvirtdParseBench(corpus, repo);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
