import { HangwatchError } from '../../../../shared/errors.js';
import { readCount, readText, type Json } from './json-path.js';
import { digestOf, type PeerLine } from './peer-line.js';
import { peerTimeIso } from './peer-time.js';

// Vector's kafka sink with `encoding.codec: json` over a `file` source: `message`, `file`, `host`,
// `timestamp` (when Vector read it, RFC 3339 UTC), `source_type: "file"`; `offset` only when the source sets
// `offset_key: offset` (Vector >= 0.24, vectordotdev/vector#13422: the line's start offset). Without it there
// is no position at all, so the record id is a digest of message + timestamp: stable across Kafka redelivery
// of the same document, but a line Vector itself re-reads (lost checkpoint) gets a new timestamp and a new id,
// and two equal lines read in the same instant collide. docs/peer-shippers.md says so.

export function vectorLine(doc: Json, fallbackMs: number): PeerLine {
  const message = readText(doc, 'message');
  const path = readText(doc, 'file', 'log.file.path');
  const host = readText(doc, 'host', 'host.name', 'hostname');
  const problems: string[] = [];
  if (message === undefined) problems.push('no message');
  if (path === undefined) problems.push('no file (is the source a `file` source?)');
  if (host === undefined) problems.push('no host');
  if (problems.length > 0) throw new HangwatchError('HW_RECORD_INVALID', [`Vector document: ${problems.join('; ')}`]);
  const timestamp = readText(doc, 'timestamp');
  const offset = readCount(doc, 'offset');
  return {
    host: host as string,
    path: path as string,
    message: message as string,
    created: peerTimeIso(timestamp, fallbackMs),
    ...(offset === undefined ? { sourceId: `vector:${digestOf([message as string, timestamp ?? ''])}` } : { offset }),
  };
}
