import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Format } from '../../shared/vocabulary.js';
import { HangwatchError } from '../../shared/errors.js';
import { detectFormatByContent, detectFormatByPath } from '../../services/parser/core/detect-format.js';
import { headIsYearLess } from '../../services/parser/core/year-less-head.js';

// Walks the paths given to `hangwatch analyze` (a copy of /var/log/libvirt, kernel logs, guests/<domain>/...,
// a sosreport) and decides each file's format: by path first, then by sniffing its first 4 KiB.

export interface CollectedFile {
  readonly path: string;
  readonly size: number;
  readonly format: Format | undefined;
  /** Its records' stamps have no year (kern.log, messages): parsed after the host's dated files. */
  readonly yearLess?: boolean;
  /** It could not be listed or opened (the error's code): one dead letter for it, the other files go on. */
  readonly unreadable?: string;
}

const SKIP_NAMES = /(^\.|\.expected\.ndjson$|^(README|SOURCES|truth)\b)/i;
const SNIFF_BYTES = 4096;

export async function collectFiles(paths: readonly string[]): Promise<CollectedFile[]> {
  const out: CollectedFile[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw new HangwatchError('HW_INPUT_UNREADABLE', [path, (error as NodeJS.ErrnoException).code ?? String(error)], { cause: error });
    }
    if (info.isDirectory()) await walk(path, out);
    else out.push(await collectFile(path));
  }
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}

// A folder or file inside the collection that cannot be read (permissions, removed while walking) is one entry
// marked unreadable, not the end of the walk: one bad file must not cost the analysis of all the others.
async function walk(dir: string, out: CollectedFile[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    out.push({ path: dir, size: 0, format: undefined, unreadable: errorCode(error) });
    return;
  }
  for (const entry of entries) {
    if (SKIP_NAMES.test(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, out);
    else if (entry.isFile()) out.push(await collectFile(path));
  }
}

async function collectFile(path: string): Promise<CollectedFile> {
  try {
    const info = await stat(path);
    return { path, size: info.size, ...(await decideFormat(path)) };
  } catch (error) {
    return { path, size: 0, format: undefined, unreadable: errorCode(error) };
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}

/** The file's format (by path, else by its first 4 KiB) and, for text logs, whether its stamps lack a year. */
async function decideFormat(path: string): Promise<{ format: Format | undefined; yearLess?: boolean }> {
  const byPath = detectFormatByPath(path);
  if (byPath === 'evtx' || byPath === 'dump') return { format: byPath };
  const handle = await open(path, 'r');
  let head: string;
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buf, 0, SNIFF_BYTES, 0);
    head = buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
  const format = byPath ?? detectFormatByContent(head);
  return format === undefined ? { format } : { format, ...(headIsYearLess(head) ? { yearLess: true } : {}) };
}
