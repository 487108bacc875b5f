import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Every file under `dir` whose path matches (recursive; an unreadable folder is empty). */
export async function listFiles(dir: string, match: RegExp): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(path, match)));
    else if (match.test(path)) out.push(path);
  }
  return out;
}
