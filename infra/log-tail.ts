import { open } from 'node:fs/promises';

// The end of a log file, quoted in start failures so the reason is on screen, not only on disk.

export async function readLogTail(path: string, maxBytes = 3_000): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } catch {
    return '';
  } finally {
    await handle?.close();
  }
}

export function describeTail(path: string, tail: string): string {
  const text = tail.trim();
  return text ? `last lines of ${path}:\n${text}` : `see ${path}`;
}
