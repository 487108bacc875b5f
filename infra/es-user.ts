import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { HangwatchError } from '../shared/errors.js';

// Elasticsearch refuses to run as root ("can not run elasticsearch as root"). As root we run it as a system
// user `hangwatch`, created on first use, through runuser (util-linux), and hand it its own folders.

const run = promisify(execFile);
export const ES_USER = 'hangwatch';

export async function ensureEsUser(progress: (message: string) => void): Promise<void> {
  if (await userExists(ES_USER)) return;
  progress(`creating system user '${ES_USER}' to run Elasticsearch (it refuses to run as root)`);
  try {
    await run('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', ES_USER]);
  } catch (error) {
    throw new HangwatchError('HW_STACK_START_FAILED', ['Elasticsearch', `cannot create user ${ES_USER}: ${(error as Error).message}`], { cause: error });
  }
}

async function userExists(name: string): Promise<boolean> {
  try {
    await run('id', ['-u', name]);
    return true;
  } catch {
    return false;
  }
}

export async function chownToEsUser(paths: readonly string[]): Promise<void> {
  await run('chown', ['-R', `${ES_USER}:${ES_USER}`, ...paths]);
}

/** The command line that runs `command args` as the ES user, keeping only the environment we pass. */
export function wrapAsEsUser(command: string, args: readonly string[], env: Readonly<Record<string, string>>): { command: string; args: string[] } {
  const assignments = Object.entries(env).map(([key, value]) => `${key}=${value}`);
  return { command: 'runuser', args: ['-u', ES_USER, '--', 'env', '-i', ...assignments, command, ...args] };
}
