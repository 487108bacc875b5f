import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open, rename, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../../../shared/logger.js';
import type { InputConfig } from '../core/file-config.js';
import { buildChildEnv } from '../core/child-env.js';

// A command input (`iostat -x -t 10`): its standard output is appended to a spool file in the state folder, and
// the spool is tailed like any log. That gives command output the same durable positions, fingerprints and
// offsets as files (a shipper restart loses nothing the command already printed), and rotation by rename
// bounds the spool. When the command exits it runs again after `restart_delay_ms`.

export interface CommandSpool {
  stop(): Promise<void>;
}

export function startCommandSpool(input: InputConfig, spoolPath: string, logger: Logger): CommandSpool {
  const log = logger.child({ input: input.name });
  let stopped = false;
  let child: ChildProcess | null = null;
  let restartTimer: NodeJS.Timeout | null = null;
  let writes: Promise<void> = Promise.resolve();
  let handle: FileHandle | null = null;
  let size = 0;

  const openSpool = async (): Promise<FileHandle> => {
    if (handle) return handle;
    await mkdir(dirname(spoolPath), { recursive: true });
    handle = await open(spoolPath, 'a');
    size = (await stat(spoolPath)).size;
    return handle;
  };

  const append = (chunk: Buffer): void => {
    writes = writes.then(async () => {
      try {
        const h = await openSpool();
        await h.write(chunk);
        size += chunk.length;
        // Rotate only at a line end so no record is split across the two files.
        if (size >= input.spoolMaxBytes && chunk[chunk.length - 1] === 0x0a) {
          await h.close();
          handle = null;
          await rename(spoolPath, `${spoolPath}.1`);
        }
      } catch (error) {
        log.error({ err: error, spool: spoolPath }, 'cannot write the command spool; output lost until it can');
      }
    });
  };

  const run = (): void => {
    if (stopped) return;
    const [program, ...args] = input.command;
    log.info({ command: input.command, spool: spoolPath }, 'starting command input');
    const proc = spawn(program as string, args, { stdio: ['ignore', 'pipe', 'pipe'], env: buildChildEnv(process.env, { LC_ALL: 'C' }) });
    child = proc;
    proc.stdout?.on('data', (chunk: Buffer) => append(chunk));
    proc.stderr?.on('data', (chunk: Buffer) => log.warn({ stderr: chunk.toString('utf8').slice(0, 500) }, 'command wrote to stderr'));
    proc.on('error', (error) => log.error({ err: error }, 'cannot run the command input'));
    proc.on('close', (code, signal) => {
      child = null;
      if (stopped) return;
      log.warn({ code, signal, restart_in_ms: input.restartDelayMs }, 'command input exited; running it again later');
      restartTimer = setTimeout(run, input.restartDelayMs);
    });
  };

  run();
  return {
    async stop(): Promise<void> {
      stopped = true;
      if (restartTimer) clearTimeout(restartTimer);
      child?.kill('SIGTERM');
      await writes;
      await handle?.close();
    },
  };
}
