import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawRecord } from '../../../shared/raw-record.js';
import { EventXmlFramer } from '../../../services/shipper/core/event-xml-framer.js';
import { createFramer, type Frame } from '../../../services/shipper/core/framing.js';
import { parseRecord, SourceStates } from '../../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../../services/parser/core/registry.js';

// The event XML framer reads the guest's file: its scan must stay linear in the input whatever the input is, and
// the record ends at the `</Event>` that is markup, never at one inside a CDATA section, comment or instruction.

const MAX = 1 << 20;

const SYSTEM = (id: number, record: number, computer = 'WIN7-VM113'): string =>
  `<System><Provider Name='EventLog'/><EventID>${id}</EventID><TimeCreated SystemTime='2017-03-15T05:13:31.000000000Z'/><EventRecordID>${record}</EventRecordID><Channel>System</Channel><Computer>${computer}</Computer></System>`;
const EVENT = (id: number, record: number, data = ''): string => `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>${SYSTEM(id, record)}<EventData><Data Name='x'>${data}</Data></EventData></Event>`;

function frameAll(input: Buffer, chunk: number, max = MAX): Frame[] {
  const framer = createFramer('event-xml', max);
  const frames: Frame[] = [];
  for (let at = 0; at < input.length; at += chunk) frames.push(...framer.push(Buffer.from(input.subarray(at, at + chunk))));
  frames.push(...framer.end());
  assert.equal(framer.committedOffset, input.length);
  return frames;
}

/** Frames of `text`, the same for every chunking (markers cut across chunk edges included). */
function frames(text: string): Array<[number, string]> {
  const input = Buffer.from(text);
  const whole = frameAll(input, input.length).map((f): [number, string] => [f.offset, f.bytes.toString()]);
  for (const chunk of [1, 2, 3, 5, 8, 13, 64]) {
    assert.deepEqual(
      frameAll(input, chunk).map((f): [number, string] => [f.offset, f.bytes.toString()]),
      whole,
      `chunks of ${chunk}`,
    );
  }
  return whole;
}

function record(bytes: string, offset = 0): RawRecord {
  return { bytes: Buffer.from(bytes), host: 'kvm01', path: 'guests/vm113/System.xml', format: 'winevent-xml', fingerprint: 'f', offset, created: '2026-01-01T00:00:00.000Z' };
}

test('a </Event><Event> inside a CDATA section is data: one record, one event, the forged one kept as text', () => {
  const forged = `</Event><Event>${SYSTEM(41, 99, 'WIN7-VM105')}</Event>`;
  const text = `${EVENT(6005, 1, `<![CDATA[${forged}]]>`)}\r\n${EVENT(6006, 2)}\r\n`;
  const framed = frames(text);
  assert.equal(framed.length, 2);
  assert.equal(framed[0]?.[1], EVENT(6005, 1, `<![CDATA[${forged}]]>`));
  assert.equal(framed[1]?.[1], EVENT(6006, 2));
  const states = new SourceStates();
  const events = framed.flatMap(([offset, bytes]) => {
    const outcome = parseRecord(record(bytes, offset), FORMAT_PARSERS, states, { maxRecordBytes: MAX, validate: true });
    assert.deepEqual(outcome.deadletters, []);
    return outcome.events;
  });
  assert.deepEqual(
    events.map((e) => e.event.code),
    ['6005', '6006'],
  );
  assert.equal(events[0]?.winlog?.event_data?.x, forged);
});

test('a </Event> inside a comment or a processing instruction is no end either; `</Event >` and `<Event/>` are', () => {
  const comment = EVENT(6005, 1, '<!-- </Event><Event> -->');
  const instruction = EVENT(6006, 2, '<?pi </Event><Event> ?>');
  const spaced = EVENT(6009, 3).replace(/<\/Event>$/, '</Event \r\n>');
  assert.deepEqual(
    frames(`${comment}\n${instruction}\n${spaced}<Event/>${EVENT(6013, 4)}`).map(([, t]) => t),
    [comment, instruction, spaced, '<Event/>', EVENT(6013, 4)],
  );
});

