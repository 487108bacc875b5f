import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

// Starting and stopping the service JVMs by pid. They are started detached (own session), so they outlive
// the `hangwatch stack up` that started them and a Ctrl-C in its terminal.

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else (e.g. the hangwatch user while we are not root).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGTERM, then SIGKILL after `timeoutMs`. Resolves true when the process is gone. */
export async function stopProcess(pid: number, timeoutMs: number): Promise<boolean> {
  if (!signal(pid, 'SIGTERM')) return !isProcessAlive(pid);
  if (await waitForExit(pid, timeoutMs)) return true;
  signal(pid, 'SIGKILL');
  return waitForExit(pid, 5_000);
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return true;
    await sleep(200);
  }
  return !isProcessAlive(pid);
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

export interface DetachedCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here: a JVM that dies before its logger starts says why in this file. */
  readonly outputFile: string;
}

/** Starts a long-lived process in its own session and returns its pid without waiting for it. */
export function spawnDetached(cmd: DetachedCommand): number {
  const fd = openSync(cmd.outputFile, 'a');
  try {
    const child = spawn(cmd.command, [...cmd.args], { cwd: cmd.cwd, env: cmd.env, detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new Error(`could not start ${cmd.command}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/**
 * Runs a command to completion, its output appended to `outputFile`; resolves with its exit code. After
 * `timeoutMs` its whole process group (it runs in its own session) is killed and the promise rejects.
 */
export async function runToCompletion(cmd: DetachedCommand, timeoutMs = 600_000): Promise<number> {
  const fd = openSync(cmd.outputFile, 'a');
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(cmd.command, [...cmd.args], { cwd: cmd.cwd, env: cmd.env, detached: true, stdio: ['ignore', fd, fd] });
      const timer = setTimeout(() => {
        if (child.pid !== undefined) signal(-child.pid, 'SIGKILL');
        reject(new Error(`${cmd.command} did not finish within ${timeoutMs} ms; killed`));
      }, timeoutMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('exit', (code, sig) => {
        clearTimeout(timer);
        resolve(code ?? (sig ? 128 : 1));
      });
    });
  } finally {
    closeSync(fd);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
