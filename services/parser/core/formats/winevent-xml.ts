import type { EventDraft, FormatParser, ParseContext } from '../event-draft.js';
import { ParseFailure } from '../parse-failure.js';
import { buildWindowsDraft } from '../windows/build-windows-draft.js';
import { splitCopiedEvent } from '../windows/event-viewer-copy.js';
import { readEventXml, XML_GRAMMAR } from '../windows/event-xml-reader.js';
import { readXmlEventRecord } from '../windows/event-xml-record.js';
import { looksLikeFriendlyView, readFriendlyView } from '../windows/friendly-view.js';
import { parseUtcInstant } from '../windows/system-time.js';

// Windows System events as event XML (dataset windows.system). A record is one <Event>, or a whole <Events>
// file (one draft per Event). SystemTime is UTC, so @timestamp is `explicit`; an Event without it falls back
// to the previous record's time of this source, then to the shipper's read time, and says so.
// An event copied out of Event Viewer carries text in front of its XML (outline markers, the "Copy details as
// text" block: event-viewer-copy.ts) that is part of the same record: its description becomes the message when
// the XML has no rendered one; text that is neither is kept in event.original and flagged `text-before-event`.
// A copy of the Friendly View (the same event as an outline of text, no XML: friendly-view.ts) is read as well.

const FRIENDLY_VIEW_GRAMMAR = 'winevent-friendly-view';

function timeOf(systemTime: string | undefined, ctx: ParseContext): { ms: number; basis: 'explicit' | 'inherited' | 'ingest' } {
  if (systemTime !== undefined) return { ms: parseUtcInstant(systemTime), basis: 'explicit' };
  if (ctx.state.lastTimestampMs !== undefined) return { ms: ctx.state.lastTimestampMs, basis: 'inherited' };
  return { ms: ctx.createdMs, basis: 'ingest' };
}

function flag(draft: EventDraft, name: string): void {
  const parse = draft.hangwatch.parse ?? (draft.hangwatch.parse = {});
  parse.flags = [...(parse.flags ?? []), name];
}

function parseFriendlyView(ctx: ParseContext): EventDraft[] {
  const read = readFriendlyView(ctx.text);
  if (read === undefined) throw new ParseFailure('HW_RECORD_INVALID', FRIENDLY_VIEW_GRAMMAR, 'Event Viewer Friendly View text without an EventID', ['EventID']);
  return read.events.map((event, index) => {
    const time = timeOf(event.systemTime, ctx);
    if (time.basis === 'explicit') ctx.state.lastTimestampMs = time.ms;
    const draft = buildWindowsDraft(event.record, { dataset: 'windows.system', timestampMs: time.ms, basis: time.basis, grammar: FRIENDLY_VIEW_GRAMMAR });
    if (read.events.length > 1) draft.event.original = event.source;
    if (index === 0 && read.textBefore) flag(draft, 'text-before-event');
    if (event.positional) flag(draft, 'data-positions-approximate');
    return draft;
  });
}

export const wineventXmlParser: FormatParser = {
  format: 'winevent-xml',
  parse(ctx: ParseContext): EventDraft[] {
    if (!/<Event[\s>/]/.test(ctx.text) && looksLikeFriendlyView(ctx.text)) return parseFriendlyView(ctx);
    const copied = splitCopiedEvent(ctx.text);
    const { events, rootName } = readEventXml(copied.xml);
    if (events.length === 0 && rootName !== 'Events' && ctx.text.trim() !== '') {
      throw new ParseFailure('HW_RECORD_INVALID', XML_GRAMMAR, `no <Event> element (root <${rootName ?? 'none'}>)`, ['<Event>', '<Events>']);
    }
    return events.map((element, index) => {
      const read = readXmlEventRecord(element);
      const { systemTime } = read;
      const record = index === 0 && read.record.message === undefined && copied.description !== undefined ? { ...read.record, message: copied.description } : read.record;
      const time = timeOf(systemTime, ctx);
      if (time.basis === 'explicit') ctx.state.lastTimestampMs = time.ms;
      const draft = buildWindowsDraft(record, { dataset: 'windows.system', timestampMs: time.ms, basis: time.basis, grammar: XML_GRAMMAR });
      // A whole <Events> file in one record: each event keeps its own markup, not the whole file.
      if (events.length > 1 && element.source !== undefined) draft.event.original = element.source;
      if (index === 0 && copied.unrecognized) flag(draft, 'text-before-event');
      return draft;
    });
  },
};
