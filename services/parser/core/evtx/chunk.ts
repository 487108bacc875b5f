import { BinXmlError, ChunkDecoder } from './binxml.js';
import { crc32 } from './crc32.js';
import { startsWithAscii } from './file-header.js';

// One EVTX chunk (libevtx documentation, "Chunk"): a 512-byte header (CRC over bytes 0-120 and 128-512), then
// event records up to the free space offset (CRC over them), each `**\0\0`, size, record id, FILETIME, BinXML,
// copy of size. A chunk whose header is unusable is damaged as a whole; a record whose framing is broken
// ends the chunk (nothing after it can be found reliably); a record whose BinXML cannot be decoded is damaged
// alone. When only the records CRC disagrees, the records are still decoded and marked, since a guest that
// crashed mid-write leaves exactly such a last chunk and its records are the ones that matter.

export const CHUNK_SIGNATURE = 'ElfChnk\u0000';
export const CHUNK_HEADER_BYTES = 512;
const RECORD_HEADER_BYTES = 24;

export interface ChunkHeader {
  readonly firstRecordNumber: bigint;
  readonly lastRecordNumber: bigint;
  readonly firstRecordId: bigint;
  readonly lastRecordId: bigint;
  readonly lastRecordOffset: number;
  readonly freeSpaceOffset: number;
}

export interface DecodedRecord {
  readonly kind: 'record';
  /** Offset inside the chunk. */
  readonly offset: number;
  readonly recordId: bigint;
  /** FILETIME the record was written. */
  readonly written: bigint;
  readonly xml: string;
}

export interface DamagedRecord {
  readonly kind: 'damaged';
  readonly offset: number;
  readonly detail: string;
  readonly recordId?: bigint;
}

export type ChunkItem = DecodedRecord | DamagedRecord;

export interface DecodedChunk {
  /** An unused chunk (all zero bytes): nothing to read, nothing damaged. */
  readonly empty: boolean;
  readonly header?: ChunkHeader;
  /** Why the whole chunk is unusable. */
  readonly fatal?: string;
  /** A problem that does not stop decoding (records CRC mismatch, truncation): its records are marked. */
  readonly suspect?: string;
  readonly items: readonly ChunkItem[];
}

function isAllZero(bytes: Uint8Array, from = 0): boolean {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function readChunkHeader(bytes: Uint8Array): { header?: ChunkHeader; fatal?: string } {
  if (bytes.length < CHUNK_HEADER_BYTES) return { fatal: `chunk truncated: ${bytes.length} of ${CHUNK_HEADER_BYTES} header bytes` };
  if (!startsWithAscii(bytes, CHUNK_SIGNATURE)) return { fatal: 'chunk signature is not ElfChnk' };
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stored = v.getUint32(124, true);
  const computed = crc32(bytes, 128, CHUNK_HEADER_BYTES, crc32(bytes, 0, 120));
  if (stored !== computed) return { fatal: `chunk header CRC mismatch (stored ${hex(stored)}, computed ${hex(computed)})` };
  const header: ChunkHeader = {
    firstRecordNumber: v.getBigUint64(8, true),
    lastRecordNumber: v.getBigUint64(16, true),
    firstRecordId: v.getBigUint64(24, true),
    lastRecordId: v.getBigUint64(32, true),
    lastRecordOffset: v.getUint32(44, true),
    freeSpaceOffset: v.getUint32(48, true),
  };
  if (header.freeSpaceOffset < CHUNK_HEADER_BYTES || header.freeSpaceOffset > 65536) return { header, fatal: `free space offset ${header.freeSpaceOffset} outside the chunk` };
  return { header };
}

/** Decodes every record of a chunk. Pure; `bytes` is the chunk (65536 bytes, fewer when the file was cut). */
export function decodeChunk(bytes: Uint8Array): DecodedChunk {
  if (isAllZero(bytes)) return { empty: true, items: [] };
  const { header, fatal } = readChunkHeader(bytes);
  if (fatal !== undefined || header === undefined) return { empty: false, ...(header ? { header } : {}), fatal: fatal ?? 'unreadable chunk header', items: [] };
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = Math.min(header.freeSpaceOffset, bytes.length);
  let suspect: string | undefined;
  if (header.freeSpaceOffset > bytes.length) suspect = `chunk truncated at ${bytes.length} bytes (free space offset ${header.freeSpaceOffset})`;
  else {
    const stored = v.getUint32(52, true);
    const computed = crc32(bytes, CHUNK_HEADER_BYTES, end);
    if (stored !== computed) suspect = `event records CRC mismatch (stored ${hex(stored)}, computed ${hex(computed)})`;
  }
  const decoder = new ChunkDecoder(bytes);
  const items: ChunkItem[] = [];
  let pos = CHUNK_HEADER_BYTES;
  while (pos + RECORD_HEADER_BYTES <= end) {
    if (!startsWithAscii(bytes, '**\u0000\u0000', pos)) {
      if (isAllZero(bytes.subarray(pos, end))) break;
      items.push({ kind: 'damaged', offset: pos, detail: `record signature missing at chunk offset ${pos}` });
      break;
    }
    const size = v.getUint32(pos + 4, true);
    const recordId = v.getBigUint64(pos + 8, true);
    if (size < RECORD_HEADER_BYTES + 4 || pos + size > end) {
      items.push({ kind: 'damaged', offset: pos, recordId, detail: `record size ${size} at chunk offset ${pos} runs outside the records (end ${end})` });
      break;
    }
    const copy = v.getUint32(pos + size - 4, true);
    if (copy !== size) {
      items.push({ kind: 'damaged', offset: pos, recordId, detail: `record size ${size} and its trailing copy ${copy} differ` });
      break;
    }
    const written = v.getBigUint64(pos + 16, true);
    try {
      const xml = decoder.decodeEvent(pos + RECORD_HEADER_BYTES, pos + size - 4);
      items.push({ kind: 'record', offset: pos, recordId, written, xml });
    } catch (error) {
      if (!(error instanceof BinXmlError)) throw error;
      items.push({ kind: 'damaged', offset: pos, recordId, detail: `record ${recordId}: ${error.message}` });
    }
    pos += size;
  }
  return { empty: false, header, ...(suspect ? { suspect } : {}), items };
}
