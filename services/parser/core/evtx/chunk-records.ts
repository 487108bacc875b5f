import { decodeChunk } from './chunk.js';

// What a reader ships for one chunk (raw records for the raw topic, or analyze's parser). A sound record travels
// as its event XML text, so the raw topic, event.original and Kibana all hold readable XML. Anything damaged, and
// every record of a chunk that could not be verified (a CRC mismatch, a cut), travels as the chunk's own bytes
// with the file offset of the record (or of the chunk): the parser decodes the chunk again and finds the same
// damage, so the dead letter carries the real bytes and the reason is derived from them alone, deterministically,
// wherever it is parsed.

export interface ChunkPayload {
  /** File offset of the record (or of the chunk, for damage of the chunk as a whole). */
  readonly offset: number;
  readonly bytes: Uint8Array;
}

const utf8 = new TextEncoder();

export function planChunkRecords(chunk: Uint8Array, chunkFileOffset: number): ChunkPayload[] {
  const decoded = decodeChunk(chunk);
  if (decoded.empty) return [];
  // One copy of the chunk shared by its payloads: the caller may reuse its read buffer.
  let copy: Uint8Array | undefined;
  const raw = (): Uint8Array => (copy ??= Uint8Array.from(chunk));
  if (decoded.fatal !== undefined) return [{ offset: chunkFileOffset, bytes: raw() }];
  return decoded.items.map((item) => ({
    offset: chunkFileOffset + item.offset,
    bytes: item.kind === 'record' && decoded.suspect === undefined ? utf8.encode(item.xml) : raw(),
  }));
}
