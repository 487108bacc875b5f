import { HangwatchError } from '../../../../shared/errors.js';
import { readCount, readText, type Json } from './json-path.js';
import type { PeerLine } from './peer-line.js';
import { peerTimeIso } from './peer-time.js';

// Filebeat's Kafka output (codec.json, the default): one JSON document per line or multiline event.
// 7.x/8.x (ECS): `message`, `log.file.path`, `log.offset`, `host.name` (or `agent.hostname`), `@timestamp` =
// when Filebeat read it; 8.x adds `log.file.inode` / `log.file.device_id`. 5.x/6.x: top-level `source` and
// `offset`, `beat.hostname`, and (6.3+) `host.name`. 5.x-6.2 and filestream before 7.17 report the offset
// of the line's end, later ones its start (elastic/beats#6514, #30445): either is stable per line, so the id
// is deterministic; log.offset keeps what Filebeat said.

export function filebeatLine(doc: Json, fallbackMs: number): PeerLine {
  const message = readText(doc, 'message');
  const path = readText(doc, 'log.file.path', 'source');
  const host = readText(doc, 'host.name', 'agent.hostname', 'beat.hostname', 'beat.name');
  const problems: string[] = [];
  if (message === undefined) problems.push('no message');
  if (path === undefined) problems.push('no log.file.path (7.x+) or source (5.x/6.x)');
  if (host === undefined) problems.push('no host.name, agent.hostname or beat.hostname');
  if (problems.length > 0) throw new HangwatchError('HW_RECORD_INVALID', [`Filebeat document: ${problems.join('; ')}`]);
  const offset = readCount(doc, 'log.offset', 'offset');
  const inode = readText(doc, 'log.file.inode');
  const device = readText(doc, 'log.file.device_id');
  return {
    host: host as string,
    path: path as string,
    message: message as string,
    created: peerTimeIso(readText(doc, 'event.created', '@timestamp'), fallbackMs),
    ...(offset === undefined ? {} : { offset }),
    ...(inode === undefined ? {} : { fileIdentity: `${device ?? ''}:${inode}` }),
  };
}
