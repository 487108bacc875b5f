import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { RawRecord } from '../../../shared/raw-record.js';
import { DUMP_HEADER_READ_BYTES } from '../core/dump/dump-header.js';
import type { RecordBase } from './read-evtx-records.js';

// A crash dump is read for its header only: the first 8 KiB (DUMP_HEADER64 is 0x2000 bytes), however large the
// dump. A shorter file ships what it has; the parser says it is truncated.
//
// Its identity is the whole header it ships, not the file fingerprint (the first 1 KiB): dumps of one guest differ
// first at SystemTime (offset 0xfa8) and the bugcheck fields, so four crashes became one event and three were
// dropped. Hashing the header (and the file's size) keeps distinct crashes distinct, and the same dump read twice,
// by the shipper or by analyze, the same event.

export async function* readDumpHeaderRecord(handle: FileHandle, base: RecordBase, size?: number): AsyncGenerator<RawRecord> {
  const buf = Buffer.alloc(DUMP_HEADER_READ_BYTES);
  const { bytesRead } = await handle.read(buf, 0, DUMP_HEADER_READ_BYTES, 0);
  const header = buf.subarray(0, bytesRead);
  yield { ...base, fingerprint: dumpFingerprint(header, size), bytes: header, offset: 0 };
}

export function dumpFingerprint(header: Uint8Array, size: number | undefined): string {
  const hash = createHash('sha256').update(header);
  if (size !== undefined) hash.update(`:${size}`);
  return `dump-${hash.digest('hex').slice(0, 24)}`;
}
