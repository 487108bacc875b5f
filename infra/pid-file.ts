import { readFile, rm, writeFile } from 'node:fs/promises';

// Pid files: the parsing and the alive/stale decision are pure; reading /proc is the only I/O besides the file.

/** A pid from a pid file's text, or undefined when it holds no positive whole number. */
export function parsePid(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return undefined;
  const pid = Number.parseInt(trimmed, 10);
  return pid > 1 && Number.isSafeInteger(pid) ? pid : undefined;
}

export type PidState =
  | { readonly kind: 'none' }
  | { readonly kind: 'alive'; readonly pid: number }
  | { readonly kind: 'stale'; readonly pid: number | undefined; readonly reason: string };

/**
 * What a pid file means. `cmdline` is the process's /proc/<pid>/cmdline (NUL-separated), undefined when no such
 * process exists. A live pid whose command is not our Java main class is a reused pid: stale, never killed.
 */
export function judgePidFile(text: string | undefined, cmdline: string | undefined, mainClass: string): PidState {
  if (text === undefined) return { kind: 'none' };
  const pid = parsePid(text);
  if (pid === undefined) return { kind: 'stale', pid, reason: `unreadable pid file content ${JSON.stringify(text.slice(0, 40))}` };
  if (cmdline === undefined) return { kind: 'stale', pid, reason: `process ${pid} is gone` };
  // A main class may come as a module-qualified name (`org.elasticsearch.server/org.elasticsearch...`).
  const args = cmdline.split('\0');
  if (!args.some((arg) => arg === mainClass || arg.endsWith(`/${mainClass}`))) return { kind: 'stale', pid, reason: `pid ${pid} now belongs to another program` };
  return { kind: 'alive', pid };
}

export async function readPidState(pidFile: string, mainClass: string): Promise<PidState> {
  const text = await readOptional(pidFile);
  if (text === undefined) return { kind: 'none' };
  const pid = parsePid(text);
  const cmdline = pid === undefined ? undefined : await readOptional(`/proc/${pid}/cmdline`);
  return judgePidFile(text, cmdline, mainClass);
}

export async function writePidFile(pidFile: string, pid: number): Promise<void> {
  await writeFile(pidFile, `${pid}\n`, 'utf8');
}

export async function removePidFile(pidFile: string): Promise<void> {
  await rm(pidFile, { force: true });
}

export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
    throw error;
  }
}
