// Runs node's test runner (through tsx) over the test files matching the given globs. Node 20's --test takes
// no globs, so they are expanded here. Usage: node scripts/run-tests.mjs [--concurrency N] GLOB...
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const args = process.argv.slice(2);
let concurrency = '1';
const globs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--concurrency') concurrency = args[++i];
  else globs.push(args[i]);
}
const patterns = globs.map(toRegExp);
const files = walk('test').filter((f) => patterns.some((re) => re.test(f))).sort();
if (files.length === 0) {
  process.stderr.write(`run-tests: no test files match ${globs.join(' ')}\n`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);

function walk(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else out.push(relative('.', path));
  }
  return out;
}

function toRegExp(glob) {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += '(?:.*/)?';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
