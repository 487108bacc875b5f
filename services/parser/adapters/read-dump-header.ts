import type { FileHandle } from 'node:fs/promises';
import type { RawRecord } from '../../../shared/raw-record.js';
import { DUMP_HEADER_READ_BYTES } from '../core/dump/dump-header.js';
import type { RecordBase } from './read-evtx-records.js';

// A crash dump is read for its header only: the first 8 KiB (DUMP_HEADER64 is 0x2000 bytes), however large the
// dump. A shorter file ships what it has; the parser says it is truncated.

export async function* readDumpHeaderRecord(handle: FileHandle, base: RecordBase): AsyncGenerator<RawRecord> {
  const buf = Buffer.alloc(DUMP_HEADER_READ_BYTES);
  const { bytesRead } = await handle.read(buf, 0, DUMP_HEADER_READ_BYTES, 0);
  yield { ...base, bytes: buf.subarray(0, bytesRead), offset: 0 };
}
