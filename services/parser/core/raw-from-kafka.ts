import type { RawRecord } from '../../../shared/raw-record.js';
import { RAW_HEADERS } from '../../../shared/topics.js';
import { FORMATS, type Format } from '../../../shared/vocabulary.js';
import { HangwatchError } from '../../../shared/errors.js';

// A Kafka message of hangwatch.raw.v1 into a RawRecord: the shipper's headers say where the bytes came from,
// and the event id is built from them (host + fingerprint + offset), so a re-sent record keeps its id.

export interface KafkaMessageLike {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key?: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: string;
  readonly headers?: Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;
}

function header(message: KafkaMessageLike, name: string): string | undefined {
  const v = message.headers?.[name];
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : one.toString();
}

export function rawRecordFromKafka(message: KafkaMessageLike): RawRecord {
  const host = header(message, RAW_HEADERS.host) ?? message.key?.toString();
  const path = header(message, RAW_HEADERS.path);
  const format = header(message, RAW_HEADERS.format) ?? 'auto';
  const fingerprint = header(message, RAW_HEADERS.fingerprint);
  const offsetText = header(message, RAW_HEADERS.offset);
  const problems: string[] = [];
  if (!host) problems.push(`header ${RAW_HEADERS.host} (or a key) is missing`);
  if (!path) problems.push(`header ${RAW_HEADERS.path} is missing`);
  if (!fingerprint) problems.push(`header ${RAW_HEADERS.fingerprint} is missing`);
  if (format !== 'auto' && !(FORMATS as readonly string[]).includes(format)) problems.push(`unknown format ${format}`);
  const offset = offsetText === undefined ? Number.NaN : Number(offsetText);
  if (!Number.isSafeInteger(offset) || offset < 0) problems.push(`header ${RAW_HEADERS.offset} is not a byte offset`);
  if (!message.value) problems.push('the message has no value');
  if (problems.length > 0) throw new HangwatchError('HW_RECORD_INVALID', [problems.join('; ')]);
  const created = header(message, RAW_HEADERS.created) ?? new Date(Number(message.timestamp)).toISOString();
  const mtime = header(message, RAW_HEADERS.mtime);
  const oversizeLength = header(message, RAW_HEADERS.oversizeLength);
  const oversizeSha = header(message, RAW_HEADERS.oversizeSha256);
  const sourceId = header(message, RAW_HEADERS.sourceId);
  const time = header(message, RAW_HEADERS.time);
  return {
    bytes: message.value as Buffer,
    host: host as string,
    path: path as string,
    format: format as Format | 'auto',
    fingerprint: fingerprint as string,
    offset,
    created,
    ...(mtime ? { mtime } : {}),
    ...(oversizeLength && oversizeSha ? { oversize: { length: Number(oversizeLength), sha256: oversizeSha } } : {}),
    ...(sourceId ? { sourceId } : {}),
    ...(time && Number.isFinite(Date.parse(time)) ? { time } : {}),
  };
}
