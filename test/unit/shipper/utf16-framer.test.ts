import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFramer, type Frame, type Framing } from '../../../services/shipper/core/framing.js';

// Event XML and JSON exports written by Windows PowerShell 5.1's `>` are UTF-16LE with a byte order mark: the
// framers read them as they read UTF-8, frames carry UTF-8 text and the file offsets of their first byte.

function utf16le(text: string, bom = true): Buffer {
  return Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, 'utf16le')]);
}

function utf16be(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1] as number, le[i] as number];
  return Buffer.concat([Buffer.from([0xfe, 0xff]), le]);
}

function frameAll(framing: Framing, input: Buffer, chunk: number, start = 0): { frames: Array<[number, string]>; committed: number } {
  const framer = createFramer(framing, 1 << 20, start);
  const frames: Frame[] = [];
  for (let at = 0; at < input.length; at += chunk) frames.push(...framer.push(Buffer.from(input.subarray(at, at + chunk))));
  frames.push(...framer.end());
  return { frames: frames.map((f) => [f.offset, f.bytes.toString('utf8')]), committed: framer.committedOffset };
}

/** Frames for every chunking (odd sizes split code units and surrogate pairs): all the same. */
function frames(framing: Framing, input: Buffer): Array<[number, string]> {
  const whole = frameAll(framing, input, input.length);
  for (const chunk of [1, 3, 7, 64, 1000]) assert.deepEqual(frameAll(framing, input, chunk), whole, `chunks of ${chunk}`);
  assert.equal(whole.committed, input.length);
  return whole.frames;
}

const EVENT = (id: number, record: number): string =>
  `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='EventLog'/><EventID>${id}</EventID><TimeCreated SystemTime='2017-03-15T05:13:31.000000000Z'/><EventRecordID>${record}</EventRecordID><Channel>System</Channel><Computer>WIN7-VM113</Computer></System><EventData><Data>上一次系统的 13:11:54 在 \u200e2017/\u200e3/\u200e15 上的关闭是意外的。</Data><Data>😀</Data></EventData></Event>`;

test('wevtutil output redirected by Windows PowerShell (UTF-16LE with a BOM): one frame per event at its file offset', () => {
  const text = `${EVENT(6008, 1)}\r\n${EVENT(6005, 2)}\r\n`;
  const input = utf16le(text);
  assert.deepEqual(frames('event-xml', input), [
    [2, EVENT(6008, 1)],
    [2 + 2 * (EVENT(6008, 1).length + 2), EVENT(6005, 2)],
  ]);
});

test('UTF-16BE with its mark, and UTF-8 with or without a mark, give the same frames', () => {
  const text = `<?xml version="1.0" encoding="utf-16"?>\n<Events>${EVENT(41, 7)}</Events>\n`;
  const be = frames('event-xml', utf16be(text));
  assert.deepEqual(
    be.map(([, t]) => t),
    [EVENT(41, 7)],
  );
  assert.equal(be[0]?.[0], 2 + 2 * text.indexOf('<Event '));
  assert.deepEqual(
    frames('event-xml', Buffer.from(text)).map(([, t]) => t),
    [EVENT(41, 7)],
  );
});

test('Winlogbeat NDJSON and pretty-printed JSON in UTF-16LE', () => {
  const a = '{"@timestamp":"2023-08-10T07:40:01.000Z","message":"事件日志服务已启动。","winlog":{"event_id":"6005"}}';
  const b = '{\r\n  "winlog": {\r\n    "event_id": 41\r\n  }\r\n}';
  const input = utf16le(`${a}\r\n${b}\r\n`);
  assert.deepEqual(frames('json-documents', input), [
    [2, a],
    [2 + 2 * (a.length + 2), b],
  ]);
});

test('a read resumed in the middle of a UTF-16LE file (no mark there) is still UTF-16', () => {
  const text = `${EVENT(6008, 1)}\n${EVENT(6005, 2)}\n${EVENT(6009, 3)}\n`;
  const input = utf16le(text);
  const resumeAt = 2 + 2 * (EVENT(6008, 1).length + 1);
  const resumed = frameAll('event-xml', input.subarray(resumeAt), 5, resumeAt);
  assert.deepEqual(resumed.frames, [
    [resumeAt, EVENT(6005, 2)],
    [resumeAt + 2 * (EVENT(6005, 2).length + 1), EVENT(6009, 3)],
  ]);
  assert.equal(resumed.committed, input.length);
});

test('the committed offset is a file offset while a UTF-16 file is read', () => {
  const text = `${EVENT(6008, 1)}\n${EVENT(6005, 2)}`;
  const input = utf16le(text);
  const framer = createFramer('event-xml', 1 << 20, 0);
  const firstEnd = 2 + 2 * EVENT(6008, 1).length;
  framer.push(input.subarray(0, firstEnd + 10));
  assert.equal(framer.committedOffset, firstEnd);
});

/** UTF-8 bytes decoded to strings while `run` goes: the work of mapping frame offsets back to the file. */
function bytesDecoded(run: () => void): number {
  const toString = Buffer.prototype.toString;
  let decoded = 0;
  Buffer.prototype.toString = function (this: Buffer, ...args: Parameters<Buffer['toString']>) {
    if (args[0] === undefined || args[0] === 'utf8' || args[0] === 'utf-8') decoded += (args[2] ?? this.length) - (args[1] ?? 0);
    return toString.apply(this, args);
  };
  try {
    run();
  } finally {
    Buffer.prototype.toString = toString;
  }
  return decoded;
}

test('many small records in a UTF-16 chunk: offsets right, each byte decoded a bounded number of times', () => {
  const unit = '<Event/>😀';
  const work = (size: number): number => {
    const input = utf16le(unit.repeat(size / (2 * unit.length)));
    let frames: Frame[] = [];
    const decoded = bytesDecoded(() => {
      const framer = createFramer('event-xml', 1 << 20);
      for (let at = 0; at < input.length; at += 1 << 18) frames.push(...framer.push(input.subarray(at, at + (1 << 18))));
      frames.push(...framer.end());
    });
    frames = frames.filter((f) => f.bytes.toString() === '<Event/>');
    assert.equal(frames.length, Math.floor(size / (2 * unit.length)));
    frames.forEach((f, i) => assert.equal(f.offset, 2 + 2 * i * unit.length));
    return decoded;
  };
  const [small, large] = [work(1 << 20), work(4 << 20)];
  assert.ok(large <= 3 * (4 << 20), `${large} bytes decoded for 4 MiB`);
  assert.ok(large / small <= 4.2, `4 MiB decoded ${(large / small).toFixed(2)}x the bytes of 1 MiB`);
});
