import { normalizeMac } from '../../../../shared/identity.js';
import type { EventDraft, FormatParser, ParseContext } from '../event-draft.js';
import { ParseFailure } from '../parse-failure.js';
import { parseBoundedJson } from '../windows/bounded-json.js';
import { buildWindowsDraft } from '../windows/build-windows-draft.js';
import { parseUtcInstant } from '../windows/system-time.js';
import type { WindowsRecord } from '../windows/windows-record.js';

// Winlogbeat 7.x/8.x JSON documents (dataset windows.winlogbeat), one per record, as Winlogbeat writes them to
// Kafka or files. Same Windows rules as the event XML path (services/parser/core/windows/), and the same
// event.id for the same record (computer + channel + record id). `@timestamp` is the guest's TimeCreated in
// UTC as Winlogbeat wrote it (basis `explicit`). `winlog.event_id` is a number in 7.x/8.x documents and a
// string in some pipelines; `record_id` likewise: both are kept as strings, as DESIGN.md's winlog.* are.

const GRAMMAR = 'winlogbeat';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

function invalid(detail: string, expected: readonly string[]): ParseFailure {
  return new ParseFailure('HW_RECORD_INVALID', GRAMMAR, detail, expected);
}

/** event_data values are strings in Winlogbeat; anything else is stringified so winlog.event_data.* stay strings. */
function readDataObject(value: unknown, out: Record<string, string>, prefix = ''): void {
  if (!isObject(value)) return;
  for (const [key, item] of Object.entries(value)) {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    const text = scalarText(item);
    if (text !== undefined) out[name] = text;
    else if (isObject(item)) readDataObject(item, out, name);
    else if (Array.isArray(item)) out[name] = JSON.stringify(item);
  }
}

function readMacs(host: unknown): string[] {
  if (!isObject(host)) return [];
  const mac = host.mac;
  const list = Array.isArray(mac) ? mac : mac === undefined ? [] : [mac];
  return list.filter((m): m is string => typeof m === 'string').map(normalizeMac);
}

function readRecord(doc: Json): WindowsRecord {
  const winlog = doc.winlog;
  if (!isObject(winlog)) throw invalid('no winlog object', ['winlog']);
  const eventId = scalarText(winlog.event_id);
  if (eventId === undefined || !/^\d+$/.test(eventId.trim())) throw invalid('winlog.event_id missing or not a number', ['winlog.event_id']);
  const eventData: Record<string, string> = {};
  readDataObject(winlog.event_data, eventData);
  // The XML path flattens <UserData> into event_data; do the same with Winlogbeat's user_data.
  readDataObject(winlog.user_data, eventData);
  const host = isObject(doc.host) ? doc.host : {};
  const log = isObject(doc.log) ? doc.log : {};
  const fields: Record<string, string | undefined> = {
    channel: scalarText(winlog.channel),
    providerName: scalarText(winlog.provider_name),
    recordId: scalarText(winlog.record_id),
    computerName: scalarText(winlog.computer_name) ?? scalarText(host.name),
    message: scalarText(doc.message),
    level: scalarText(log.level)?.toLowerCase(),
  };
  const record: Record<string, unknown> = { eventId: String(Number(eventId)), eventData };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined && value !== '') record[key] = value;
  return record as unknown as WindowsRecord;
}

/**
 * Winlogbeat's `event.created` is when it read the record from the event log, on the guest's clock: kept as the
 * event's created time (issue 13), and its distance to `@timestamp` (TimeCreated) recorded as
 * hangwatch.clock.skew_ms for the correlator (a backlog read after a boot shows as a large value).
 */
function keepWinlogbeatCreated(draft: EventDraft, doc: Json, timestampMs: number): void {
  const text = isObject(doc.event) ? scalarText(doc.event.created) : undefined;
  const createdMs = text === undefined ? Number.NaN : Date.parse(text);
  if (!Number.isFinite(createdMs)) return;
  draft.event.created = new Date(createdMs).toISOString();
  draft.hangwatch.clock = { skew_ms: Math.round(createdMs - timestampMs) };
}

export const winlogbeatParser: FormatParser = {
  format: 'winlogbeat',
  parse(ctx: ParseContext): EventDraft[] {
    if (ctx.text.trim() === '') return [];
    const doc = parseBoundedJson(ctx.text, GRAMMAR);
    if (!isObject(doc)) throw invalid('a Winlogbeat record is a JSON object', ['{']);
    const timestamp = scalarText(doc['@timestamp']);
    if (timestamp === undefined) throw invalid('no @timestamp', ['@timestamp']);
    const record = readRecord(doc);
    const timestampMs = parseUtcInstant(timestamp);
    ctx.state.lastTimestampMs = timestampMs;
    const hostMac = readMacs(doc.host);
    const draft = buildWindowsDraft(record, { dataset: 'windows.winlogbeat', timestampMs, basis: 'explicit', grammar: GRAMMAR, hostMac });
    keepWinlogbeatCreated(draft, doc, timestampMs);
    return [draft];
  },
};