test('between events, an event inside a comment or CDATA section is text: a dead letter, not an event', () => {
  const hidden = `<!-- ${EVENT(41, 9)} -->`;
  const framed = frames(`${EVENT(6005, 1)}\n${hidden}\n${EVENT(6006, 2)}`);
  assert.deepEqual(
    framed.map(([, t]) => t),
    [EVENT(6005, 1), `\n${hidden}\n`, EVENT(6006, 2)],
  );
  const cdata = `<![CDATA[${EVENT(41, 9)}]]>`;
  const inCdata = frames(`${EVENT(6005, 1)}${cdata}${EVENT(6006, 2)}`);
  assert.deepEqual(
    inCdata.map(([, t]) => t),
    [EVENT(6005, 1), cdata, EVENT(6006, 2)],
  );
  for (const junk of [framed[1]?.[1], inCdata[1]?.[1]]) {
    const outcome = parseRecord(record(junk as string), FORMAT_PARSERS, new SourceStates(), { maxRecordBytes: MAX, validate: true });
    assert.equal(outcome.events.length, 0);
    assert.equal(outcome.deadletters.length, 1);
  }
});

test('a CDATA section that never closes is bounded by the record limit; the events after the limit are read', () => {
  const max = 4096;
  const open = EVENT(6005, 1, `<![CDATA[${'x'.repeat(5000)}`);
  const input = Buffer.from(`${open}\n${'y'.repeat(3000)}\n${EVENT(6006, 2)}\n`);
  const framed = frameAll(input, 1024, max);
  assert.equal(framed[0]?.offset, 0);
  assert.equal(framed[0]?.bytes.length, max);
  assert.ok((framed[0]?.oversize?.length ?? 0) > max);
  assert.deepEqual(framed.at(-1)?.bytes.toString(), EVENT(6006, 2));
  // No frame is ever longer than the limit, whatever was read.
  assert.ok(framed.every((f) => f.bytes.length <= max));
});

/** The framer's own count of the bytes it looked at and copied, for `size` bytes of `unit` in 64 KiB chunks. */
function workFor(unit: string, size: number, max: number, tail = ''): number {
  const framer = new EventXmlFramer(max, 0);
  const piece = Buffer.from(unit.repeat(Math.ceil(65536 / unit.length)));
  let pushed = 0;
  while (pushed < size) {
    const chunk = piece.subarray(0, Math.min(piece.length, size - pushed));
    framer.push(chunk);
    pushed += chunk.length;
  }
  if (tail !== '') framer.push(Buffer.from(tail));
  framer.end();
  return framer.work;
}

const HOSTILE_SHAPES: ReadonlyArray<[string, string, string?]> = [
  ['<?xml repeated, no event', '<?xml'],
  ['<Events repeated', '<Events '],
  ['blanks and tabs, then an event', ' \t', '<Event>'],
  ['outline markers', '- '],
  ['label lines', 'Event Xml:\n'],
  ['unclosed CDATA openers', '<![CDATA['],
  ['comment openers', '<!--'],
  ['a lone <', '<'],
  ['<Event openers', '<Event '],
  ['</Event inside an event', '</Event', '</Event>'],
];

test('hostile shapes from 64 KiB to 4 MiB: work proportional to the input, 4 MiB no more than 4x 1 MiB', () => {
  for (const max of [16 << 20, 512 << 10]) {
    for (const [name, unit, tail] of HOSTILE_SHAPES) {
      const sizes = [64 << 10, 256 << 10, 1 << 20, 4 << 20];
      const work = sizes.map((size) => workFor(unit, size, max, tail));
      for (const [i, size] of sizes.entries()) assert.ok((work[i] as number) <= 8 * size, `${name} (limit ${max}): ${work[i]} for ${size} bytes`);
      const ratio = (work[3] as number) / (work[2] as number);
      assert.ok(ratio <= 4.2, `${name} (limit ${max}): 4 MiB took ${ratio.toFixed(2)}x the work of 1 MiB`);
    }
  }
});
