import { createHash } from 'node:crypto';

// A file's identity for event ids (DESIGN.md section 4: host + file fingerprint + offset). It must be the
// same whether the file is shipped live or analyzed from a copy, so it depends on content only (the inode
// is used by the shipper to notice rotation, never in ids), and it must not change while the file grows:
// the first complete line (up to FINGERPRINT_BYTES), or the first FINGERPRINT_BYTES when no newline comes
// earlier. Until either exists the file has no fingerprint yet (the shipper waits; analyze uses the whole).

export const FINGERPRINT_BYTES = 1024;

export function fingerprintHead(head: Uint8Array, isComplete: boolean): string | undefined {
  return fingerprintSpan(head, isComplete)?.fingerprint;
}

/** The fingerprint and how many leading bytes it covers (the shipper stores both with a read position). */
export function fingerprintSpan(head: Uint8Array, isComplete: boolean): { readonly fingerprint: string; readonly length: number } | undefined {
  const limit = Math.min(head.length, FINGERPRINT_BYTES);
  let end = -1;
  for (let i = 0; i < limit; i++) {
    if (head[i] === 0x0a) {
      end = i + 1;
      break;
    }
  }
  if (end === -1) {
    if (head.length >= FINGERPRINT_BYTES) end = FINGERPRINT_BYTES;
    else if (isComplete) end = head.length;
    else return undefined;
  }
  return { fingerprint: fingerprintPrefix(head, end) as string, length: end };
}

/** The fingerprint of exactly the first `length` bytes, or undefined when `head` is shorter (another file). */
export function fingerprintPrefix(head: Uint8Array, length: number): string | undefined {
  if (head.length < length) return undefined;
  return createHash('sha256').update(head.subarray(0, length)).digest('hex').slice(0, 16);
}
