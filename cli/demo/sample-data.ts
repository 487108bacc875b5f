import { readdir, readFile, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';

// The bundled sample data the main job ships: the seed scenario (samples/seed) and a generated multi-host day
// (samples/fleet). Git checkouts do not keep modification times, yet syslog lines without a year take theirs
// from the file's mtime (DESIGN.md section 6): restore the mtime the generator recorded (truth.json
// referenceTime) before shipping, as an operator's `cp -p` would have kept it.

export interface SampleHost {
  readonly name: string;
  readonly dir: string;
}

export const SAMPLE_SETS = ['seed', 'fleet'] as const;

export async function listSampleHosts(samplesDir: string): Promise<SampleHost[]> {
  const hosts: SampleHost[] = [];
  for (const set of SAMPLE_SETS) {
    const setDir = join(samplesDir, set);
    for (const entry of await readdir(setDir, { withFileTypes: true })) {
      if (entry.isDirectory()) hosts.push({ name: entry.name, dir: join(setDir, entry.name) });
    }
  }
  return hosts;
}

export async function restoreSampleMtimes(samplesDir: string): Promise<void> {
  for (const set of SAMPLE_SETS) {
    const setDir = join(samplesDir, set);
    let reference: Date | undefined;
    try {
      const truth = JSON.parse(await readFile(join(setDir, 'truth.json'), 'utf8')) as { referenceTime?: string };
      if (truth.referenceTime) reference = new Date(truth.referenceTime);
    } catch {
      reference = undefined;
    }
    if (!reference) continue;
    await touchTree(setDir, reference);
  }
}

async function touchTree(dir: string, at: Date): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await touchTree(path, at);
    else if (entry.isFile() && (await stat(path)).mtimeMs !== at.getTime()) await utimes(path, at, at);
  }
}
