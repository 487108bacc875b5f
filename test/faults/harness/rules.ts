import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, WORK } from './paths.js';

// The alert rules of the suite's pipelines: the bundled rules that group by something. A rule with one key for
// the whole fleet (fleet-watchdog-trend) counts every incident on the shared incidents topic, other runs'
// included, so its episodes cannot be compared with one batch's offline analysis; it is left out here (its
// engine is the same as the other threshold rule's, which stays).

let prepared: string | undefined;

export function suiteRulesDir(): string {
  if (prepared) return prepared;
  const dir = join(WORK, 'rules');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const source = join(REPO, 'rules');
  for (const name of readdirSync(source).filter((n) => /\.ya?ml$/.test(n))) {
    if (/^group_by:/m.test(readFileSync(join(source, name), 'utf8'))) copyFileSync(join(source, name), join(dir, name));
  }
  prepared = dir;
  return dir;
}
