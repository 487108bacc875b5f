import { ParseFailure } from '../parse-failure.js';
import { childOf, XML_GRAMMAR, type XmlElement } from './event-xml-reader.js';
import { LEVEL_NAMES, type WindowsRecord } from './windows-record.js';

// One <Event> tree -> a WindowsRecord in Winlogbeat's names (winlogbeat/sys/winevent: named <Data> by Name,
// unnamed <Data> as param1..n by position, other EventData children such as <Binary> by element name).

export interface XmlEventRecord {
  readonly record: WindowsRecord;
  /** TimeCreated SystemTime as written (UTC). */
  readonly systemTime?: string;
}

function textOf(element: XmlElement | undefined): string | undefined {
  if (!element) return undefined;
  const t = element.text.trim();
  return t === '' ? undefined : t;
}

/**
 * An empty value pretty-printed over two lines (`<Data>` newline `</Data>`, as Event Viewer's copies and
 * XElement write it) is empty; any other text is kept exactly.
 */
function dataText(element: XmlElement): string {
  return /^[ \t]*\r?\n\s*$/.test(element.text) ? '' : element.text;
}

function readEventData(eventData: XmlElement | undefined, out: Record<string, string>): void {
  if (!eventData) return;
  let position = 0;
  for (const child of eventData.children) {
    if (child.name === 'Data') {
      position++;
      out[child.attributes.Name ?? `param${position}`] = dataText(child);
    } else {
      out[child.name] = dataText(child);
    }
  }
}

/**
 * <UserData> holds one provider-defined element (e.g. <EventXML>) whose children are the fields; they are
 * flattened into event_data by name (deeper levels as dotted paths), so both Windows paths give the same keys.
 */
function readUserData(userData: XmlElement | undefined, out: Record<string, string>): void {
  const flatten = (element: XmlElement, prefix: string): void => {
    for (const child of element.children) {
      const key = prefix === '' ? child.name : `${prefix}.${child.name}`;
      if (child.children.length > 0) flatten(child, key);
      else out[key] = dataText(child);
    }
  };
  for (const wrapper of userData?.children ?? []) flatten(wrapper, '');
}

export function readXmlEventRecord(event: XmlElement): XmlEventRecord {
  const system = childOf(event, 'System');
  const eventId = textOf(childOf(system, 'EventID'));
  if (!system || eventId === undefined || !/^\d+$/.test(eventId)) {
    throw new ParseFailure('HW_RECORD_INVALID', XML_GRAMMAR, '<Event> without <System><EventID>', ['System/EventID']);
  }
  const provider = childOf(system, 'Provider');
  const eventData: Record<string, string> = {};
  readEventData(childOf(event, 'EventData'), eventData);
  readUserData(childOf(event, 'UserData'), eventData);
  const rendering = childOf(event, 'RenderingInfo');
  const levelText = textOf(childOf(rendering, 'Level'));
  const levelNumber = textOf(childOf(system, 'Level'));
  // The numeric <Level> is locale-free; RenderingInfo's <Level> is translated ("Fehler"), so it is only a fallback.
  const level = (levelNumber !== undefined ? LEVEL_NAMES[levelNumber] : undefined) ?? levelText?.toLowerCase();
  const fields: Partial<Record<keyof WindowsRecord, string>> = {
    channel: textOf(childOf(system, 'Channel')),
    providerName: provider?.attributes.Name,
    eventSourceName: provider?.attributes.EventSourceName,
    recordId: textOf(childOf(system, 'EventRecordID')),
    computerName: textOf(childOf(system, 'Computer')),
    message: textOf(childOf(rendering, 'Message')),
    level,
  };
  const systemTime = childOf(system, 'TimeCreated')?.attributes.SystemTime;
  fields.timeCreated = systemTime;
  const record: Record<string, unknown> = { eventId: String(Number(eventId)), eventData };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) record[key] = value;
  return { record: record as unknown as WindowsRecord, ...(systemTime === undefined ? {} : { systemTime }) };
}
