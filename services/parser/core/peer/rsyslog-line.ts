import { HangwatchError } from '../../../../shared/errors.js';
import { readCount, readText, type Json } from './json-path.js';
import { digestOf, type PeerLine } from './peer-line.js';
import { peerTimeIso } from './peer-time.js';

// rsyslog omkafka with our template (docs/examples/rsyslog-hangwatch.conf): `host` (hostname), `program`
// (programname), `tag` (syslogtag), `path` ($!metadata!filename from imfile with addMetadata="on"),
// `offset` ($!metadata!fileoffset, the line's start offset), `received` (timegenerated, RFC 3339),
// `reported` (timereported), `message` (msg: for imfile the whole line as written), and `line` (the
// traditional file format line, for messages that did not come from a file). A message without a path is
// named `syslog/<program>` and is recognized by its content (kernel lines are).

export function rsyslogLine(doc: Json, fallbackMs: number): PeerLine {
  const host = readText(doc, 'host', 'hostname');
  const path = readText(doc, 'path');
  const program = readText(doc, 'program', 'programname') ?? 'unknown';
  const message = path !== undefined ? readText(doc, 'message', 'msg') : readText(doc, 'line', 'message', 'msg');
  const problems: string[] = [];
  if (host === undefined) problems.push('no host');
  if (message === undefined) problems.push(path === undefined ? 'no line or message' : 'no message');
  if (problems.length > 0) throw new HangwatchError('HW_RECORD_INVALID', [`rsyslog document: ${problems.join('; ')}`]);
  const created = peerTimeIso(readText(doc, 'received', 'reported'), fallbackMs);
  const offset = path === undefined ? undefined : readCount(doc, 'offset');
  return {
    host: host as string,
    path: path ?? `syslog/${program}`,
    message: message as string,
    created,
    ...(offset === undefined ? { sourceId: `rsyslog:${digestOf([message as string, readText(doc, 'reported') ?? created])}` } : { offset }),
  };
}
