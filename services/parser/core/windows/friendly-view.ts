import { LEVEL_NAMES, type WindowsRecord } from './windows-record.js';

// Event Viewer's "Details" tab in "Friendly View", copied as text: the same event as a tree, no markup. Elements
// with children are headed by `- Name` (`+ Name` when folded), attributes are `[ Name]  value` lines, leaf
// elements `Name value` lines:
//
//   - System
//     - Provider
//      [ Name]  Microsoft-Windows-Kernel-Power
//      EventID 41                      (or `- EventID 6008` with `[ Qualifiers]  32768` below it)
//     - TimeCreated
//      [ SystemTime]  2017-03-15T05:13:20.109375000Z
//      EventRecordID 48213
//      Channel System
//      Computer WIN7-VM113
//   - EventData
//      BugcheckCode 257                (a classic event's unnamed data: the values alone, `10:23:28 AM`)
//   Binary data:
//     In Bytes
//     0000: E1 07 03 00 ...
//
// People paste this into tickets and forums more than the XML. It is read here into the same WindowsRecord as
// the XML: the System facts by their element names (locale-free), EventData as `Name value` pairs, or, when any
// line cannot be a name and a value (a classic event's data: times, dates, numbers, paths), every line as an
// unnamed value param1..n in order (blank values cannot be told from the blank lines the view puts between
// items, so they are not counted); the bytes of the `In Bytes` dump are the record's Binary.

// One run of blanks, then the marker and its blanks as one optional group: written `[ \t]*[-+]?[ \t]*`, the two
// runs could split a long line of blanks every way, and 256 KiB of them took 84 s.
const SYSTEM_HEAD = /^[ \t]*(?:[-+][ \t]*)?System[ \t]*$/m;
const EVENT_ID_LINE = /^[ \t]*(?:[-+][ \t]*)?EventID[ \t]+\d+[ \t]*$/m;
const SECTION = /^[-+]?[ \t]*(System|EventData|UserData)$/;
const ATTRIBUTE = /^\[ ?(\w+)\][ \t]+(.*)$/;
const NAMED_VALUE = /^([A-Za-z_][\w.]*)(?:[ \t]+(.*))?$/;
/** `0000: e9 07 0b 00 ...` (then the bytes as characters); `In Words` lines (`0000: 000b07e9 ...`) do not match. */
const BYTES_LINE = /^[0-9a-fA-F]{4,8}:((?:[ \t]+[0-9a-fA-F]{2}(?![0-9a-fA-F])){1,16})/;

export interface FriendlyViewEvent {
  readonly record: WindowsRecord;
  readonly systemTime?: string;
  /** The event's own lines. */
  readonly source: string;
  /** EventData were unnamed values, numbered in order without the blank ones (Windows counts those too). */
  readonly positional: boolean;
}

/** A System section with an EventID line: the text is a Friendly View copy. */
export function looksLikeFriendlyView(text: string): boolean {
  return SYSTEM_HEAD.test(text) && EVENT_ID_LINE.test(text);
}

interface Collected {
  system: Record<string, string>;
  /** Name (when the line can be `Name value`), value, and the line as written. */
  data: Array<[string | undefined, string, string]>;
  bytes: string[];
}

function readSystemLine(line: string, system: Record<string, string>): void {
  const unmarked = line.replace(/^[-+][ \t]*/, '');
  const attribute = ATTRIBUTE.exec(unmarked);
  if (attribute) {
    const [, name, value] = attribute as unknown as [string, string, string];
    // The provider's Name comes before any other element's Name attribute.
    if (system[`@${name}`] === undefined) system[`@${name}`] = value.trim();
    return;
  }
  const leaf = NAMED_VALUE.exec(unmarked);
  if (leaf && leaf[2] !== undefined && system[leaf[1] as string] === undefined) system[leaf[1] as string] = leaf[2].trim();
}

