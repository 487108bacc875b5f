import { createHash } from 'node:crypto';

// A file's identity for event ids (DESIGN.md section 4: host + file fingerprint + offset). It must be the
// same whether the file is shipped live or analyzed from a copy, so it depends on content only (the inode
// is used by the shipper to notice rotation, never in ids), and it must not change while the file grows:
// the first FINGERPRINT_BYTES, as Filebeat's fingerprint identity does; a shorter file only once it has
// settled (the shipper waits; analyze, reading a finished copy, uses the whole). Not the first line alone:
// files of one kind often share it (every WinDbg report starts with the same debugger banner, every iostat
// capture of a host with the same banner line), which made different files one identity.

export const FINGERPRINT_BYTES = 1024;

export function fingerprintHead(head: Uint8Array, isComplete: boolean): string | undefined {
  return fingerprintSpan(head, isComplete)?.fingerprint;
}

/** The fingerprint and how many leading bytes it covers (the shipper stores both with a read position). */
export function fingerprintSpan(head: Uint8Array, isComplete: boolean): { readonly fingerprint: string; readonly length: number } | undefined {
  const end = head.length >= FINGERPRINT_BYTES ? FINGERPRINT_BYTES : isComplete ? head.length : -1;
  if (end === -1) return undefined;
  return { fingerprint: fingerprintPrefix(head, end) as string, length: end };
}

/** The fingerprint of exactly the first `length` bytes, or undefined when `head` is shorter (another file). */
export function fingerprintPrefix(head: Uint8Array, length: number): string | undefined {
  if (head.length < length) return undefined;
  return createHash('sha256').update(head.subarray(0, length)).digest('hex').slice(0, 16);
}
