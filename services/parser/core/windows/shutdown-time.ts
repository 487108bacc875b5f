import { runGrammar } from '../../../../grammars/run-grammar.js';
import shutdownGrammar from '../../../../grammars/generated/eventlog-6008.js';
import { HangwatchError } from '../../../../shared/errors.js';
import { utcMsFromParts } from '../../../../shared/time.js';
import { ParseFailure } from '../parse-failure.js';

// EventLog 6008 ("The previous system shutdown at 1:11:54 PM on 3/15/2017 was unexpected."): Windows writes
// the time of the lost shutdown as local, locale-formatted text (Data 1: time, Data 2: date; en-US `1:11:54 PM`
// and `3/15/2017` with U+200E marks, zh-CN `13:11:54` and `2017/3/15`, de-DE `13:11:54` and `15.03.2017`),
// and the same instant as two SYSTEMTIME structs in the record's <Binary> (local, then UTC; 16 bytes each,
// little-endian WORDs year, month, day-of-week, day, hour, minute, second, ms). The binary is locale-free and
// also gives the guest's UTC offset, so it wins when present; the text is the fallback.

export const SHUTDOWN_GRAMMAR = 'eventlog-6008';

interface ClockParse {
  readonly hour: string;
  readonly minute: string;
  readonly second: string;
  readonly meridiem?: string;
}
interface DateParse {
  readonly parts: readonly [string, string, string];
  readonly sep: string;
}
interface ShutdownParse {
  readonly time?: ClockParse;
  readonly date?: DateParse;
}

export interface LocalDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** Bidi marks Windows inserts around date parts (U+200E/U+200F, embeddings and isolates). */
const BIDI_MARKS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function stripBidiMarks(text: string): string {
  return text.replace(BIDI_MARKS, '');
}

const PM_MARKERS = new Set(['PM', 'p.m.', '下午', '午後', '오후']);

function readClock(clock: ClockParse): Pick<LocalDateTime, 'hour' | 'minute' | 'second'> {
  let hour = Number(clock.hour);
  if (clock.meridiem !== undefined) {
    hour %= 12;
    if (PM_MARKERS.has(clock.meridiem)) hour += 12;
  }
  return { hour, minute: Number(clock.minute), second: Number(clock.second) };
}

/**
 * Field order of a locale date: a 4-digit first part is year-first (zh-CN, ja-JP, sv-SE); `.` is day-first
 * (de-DE, ru-RU); `/` is month-first (en-US) unless the first part cannot be a month (en-GB 16/02/2011); `-`
 * with the year last is day-first (nl-NL). An en-GB date with day <= 12 reads as en-US: the <Binary> settles it.
 */
function readDate(date: DateParse): Pick<LocalDateTime, 'year' | 'month' | 'day'> {
  const [a, b, c] = date.parts;
  const year = (y: string): number => (y.length <= 2 ? 2000 + Number(y) : Number(y));
  if (a.length === 4) return { year: Number(a), month: Number(b), day: Number(c) };
  if (date.sep === '/' && Number(a) <= 12) return { year: year(c), month: Number(a), day: Number(b) };
  return { year: year(c), month: Number(b), day: Number(a) };
}

/** Parses the 6008 time and date (Data fields, or the message when they are missing) into a local date-time. */
export function parseShutdownText(timeText: string | undefined, dateText: string | undefined, message: string | undefined): LocalDateTime {
  let time: ClockParse | undefined;
  let date: DateParse | undefined;
  if (timeText && dateText) {
    time = runGrammar<ShutdownParse>(SHUTDOWN_GRAMMAR, shutdownGrammar, stripBidiMarks(timeText)).time;
    date = runGrammar<ShutdownParse>(SHUTDOWN_GRAMMAR, shutdownGrammar, stripBidiMarks(dateText)).date;
  } else if (message) {
    const both = runGrammar<ShutdownParse>(SHUTDOWN_GRAMMAR, shutdownGrammar, stripBidiMarks(message));
    time = both.time;
    date = both.date;
  }
  if (!time || !date) throw new ParseFailure('HW_PARSE_NO_MATCH', SHUTDOWN_GRAMMAR, '6008 needs a time and a date', ['time', 'date']);
  const local = { ...readDate(date), ...readClock(time) };
  // Validates the fields (month 13, hour 25 ... are not a time).
  utcMsFromParts(local.year, local.month, local.day, local.hour, local.minute, local.second);
  return local;
}

export interface ShutdownBinary {
  readonly local: LocalDateTime;
  readonly utcMs: number;
  readonly offsetMinutes: number;
}

function readSystemTime(bytes: Buffer, at: number): { parts: LocalDateTime; ms: number } {
  const word = (i: number): number => bytes.readUInt16LE(at + i * 2);
  const parts = { year: word(0), month: word(1), day: word(3), hour: word(4), minute: word(5), second: word(6) };
  return { parts, ms: word(7) };
}

/** Decodes the 6008 <Binary> (hex): local and UTC SYSTEMTIMEs. Undefined when absent or not that shape. */
export function decodeShutdownBinary(hex: string | undefined): ShutdownBinary | undefined {
  if (!hex || !/^[0-9a-fA-F]{64,}$/.test(hex)) return undefined;
  const bytes = Buffer.from(hex.slice(0, 64), 'hex');
  const local = readSystemTime(bytes, 0);
  const utc = readSystemTime(bytes, 16);
  try {
    const l = local.parts;
    const u = utc.parts;
    const localMs = utcMsFromParts(l.year, l.month, l.day, l.hour, l.minute, l.second, local.ms);
    const utcMs = utcMsFromParts(u.year, u.month, u.day, u.hour, u.minute, u.second, utc.ms);
    return { local: l, utcMs, offsetMinutes: Math.round((localMs - utcMs) / 60_000) };
  } catch (error) {
    if (error instanceof HangwatchError) return undefined;
    throw error;
  }
}

/** `2017-03-15T13:11:54`: an ISO local date-time without offset (the guest's wall clock). */
export function formatLocalDateTime(t: LocalDateTime): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(t.year, 4)}-${p(t.month)}-${p(t.day)}T${p(t.hour)}:${p(t.minute)}:${p(t.second)}`;
}


