import { createHash } from 'node:crypto';
import type { RawRecord } from '../../../../shared/raw-record.js';
import type { Format } from '../../../../shared/vocabulary.js';

// One line (or multiline event) of a file as a peer shipper delivered it, and its RawRecord. Peers give no
// content fingerprint of the file (our shipper hashes the file's first bytes + inode), so the fingerprint is
// derived from host + path (+ device/inode when the peer reports them): ids then depend on the path, a file
// rotated under the same name restarts at offset 0 and collides with its predecessor unless the peer reports
// the inode, and our shipper's ids differ from a peer's for the same line (docs/peer-shippers.md).

export interface PeerLine {
  readonly host: string;
  readonly path: string;
  readonly message: string;
  /** When the peer read it, ISO 8601 UTC with milliseconds. */
  readonly created: string;
  /** Byte offset the peer reports; absent: `sourceId` identifies the record instead. */
  readonly offset?: number;
  /** `device:inode` when the peer reports them (Filebeat 8.x `log.file.device_id` / `log.file.inode`). */
  readonly fileIdentity?: string;
  /** The peer's own record id when there is no offset (Vector: a digest of message + timestamp). */
  readonly sourceId?: string;
}

function digest(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

/** The fingerprint a peer's file gets: host + path (+ device:inode). Prefixed so it never equals ours. */
export function peerFingerprint(host: string, path: string, fileIdentity?: string): string {
  return `peer:${digest(fileIdentity === undefined ? [host, path] : [host, path, fileIdentity])}`;
}

export function digestOf(parts: readonly string[]): string {
  return digest(parts);
}

export function rawRecordFromPeerLine(line: PeerLine, format: Format | undefined): RawRecord {
  return {
    bytes: Buffer.from(line.message, 'utf8'),
    host: line.host,
    path: line.path,
    format: format ?? 'auto',
    fingerprint: peerFingerprint(line.host, line.path, line.fileIdentity),
    offset: line.offset ?? 0,
    created: line.created,
    ...(line.offset === undefined ? { sourceId: line.sourceId ?? digest([line.message, line.created]) } : {}),
  };
}
