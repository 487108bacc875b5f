import type { FileHandle } from 'node:fs/promises';
import type { RawRecord } from '../../../shared/raw-record.js';
import { planChunkRecords } from '../core/evtx/chunk-records.js';
import { CHUNK_BYTES, FILE_HEADER_BYTES, chunkFileOffset, chunksMissingAtEnd, readFileHeader } from '../core/evtx/file-header.js';

// Streams an EVTX file chunk by chunk (one 64 KiB buffer, reused), so memory stays bounded whatever the file's
// size. Chunks are walked by file size, not by the header's chunk count (libevtx documents dirty files whose count
// is stale). A damaged file header is shipped for a dead letter and reading goes on: chunks are self-contained.
// A file that ends before chunks its sound header counts gets one more record after the chunks: the header again,
// at the file's end offset, from which the parser derives the dead letter naming the missing chunks.

export type RecordBase = Omit<RawRecord, 'bytes' | 'offset'>;

export async function* readEvtxRecords(handle: FileHandle, size: number, base: RecordBase): AsyncGenerator<RawRecord> {
  const header = Buffer.alloc(FILE_HEADER_BYTES);
  const { bytesRead } = await handle.read(header, 0, FILE_HEADER_BYTES, 0);
  const fileHeader = readFileHeader(header.subarray(0, bytesRead));
  if (fileHeader.problem !== undefined) yield { ...base, bytes: Buffer.from(header.subarray(0, bytesRead)), offset: 0 };
  const chunk = Buffer.alloc(CHUNK_BYTES);
  for (let index = 0; chunkFileOffset(index) < size; index++) {
    const at = chunkFileOffset(index);
    const { bytesRead: n } = await handle.read(chunk, 0, CHUNK_BYTES, at);
    if (n === 0) break;
    for (const payload of planChunkRecords(chunk.subarray(0, n), at)) yield { ...base, bytes: payload.bytes, offset: payload.offset };
  }
  if (fileHeader.problem === undefined && fileHeader.header !== undefined && chunksMissingAtEnd(fileHeader.header, size) !== undefined) {
    yield { ...base, bytes: Buffer.from(header.subarray(0, bytesRead)), offset: size };
  }
}
