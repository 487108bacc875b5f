import { copyFile, cp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, type Batch } from './corpus.js';

// A log rotation storm on each host's libvirtd.log while the shipper tails it: the file's lines are cut into
// R+1 parts; the live file starts with the first part and is rotated R times, alternating logrotate's two
// ways (rename to .1 and start a new file; copytruncate: copy to .1, truncate in place), with the numbered
// files shifted up each time. The end layout is known (part k ends as libvirtd.log.(R-k)), and the offline
// analysis of that layout is what the pipeline must end with.

const LIBVIRTD = join('var', 'log', 'libvirt', 'libvirtd.log');

function splitLines(data: Buffer, parts: number): Buffer[] {
  const ends: number[] = [];
  for (let i = data.indexOf(0x0a); i !== -1; i = data.indexOf(0x0a, i + 1)) ends.push(i + 1);
  const out: Buffer[] = [];
  let from = 0;
  for (let p = 1; p <= parts; p++) {
    const to = p === parts ? data.length : (ends[Math.floor((ends.length * p) / parts) - 1] ?? data.length);
    out.push(data.subarray(from, to));
    from = to;
  }
  return out;
}

export interface RotationPlan {
  readonly batch: Batch;
  /** Runs the rotations, `intervalMs` apart. */
  storm(intervalMs: number): Promise<void>;
}

export async function planRotationStorm(batch: Batch, rotations: number): Promise<RotationPlan> {
  const parts = new Map<string, Buffer[]>();
  for (const host of batch.hosts) parts.set(host.dir, splitLines(await readFile(join(host.dir, LIBVIRTD)), rotations + 1));
  // The end layout, in a copy with the same host folder names, for the offline expectation.
  const finalRoot = `${batch.dir}-final`;
  await rm(finalRoot, { recursive: true, force: true });
  const finalDirs: string[] = [];
  for (const host of batch.hosts) {
    const dir = join(finalRoot, host.name);
    await cp(host.dir, dir, { recursive: true, preserveTimestamps: true });
    const chunks = parts.get(host.dir) as Buffer[];
    await rm(join(dir, LIBVIRTD));
    for (let k = 0; k <= rotations; k++) await writeFile(k === rotations ? join(dir, LIBVIRTD) : `${join(dir, LIBVIRTD)}.${rotations - k}`, chunks[k] as Buffer);
    finalDirs.push(dir);
  }
  const expected = await expect(finalDirs);
  for (const host of batch.hosts) await writeFile(join(host.dir, LIBVIRTD), (parts.get(host.dir) as Buffer[])[0] as Buffer);
  return {
    batch: { ...batch, expected },
    storm: async (intervalMs) => {
      for (let r = 1; r <= rotations; r++) {
        await new Promise((res) => setTimeout(res, intervalMs));
        for (const host of batch.hosts) {
          const live = join(host.dir, LIBVIRTD);
          for (let j = r - 1; j >= 1; j--) await rename(`${live}.${j}`, `${live}.${j + 1}`);
          const next = (parts.get(host.dir) as Buffer[])[r] as Buffer;
          if (r % 2 === 1) {
            await rename(live, `${live}.1`);
            await writeFile(live, next);
          } else {
            await copyFile(live, `${live}.1`);
            await writeFile(live, next); // truncates in place: same inode, as copytruncate leaves it
          }
        }
      }
    },
  };
}
