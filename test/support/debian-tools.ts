import assert from 'node:assert/strict';
import { accessSync, constants } from 'node:fs';
import { spawnSync } from 'node:child_process';

// Programs some tests spawn that a fresh machine of this kind lacks, with the Debian package that brings each.
// README's test command must set up everything itself (CI runs it on a fresh machine, as root), so a test that
// needs one calls ensureDebianTool() first: nothing happens when it is there; otherwise apt-get installs it
// (refreshing the package lists once when the first try finds nothing), and a clear failure says what to install.

export interface DebianTool {
  readonly binary: string;
  readonly pkg: string;
}

/** Writes a real journal file from journal export format (the journald input's integration test). */
export const JOURNAL_REMOTE: DebianTool = { binary: '/lib/systemd/systemd-journal-remote', pkg: 'systemd-journal-remote' };

function present(binary: string): boolean {
  try {
    accessSync(binary, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function aptInstall(pkg: string): boolean {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  return spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], { stdio: 'ignore', env }).status === 0;
}

export function ensureDebianTool(tool: DebianTool): void {
  if (present(tool.binary)) return;
  if (!aptInstall(tool.pkg)) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    aptInstall(tool.pkg);
  }
  assert.ok(present(tool.binary), `${tool.binary} is missing and \`apt-get install -y ${tool.pkg}\` failed: install the Debian package ${tool.pkg} (as root) to run this test`);
}
