import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './paths.js';

// Runs a hangwatch command as a child process under a heap limit (--max-old-space-size: past it the process
// dies, so the bound is enforced, not only observed) and reports its peak resident memory from
// /usr/bin/time -v's "Maximum resident set size".

export const HEAP_LIMIT_MB = 192;
/** Peak RSS allowed: the heap limit plus Node's own code, buffers and young generation. */
export const RSS_BOUND_MB = 320;

export interface BoundedRun {
  readonly code: number;
  readonly peakRssMb: number;
  readonly stderr: string;
}

export function runBounded(args: readonly string[], stdoutFile: string, env: NodeJS.ProcessEnv = process.env): Promise<BoundedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-v', process.execPath, `--max-old-space-size=${HEAP_LIMIT_MB}`, join(REPO, 'bin', 'hangwatch.js'), ...args], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = createWriteStream(stdoutFile);
    child.stdout.pipe(out);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (stderr.length > 1_000_000) stderr = stderr.slice(-200_000);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      resolve({ code: code ?? 1, peakRssMb: m ? Number(m[1]) / 1024 : NaN, stderr });
    });
  });
}

/** `parsed=N deadletter=M`, the last line `hangwatch parse` writes to stderr. */
export function parseCounts(stderr: string): { parsed: number; deadletters: number } {
  const m = /parsed=(\d+) deadletter=(\d+)/.exec(stderr);
  if (!m) throw new Error(`no parse summary in: ${stderr.slice(-500)}`);
  return { parsed: Number(m[1]), deadletters: Number(m[2]) };
}