function collect(lines: readonly string[]): Collected {
  const out: Collected = { system: {}, data: [], bytes: [] };
  let section: 'system' | 'data' | 'binary' | 'other' = 'other';
  for (const raw of lines) {
    const line = raw.replace(/\u00a0/g, ' ').trim();
    if (line === '') continue;
    const head = SECTION.exec(line);
    if (head) {
      section = head[1] === 'System' ? 'system' : 'data';
      continue;
    }
    if (/^Binary data:?$/i.test(line)) {
      section = 'binary';
      continue;
    }
    if (section === 'system') readSystemLine(line, out.system);
    else if (section === 'binary') {
      const bytes = BYTES_LINE.exec(line);
      if (bytes) out.bytes.push((bytes[1] as string).replace(/[ \t]/g, ''));
    } else if (section === 'data' && !/^[-+][ \t]/.test(line) && !ATTRIBUTE.test(line)) {
      // UserData's wrapper elements (`- EventXML`) and attributes are structure, not values.
      const named = NAMED_VALUE.exec(line);
      out.data.push(named ? [named[1], named[2]?.trim() ?? '', line] : [undefined, line, line]);
    }
  }
  return out;
}

/** A classic event's <Binary> shown as the last EventData line: hex, a whole number of bytes. */
const BINARY_VALUE = /^(?:[0-9A-Fa-f]{2}){16,}$/;

function eventData(collected: Collected): { data: Record<string, string>; unnamed: boolean } {
  const data: Record<string, string> = {};
  const values = [...collected.data];
  const unnamed = values.some(([name]) => name === undefined);
  const last = values[values.length - 1];
  if (unnamed && last !== undefined && BINARY_VALUE.test(last[2])) {
    data.Binary = last[2].toUpperCase();
    values.pop();
  }
  values.forEach(([name, value, line], index) => {
    if (unnamed) data[`param${index + 1}`] = line;
    else data[name as string] = value;
  });
  if (collected.bytes.length > 0) data.Binary = collected.bytes.join('').toUpperCase();
  return { data, unnamed };
}

function toRecord(collected: Collected): { record: WindowsRecord; positional: boolean } | undefined {
  const s = collected.system;
  const eventId = s.EventID;
  if (eventId === undefined || !/^\d+$/.test(eventId)) return undefined;
  const fields: Partial<Record<keyof WindowsRecord, string>> = {
    channel: s.Channel,
    providerName: s['@Name'],
    eventSourceName: s['@EventSourceName'],
    recordId: s.EventRecordID,
    computerName: s.Computer,
    level: s.Level === undefined ? undefined : LEVEL_NAMES[s.Level],
    timeCreated: s['@SystemTime'],
  };
  const { data, unnamed } = eventData(collected);
  const record: Record<string, unknown> = { eventId: String(Number(eventId)), eventData: data };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined && value !== '') record[key] = value;
  return { record: record as unknown as WindowsRecord, positional: unnamed };
}

/** The events of a Friendly View copy (each starts at a `- System` line); undefined when none has an EventID. */
export function readFriendlyView(text: string): { events: FriendlyViewEvent[]; textBefore: boolean } | undefined {
  const lines = text.split(/\r?\n/);
  const starts: number[] = [];
  lines.forEach((line, i) => {
    if (/^[ \t]*[-+]?[ \t]*System[ \t]*$/.test(line)) starts.push(i);
  });
  if (starts.length === 0) return undefined;
  const events: FriendlyViewEvent[] = [];
  starts.forEach((start, k) => {
    const own = lines.slice(start, starts[k + 1] ?? lines.length);
    const read = toRecord(collect(own));
    if (read === undefined) return;
    const systemTime = read.record.timeCreated;
    events.push({ record: read.record, positional: read.positional, source: own.join('\n').trimEnd(), ...(systemTime === undefined ? {} : { systemTime }) });
  });
  if (events.length === 0) return undefined;
  const textBefore = lines.slice(0, starts[0]).some((l) => l.trim() !== '');
  return { events, textBefore };
}
