import { normalizeMac } from '../../../../shared/identity.js';
import type { EventDraft, FormatParser, ParseContext } from '../event-draft.js';
import { ParseFailure } from '../parse-failure.js';
import { parseBoundedJson } from '../windows/bounded-json.js';
import { buildWindowsDraft } from '../windows/build-windows-draft.js';
import { parseUtcInstant } from '../windows/system-time.js';
import { exportedDocuments, isObject, type Json } from '../windows/winlogbeat-export.js';
import type { WindowsRecord } from '../windows/windows-record.js';

// Winlogbeat documents (dataset windows.winlogbeat), one per record as Winlogbeat writes them to Kafka or files,
// or inside the shapes they are exported in (Elasticsearch hits and search responses, arrays: winlogbeat-export.ts).
// Same Windows rules as the event XML path (services/parser/core/windows/), and the same event.id for the same
// record (computer + channel + record id). `@timestamp` is the guest's TimeCreated in UTC as Winlogbeat wrote it
// (basis `explicit`); its digits beyond the millisecond (Winlogbeat's golden files carry 7) are kept in
// winlog.time_created. Two layouts:
// - 7.x/8.x: `winlog.{event_id, channel, provider_name, record_id, computer_name, event_data, user_data}`;
//   event_id and record_id are numbers in 7.x and strings in 8.x: both are kept as strings, as DESIGN.md's
//   winlog.* are.
// - 1.x-6.x: the same facts at the top level (`event_id`, `log_name`, `source_name`, `record_number`,
//   `computer_name`, `event_data`, `user_data`, `level`, `beat.hostname`).

const GRAMMAR = 'winlogbeat';

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

function objectAt(doc: Json, key: string): Json {
  const value = doc[key];
  return isObject(value) ? value : {};
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

interface RecordFields {
  readonly eventId: unknown;
  readonly channel: unknown;
  readonly providerName: unknown;
  readonly recordId: unknown;
  readonly computerName: unknown;
  readonly level: unknown;
  readonly timeCreated: unknown;
  readonly eventData: unknown;
  readonly userData: unknown;
}

/** Where each fact sits in a 7.x/8.x document, or else in a 1.x-6.x one. */
function locateFields(doc: Json): RecordFields {
  const host = objectAt(doc, 'host');
  const winlog = doc.winlog;
  if (isObject(winlog)) {
    return {
      eventId: winlog.event_id ?? objectAt(doc, 'event').code,
      channel: winlog.channel,
      providerName: winlog.provider_name,
      recordId: winlog.record_id,
      computerName: winlog.computer_name ?? host.name ?? objectAt(doc, 'agent').hostname,
      level: objectAt(doc, 'log').level ?? winlog.level,
      timeCreated: winlog.time_created,
      eventData: winlog.event_data,
      userData: winlog.user_data,
    };
  }
  if (doc.event_id !== undefined) {
    return {
      eventId: doc.event_id,
      channel: doc.log_name,
      providerName: doc.source_name,
      recordId: doc.record_number,
      computerName: doc.computer_name ?? objectAt(doc, 'beat').hostname ?? host.name,
      level: doc.level,
      timeCreated: undefined,
      eventData: doc.event_data,
      userData: doc.user_data,
    };
  }
  throw invalid('no winlog object (Winlogbeat 7 and later) nor top-level event_id (Winlogbeat 6 and earlier)', ['winlog', 'event_id']);
}

function readRecord(doc: Json, timestamp: string): WindowsRecord {
  const found = locateFields(doc);
  const eventId = scalarText(found.eventId)?.trim();
  if (eventId === undefined || !/^\d+$/.test(eventId)) throw invalid('winlog.event_id missing or not a number', ['winlog.event_id']);
  const eventData: Record<string, string> = {};
  readDataObject(found.eventData, eventData);
  // The XML path flattens <UserData> into event_data; do the same with Winlogbeat's user_data.
  readDataObject(found.userData, eventData);
  const fields: Record<string, string | undefined> = {
    channel: scalarText(found.channel),
    providerName: scalarText(found.providerName),
    recordId: scalarText(found.recordId),
    computerName: scalarText(found.computerName),
    message: scalarText(doc.message),
    level: scalarText(found.level)?.toLowerCase(),
    timeCreated: typeof found.timeCreated === 'string' ? found.timeCreated : timestamp,
  };
  const record: Record<string, unknown> = { eventId: String(Number(eventId)), eventData };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined && value !== '') record[key] = value;
  return record as unknown as WindowsRecord;
}

/** `@timestamp` as ISO text (an epoch-millisecond number from some exports), else Winlogbeat's time_created. */
function timestampText(doc: Json): string {
  const value = doc['@timestamp'] ?? objectAt(doc, 'winlog').time_created;
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
  if (typeof value === 'string') return value;
  throw invalid('no @timestamp', ['@timestamp']);
}

/**
 * Winlogbeat's `event.created` is when it read the record from the event log, on the guest's clock: kept as the
 * event's created time, and its distance to `@timestamp` (TimeCreated) recorded as hangwatch.clock.skew_ms for
 * the correlator (a backlog read after a boot shows as a large value).
 */
function keepWinlogbeatCreated(draft: EventDraft, doc: Json, timestampMs: number): void {
  const text = scalarText(objectAt(doc, 'event').created);
  const createdMs = text === undefined ? Number.NaN : Date.parse(text);
  if (!Number.isFinite(createdMs)) return;
  draft.event.created = new Date(createdMs).toISOString();
  draft.hangwatch.clock = { skew_ms: Math.round(createdMs - timestampMs) };
}

function draftOf(doc: Json, ctx: ParseContext): EventDraft {
  const timestamp = timestampText(doc);
  const record = readRecord(doc, timestamp);
  const timestampMs = parseUtcInstant(timestamp);
  ctx.state.lastTimestampMs = timestampMs;
  const hostMac = readMacs(doc.host);
  const draft = buildWindowsDraft(record, { dataset: 'windows.winlogbeat', timestampMs, basis: 'explicit', grammar: GRAMMAR, hostMac });
  keepWinlogbeatCreated(draft, doc, timestampMs);
  return draft;
}

export const winlogbeatParser: FormatParser = {
  format: 'winlogbeat',
  parse(ctx: ParseContext): EventDraft[] {
    if (ctx.text.trim() === '') return [];
    const documents = exportedDocuments(parseBoundedJson(ctx.text, GRAMMAR));
    return documents.map(({ doc, original }) => {
      const draft = draftOf(doc, ctx);
      if (original !== undefined) draft.event.original = original;
      return draft;
    });
  },
};
