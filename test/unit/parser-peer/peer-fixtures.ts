import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EcsEvent } from '../../../shared/schema/event.js';
import type { RawRecord } from '../../../shared/raw-record.js';
import type { KafkaMessageLike } from '../../../services/parser/core/raw-from-kafka.js';
import type { ParseOptions } from '../../../services/parser/core/event-draft.js';
import { SourceStates, parseRecord } from '../../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../../services/parser/core/registry.js';
import { parseZone } from '../../../shared/time.js';

// Shared by the peer tests: the fixture documents as Kafka messages, and the same source lines as our own
// shipper sends them (one raw record per line, host + path + offset), parsed by the same registry.

export const PEER_DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'peer');
export const SOURCE_FILES = ['/var/log/libvirt/libvirtd.log', '/var/log/libvirt/qemu/vm113.log', '/var/log/kern.log'] as const;
export const PARSE_OPTIONS: ParseOptions = { maxRecordBytes: 1 << 20, validate: true, hostZone: parseZone('+08:00') };

export function readDocs(name: string): string[] {
  return readFileSync(join(PEER_DIR, name), 'utf8').split('\n').filter((l) => l.trim() !== '');
}

export function asMessage(topic: string, value: string, offset: number, timestampMs = Date.UTC(2017, 2, 16)): KafkaMessageLike {
  return { topic, partition: 0, offset: String(offset), value: Buffer.from(value, 'utf8'), timestamp: String(timestampMs), key: null };
}

/** Our shipper's raw records for one source file: a line each, its byte offset, the file's fingerprint. */
export function ownRecords(path: string, created: string): RawRecord[] {
  const data = readFileSync(join(PEER_DIR, 'source', path));
  const out: RawRecord[] = [];
  let offset = 0;
  for (const line of data.toString('utf8').split('\n')) {
    const bytes = Buffer.from(line, 'utf8');
    if (bytes.length > 0) out.push({ bytes, host: 'sc7', path, format: 'auto', fingerprint: `ours:${path}`, offset, created, mtime: '2017-03-16T03:00:00.000Z' });
    offset += bytes.length + 1;
  }
  return out;
}

/** Events of our shipper's records for every source file, by path, in file order. */
export function ownEvents(): Map<string, EcsEvent[]> {
  const states = new SourceStates();
  const out = new Map<string, EcsEvent[]>();
  for (const path of SOURCE_FILES) {
    const events = ownRecords(path, '2017-03-16T03:00:00.000Z').flatMap((r) => parseRecord(r, FORMAT_PARSERS, states, PARSE_OPTIONS).events);
    out.set(path, events);
  }
  return out;
}

/** An event without what only says how it travelled: id, read time, offset, fingerprint and shipper. */
export function withoutProvenance(event: EcsEvent): unknown {
  const copy = structuredClone(event) as EcsEvent;
  delete (copy.event as { id?: string }).id;
  delete copy.event.created;
  delete copy.hangwatch.source;
  if (copy.log) delete copy.log.offset;
  return copy;
}
