import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Admin } from 'kafkajs';
import { startService, stopServices, waitReady, type ServiceProcess } from '../cli/demo/child-services.js';

// What the end-to-end bench needs around `hangwatch service NAME` child processes (cli/demo/child-services.ts):
// free ports, its own topics, consumer groups of its own that start at the current end of shared topics (the
// services subscribe fromBeginning, and a fresh group would otherwise replay everyone's history first), and
// percentiles. Nothing here touches a group or topic the bench did not create.

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function createTopics(admin: Admin, topics: readonly string[], partitions: number): Promise<void> {
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })), waitForLeaders: true });
}

/** Commits offsets at the high watermark of each topic for a group that has no members yet. */
export async function startGroupAtEnd(admin: Admin, groupId: string, topics: readonly string[]): Promise<void> {
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({ groupId, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
  }
}

export interface ServiceSpec {
  readonly name: 'parser' | 'correlator' | 'indexer' | 'shipper';
  readonly env: Readonly<Record<string, string>>;
}

/** Starts the services (each with a free HTTP port) and waits until every one answers /readyz. */
export async function startServices(repo: string, base: NodeJS.ProcessEnv, specs: readonly ServiceSpec[], logsDir: string): Promise<ServiceProcess[]> {
  const procs: ServiceProcess[] = [];
  try {
    for (const spec of specs) {
      const port = await freePort();
      const portVariable = spec.name === 'shipper' ? 'HANGWATCH_SHIPPER_HTTP_PORT' : `HANGWATCH_${spec.name.toUpperCase()}_HTTP_PORT`;
      procs.push(await startService(repo, spec.name, { ...base, ...spec.env, [portVariable]: String(port) }, logsDir, port));
    }
    for (const p of procs) await waitReady(p, 180_000);
    return procs;
  } catch (error) {
    await stopServices(procs);
    throw error;
  }
}

/** Nearest-rank percentile of ascending samples. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

export interface LatencySummary {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export function summarizeLatencies(latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { samples: sorted.length, p50Ms: Math.round(percentile(sorted, 50)), p99Ms: Math.round(percentile(sorted, 99)), maxMs: Math.round(sorted[sorted.length - 1] ?? 0) };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** User + system CPU seconds a live process has used so far (Linux /proc; 100 clock ticks a second). */
export function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime are fields 14 and 15 of the whole line
  } catch {
    return 0;
  }
}

/** Runs a command under /usr/bin/time; resolves with its exit code and its CPU seconds (user + system). */
export function runTimed(command: string, args: readonly string[], env: NodeJS.ProcessEnv, logFile: string, cwd: string): Promise<{ code: number; cpuSeconds: number }> {
  const timesFile = `${logFile}.time`;
  return new Promise((resolve) => {
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn('/usr/bin/time', ['-o', timesFile, '-f', '%U %S', command, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    child.on('exit', (code) => {
      const m = /([\d.]+) ([\d.]+)\s*$/.exec(existsSync(timesFile) ? readFileSync(timesFile, 'utf8').trim() : '');
      resolve({ code: code ?? 1, cpuSeconds: m ? Number(m[1]) + Number(m[2]) : 0 });
    });
  });
}
