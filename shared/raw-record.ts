import type { Format } from './vocabulary.js';

// The contract between whatever reads a source (shipper, analyze's file walker, peer shippers via Kafka)
// and the parser: one raw record and where it came from.

export interface RawRecord {
  /** The record's bytes (a line without its newline, or a multi-line document). */
  readonly bytes: Uint8Array;
  /** Hypervisor host the record belongs to (key of raw and normalized topics). */
  readonly host: string;
  /** Source path as the shipper saw it. */
  readonly path: string;
  /** Declared format, or 'auto'. */
  readonly format: Format | 'auto';
  /** Fingerprint of the file (first bytes + inode), or a source id for non-file sources. */
  readonly fingerprint: string;
  /** Byte offset of the record's first byte in the file. */
  readonly offset: number;
  /** When the shipper read it (ISO 8601 UTC). */
  readonly created: string;
  /** File modification time (ISO), for year inference of syslog lines. */
  readonly mtime?: string;
  /** Set when the source record was larger than the framing limit: `bytes` holds its first part. */
  readonly oversize?: { readonly length: number; readonly sha256: string };
  /** A source-provided record id (journald cursor, peer shipper id) when there is no file offset. */
  readonly sourceId?: string;
  /**
   * The source's own time for the record (ISO 8601 UTC), when it keeps times apart from the text: journald's
   * __REALTIME_TIMESTAMP. Parsers use it for a record whose text has no time (basis `explicit`).
   */
  readonly time?: string;
}
