// First step of README's two commands on a fresh clone: install the npm packages when they are missing or
// older than package-lock.json (so a second run costs nothing), then compile the grammars. No dependencies.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
if (!existsSync(stamp) || statSync(stamp).mtimeMs < statSync(lock).mtimeMs) {
  process.stderr.write('hangwatch: installing npm packages (npm ci)...\n');
  execFileSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}
execFileSync(process.execPath, [join(root, 'scripts', 'build-grammars.mjs')], { cwd: root, stdio: 'inherit' });
