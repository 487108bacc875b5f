import { crc32 } from './crc32.js';

// The EVTX file header (libevtx documentation, "File header"): 4096 bytes, of which the first 128 are used.
// Its chunk count is not trusted for reading (libevtx notes dirty files whose count is wrong): readers walk
// the chunks by file size; the header is checked and reported, not relied on. Flag 0x4 ("no CRC32", written by
// newer Windows with the CRC field 0) means there is no checksum to check.

export const FILE_SIGNATURE = 'ElfFile\u0000';
export const FILE_HEADER_BYTES = 4096;
export const CHUNK_BYTES = 65536;
const FILE_FLAG_NO_CRC32 = 0x4;

export interface EvtxFileHeader {
  readonly firstChunk: bigint;
  readonly lastChunk: bigint;
  readonly nextRecordId: bigint;
  readonly headerSize: number;
  readonly version: string;
  readonly headerBlockSize: number;
  readonly chunkCount: number;
  readonly flags: { readonly dirty: boolean; readonly full: boolean; readonly noCrc32: boolean };
  readonly storedCrc: number;
  readonly computedCrc: number;
}

export function startsWithAscii(bytes: Uint8Array, text: string, at = 0): boolean {
  if (bytes.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Reads the header, or returns why it cannot be used (bad signature, too short, CRC mismatch). */
export function readFileHeader(bytes: Uint8Array): { header?: EvtxFileHeader; problem?: string } {
  if (bytes.length < 128) return { problem: `file header truncated: ${bytes.length} of 128 bytes` };
  if (!startsWithAscii(bytes, FILE_SIGNATURE)) return { problem: 'file header signature is not ElfFile' };
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = v.getUint32(120, true);
  const header: EvtxFileHeader = {
    firstChunk: v.getBigUint64(8, true),
    lastChunk: v.getBigUint64(16, true),
    nextRecordId: v.getBigUint64(24, true),
    headerSize: v.getUint32(32, true),
    version: `${v.getUint16(38, true)}.${v.getUint16(36, true)}`,
    headerBlockSize: v.getUint16(40, true),
    chunkCount: v.getUint16(42, true),
    flags: { dirty: (flags & 1) !== 0, full: (flags & 2) !== 0, noCrc32: (flags & FILE_FLAG_NO_CRC32) !== 0 },
    storedCrc: v.getUint32(124, true),
    computedCrc: crc32(bytes, 0, 120),
  };
  if (!header.flags.noCrc32 && header.storedCrc !== header.computedCrc) {
    return { header, problem: `file header CRC mismatch (stored 0x${header.storedCrc.toString(16)}, computed 0x${header.computedCrc.toString(16)})` };
  }
  return { header };
}

/** File offset of chunk `index` (chunks follow the 4096-byte header block). */
export function chunkFileOffset(index: number): number {
  return FILE_HEADER_BYTES + index * CHUNK_BYTES;
}

/** Splits a file offset into the chunk's file offset and the offset inside that chunk. */
export function locateInChunk(fileOffset: number): { chunkOffset: number; inChunk: number } {
  if (fileOffset < FILE_HEADER_BYTES) return { chunkOffset: 0, inChunk: fileOffset };
  const inChunk = (fileOffset - FILE_HEADER_BYTES) % CHUNK_BYTES;
  return { chunkOffset: fileOffset - inChunk, inChunk };
}

/**
 * When the file ends before chunks its header counts (a copy cut short, a transfer that stopped): which are
 * missing. A chunk the file ends inside is not counted here; its own reading reports the cut. Only for a header
 * that passed its checks: a damaged header's count means nothing.
 */
export function chunksMissingAtEnd(header: EvtxFileHeader, fileSize: number): string | undefined {
  const present = fileSize <= FILE_HEADER_BYTES ? 0 : Math.ceil((fileSize - FILE_HEADER_BYTES) / CHUNK_BYTES);
  if (present >= header.chunkCount) return undefined;
  const missing = present === header.chunkCount - 1 ? `chunk ${present} is` : `chunks ${present}-${header.chunkCount - 1} are`;
  return `the file ends at ${fileSize} bytes but its header counts ${header.chunkCount} chunks: ${missing} missing, with their records (the header's next record id is ${header.nextRecordId})`;
}
