import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

// Runs pipeline services as separate processes (`hangwatch service NAME`), logs to files, and stops them.

export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly httpPort: number;
  exited: boolean;
}

export async function startService(repo: string, name: string, env: NodeJS.ProcessEnv, logsDir: string, httpPort: number): Promise<ServiceProcess> {
  await mkdir(logsDir, { recursive: true });
  const logFile = join(logsDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [join(repo, 'bin', 'hangwatch.js'), 'service', name], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: repo });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const proc: ServiceProcess = { name, child, logFile, httpPort, exited: false };
  child.on('exit', () => {
    proc.exited = true;
  });
  return proc;
}

export async function waitReady(proc: ServiceProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (proc.exited) throw new Error(`${proc.name} exited during start; see ${proc.logFile}`);
    try {
      const res = await fetch(`http://127.0.0.1:${proc.httpPort}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${proc.name} was not ready after ${timeoutMs} ms; see ${proc.logFile}`);
}

export async function stopServices(procs: readonly ServiceProcess[], timeoutMs = 20_000): Promise<void> {
  await Promise.all(
    procs.map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.exited) return resolve();
          const timer = setTimeout(() => {
            p.child.kill('SIGKILL');
          }, timeoutMs);
          p.child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          p.child.kill('SIGTERM');
        }),
    ),
  );
}

/** Runs a hangwatch command to completion, its stderr passed through with a prefix. */
export function runCommand(repo: string, args: readonly string[], env: NodeJS.ProcessEnv, logFile: string): Promise<number> {
  return new Promise((resolve) => {
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(process.execPath, [join(repo, 'bin', 'hangwatch.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: repo });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}
