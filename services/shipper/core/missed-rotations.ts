// A file can live at a watched path for less than one scan: created, written and renamed away between two looks
// (a burst of rotations, or a reader busy for longer than read.scan_interval_ms, or a shipper that was stopped).
// A `file` input without a glob sees only what is at its path when it looks, so such a file would be lost whole.
// When the path's inode changed since the last look, the folder's rotated siblings tell what was missed: inodes
// the shipper does not hold, named like a rotation of the watched name, and written (and, where the filesystem
// records it, born) since that look. Old rotations (.1 -> .2 renames of files written days ago) are not picked up:
// a rename changes no modification time. Pure: the adapter lists the folder (services/shipper/adapters/shipper-runtime.ts).

export interface SiblingFile {
  readonly name: string;
  readonly dev: number;
  readonly ino: number;
  readonly mtimeMs: number;
  /** 0 where the filesystem does not record a birth time. */
  readonly birthtimeMs: number;
}

/** Clock granularity and the time between a look's start and its stat of the path. */
export const MISSED_ROTATION_SLACK_MS = 1_000;

const COMPRESSED = /\.(gz|xz|bz2|zst|lz4|zip|Z)$/;

/** `libvirtd.log.1`, `libvirtd.log-20261125`, `qemu.log_old` are rotations of `libvirtd.log` / `qemu.log`; `.gz` ones are not read. */
export function isRotatedName(watched: string, name: string): boolean {
  if (name.length <= watched.length + 1 || !name.startsWith(watched)) return false;
  const separator = name[watched.length];
  return (separator === '.' || separator === '-' || separator === '_') && !COMPRESSED.test(name);
}

/** The siblings to read to their end, oldest first; `held` says whether the shipper has that inode open. */
export function missedRotations<T extends SiblingFile>(watched: string, siblings: readonly T[], held: (dev: number, ino: number) => boolean, sinceMs: number): T[] {
  const since = sinceMs - MISSED_ROTATION_SLACK_MS;
  return siblings
    .filter((s) => isRotatedName(watched, s.name) && !held(s.dev, s.ino) && s.mtimeMs >= since && (s.birthtimeMs <= 0 || s.birthtimeMs >= since))
    .sort((a, b) => (a.birthtimeMs || a.mtimeMs) - (b.birthtimeMs || b.mtimeMs));
}
