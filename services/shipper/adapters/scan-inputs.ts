import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { InputConfig } from '../core/file-config.js';
import { isRotatedName, type SiblingFile } from '../core/missed-rotations.js';
import { compileNamePatterns, splitFilePattern } from '../core/name-pattern.js';

// Lists the regular files an input covers right now, with their device and inode (how the shipper tells a
// renamed file from a new one). Missing folders are not errors: a qemu folder or a guest folder may appear later.

export interface FoundFile {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

export async function scanInput(input: InputConfig, spoolPath: (input: InputConfig) => string): Promise<FoundFile[]> {
  if (input.type === 'metrics' || input.type === 'journald') return [];
  if (input.type === 'command') return statOne(spoolPath(input));
  if (input.type === 'file') {
    const { folder, pattern } = splitFilePattern(input.path);
    if (!/[*?]/.test(pattern)) return statOne(input.path);
    return walk(folder, '', compileNamePatterns([pattern], []), false);
  }
  return walk(input.path, '', compileNamePatterns(input.include, input.exclude), input.recursive);
}

async function statOne(path: string): Promise<FoundFile[]> {
  try {
    const info = await stat(path);
    return info.isFile() ? [{ path, dev: info.dev, ino: info.ino, size: info.size, mtimeMs: info.mtimeMs }] : [];
  } catch {
    return [];
  }
}

async function walk(root: string, relative: string, matcher: ReturnType<typeof compileNamePatterns>, recursive: boolean): Promise<FoundFile[]> {
  let entries;
  try {
    entries = await readdir(relative ? join(root, relative) : root, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: FoundFile[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const rel = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (recursive) out.push(...(await walk(root, rel, matcher, recursive)));
    } else if ((entry.isFile() || entry.isSymbolicLink()) && matcher.matches(rel)) {
      out.push(...(await statOne(join(root, rel))));
    }
  }
  return out;
}

/** A file with this inode in `folder` (a rotated sibling of a file renamed while the shipper was down). */
export async function findByInode(folder: string, dev: number, ino: number): Promise<string | undefined> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return undefined;
  }
  for (const name of names) {
    const path = join(folder, name);
    try {
      const info = await stat(path);
      if (info.isFile() && info.dev === dev && info.ino === ino) return path;
    } catch {
      // vanished meanwhile
    }
  }
  return undefined;
}

/** The files of `folder` named like a rotation of `watchedName` (`libvirtd.log.1`, `libvirtd.log-20261125`). */
export async function listRotatedSiblings(folder: string, watchedName: string): Promise<(SiblingFile & { readonly path: string })[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const out: (SiblingFile & { readonly path: string })[] = [];
  for (const name of names) {
    if (!isRotatedName(watchedName, name)) continue;
    const path = join(folder, name);
    try {
      const info = await stat(path);
      if (info.isFile()) out.push({ name, path, dev: info.dev, ino: info.ino, mtimeMs: info.mtimeMs, birthtimeMs: info.birthtimeMs });
    } catch {
      // vanished meanwhile
    }
  }
  return out;
}
