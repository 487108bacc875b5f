import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createFramer, framingFor, type Frame } from '../../../services/shipper/core/framing.js';

// The JSON document framer cuts Winlogbeat exports into records whatever their layout (NDJSON, pretty-printed,
// arrays, Elasticsearch search responses), the same way for any chunking of the file, with bounded records, and
// a broken document costs only itself.

const MAX = 1 << 16;

function frameAll(text: string | Buffer, chunk: number, max = MAX, start = 0): { frames: Frame[]; committed: number } {
  const input = typeof text === 'string' ? Buffer.from(text) : text;
  const framer = createFramer('json-documents', max, start);
  const frames: Frame[] = [];
  for (let at = 0; at < input.length; at += chunk) frames.push(...framer.push(Buffer.from(input.subarray(at, at + chunk))));
  frames.push(...framer.end());
  return { frames, committed: framer.committedOffset };
}

/** Frames as [offset, text]; the same for every chunk size (asserted). */
function frames(text: string | Buffer, max = MAX): Array<[number, string]> {
  const input = typeof text === 'string' ? Buffer.from(text) : text;
  const whole = frameAll(input, input.length || 1, max);
  for (const chunk of [1, 2, 3, 7, 64]) {
    const cut = frameAll(input, chunk, max);
    assert.deepEqual(cut.frames, whole.frames, `chunks of ${chunk}`);
    assert.equal(cut.committed, whole.committed, `committed offset with chunks of ${chunk}`);
  }
  assert.equal(whole.committed, input.length, 'everything is consumed at the end');
  return whole.frames.map((f) => [f.offset, f.bytes.toString()]);
}

test('NDJSON: one frame per line, at the line offset, like line framing (CRLF and blank lines too)', () => {
  const text = '{"a":1}\r\n\n{"b":"x y"}\n   {"c":[1,{"d":2}]}\n{"e":3}';
  assert.deepEqual(frames(text), [
    [0, '{"a":1}'],
    [10, '{"b":"x y"}'],
    [25, '{"c":[1,{"d":2}]}'],
    [43, '{"e":3}'],
  ]);
});

test('pretty-printed documents, one after another', () => {
  const a = '{\n  "@timestamp": "2019-11-07T10:37:04.2260925Z",\n  "winlog": {\n    "event_id": "1100"\n  }\n}';
  const b = '{\n\t"x": [\n\t\t{ "y": "}" }\n\t]\n}';
  assert.deepEqual(frames(`${a}\n${b}\n`), [
    [0, a],
    [a.length + 1, b],
  ]);
});

test('arrays: each element is a record, compact or pretty, the brackets and commas are not', () => {
  assert.deepEqual(frames('[{"a":1},{"b":[{"c":2}]}]'), [
    [1, '{"a":1}'],
    [9, '{"b":[{"c":2}]}'],
  ]);
  const pretty = '[\n  {\n    "a": 1\n  },\n  {\n    "b": "[{"\n  }\n]\n';
  assert.deepEqual(frames(pretty), [
    [4, '{\n    "a": 1\n  }'],
    [pretty.indexOf('{\n    "b"'), '{\n    "b": "[{"\n  }'],
  ]);
  // Elements that are no documents are records too, so the parser says why they are none.
  assert.deepEqual(frames('[1, "two", null]'), [
    [1, '1'],
    [4, '"two"'],
    [11, 'null'],
  ]);
});

test('an Elasticsearch _search response: its hits are the records, the response around them is not', () => {
  const hit = (id: string): string => `{ "_index": "winlogbeat-8.11.1", "_id": "${id}", "_source": { "message": "a \\"quoted\\" ] }", "winlog": { "event_id": "41" } } }`;
  const response = `{\n  "took": 5,\n  "timed_out": false,\n  "_shards": { "total": 1, "successful": 1, "skipped": 0, "failed": 0 },\n  "hits": {\n    "total": { "value": 2, "relation": "eq" },\n    "max_score": 1.0,\n    "hits": [\n      ${hit('a')},\n      ${hit('b')}\n    ]\n  },\n  "aggregations": { "hosts": { "buckets": [ { "key": "x" } ] } }\n}\n`;
  const out = frames(response);
  assert.deepEqual(
    out.map(([, t]) => t),
    [hit('a'), hit('b')],
  );
  assert.equal(out[0]?.[0], response.indexOf(hit('a')));
  // A top-level object whose `hits` is something else is one document.
  assert.deepEqual(frames('{"hits":{"total":0},"x":{"hits":[1]}}'), [[0, '{"hits":{"total":0},"x":{"hits":[1]}}']]);
});

test('a broken document is one frame holding its bytes; the next line opening a document starts again', () => {
  const text = [
    '{"a":1,"b":"cut inside a string', // a raw line break in a string: cut
    '{"ok":1}',
    '{"a":1,"b":{"c":2', // cut after a value: the next `{` is where a comma must be
    '{"ok":2}',
    '{"a":', // cut where a value must come: a one-line document does not continue on a line opening one
    '{"ok":3}',
    '{"ok":4}',
  ].join('\n');
  assert.deepEqual(
    frames(text).map(([, t]) => t),
    ['{"a":1,"b":"cut inside a string', '{"ok":1}', '{"a":1,"b":{"c":2', '{"ok":2}', '{"a":', '{"ok":3}', '{"ok":4}'],
  );
});

test('a broken element of a pretty array: the array goes on at the next element of the same indent', () => {
  const text = '[\n  {\n    "a": 1\n    "b": 2\n  },\n  {\n    "ok": 1\n  }\n]\n{"ok": 2}\n';
  assert.deepEqual(frames(text), [
    [4, '{\n    "a": 1\n    "b": 2\n  },'],
    [text.indexOf('{\n    "ok"'), '{\n    "ok": 1\n  }'],
    [text.indexOf('{"ok": 2}'), '{"ok": 2}'],
  ]);
});

test('text around the JSON is a frame of its own (dead-lettered by the parser), up to the next line opening a document', () => {
  const text = 'GET winlogbeat-*/_search\n# a comment\n{"ok":1}\ntrailing words';
  assert.deepEqual(frames(text), [
    [0, 'GET winlogbeat-*/_search\n# a comment'],
    [37, '{"ok":1}'],
    [46, 'trailing words'],
  ]);
});

test('a document over the limit keeps its head and the whole length and digest; the next one is whole', () => {
  const big = `{"message":"${'x'.repeat(300)}"}`;
  const text = `${big}\n{"ok":1}\n`;
  for (const chunk of [1, 5, 64, text.length]) {
    const { frames: out } = frameAll(text, chunk, 100);
    assert.equal(out.length, 2);
    assert.equal(out[0]?.bytes.toString(), big.slice(0, 100));
    assert.deepEqual(out[0]?.oversize, { length: big.length, sha256: createHash('sha256').update(big).digest('hex') });
    assert.deepEqual([out[1]?.offset, out[1]?.bytes.toString(), out[1]?.oversize], [big.length + 1, '{"ok":1}', undefined]);
  }
});

test('a UTF-8 byte order mark is skipped; multi-byte characters split across chunks stay whole', () => {
  const text = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"m":"上一次系统的关闭是意外的"}\n')]);
  assert.deepEqual(frames(text), [[3, '{"m":"上一次系统的关闭是意外的"}']]);
});

test('committed offset: after each top-level document and each element; a read resumed inside an array goes on', () => {
  const text = '[{"a":1},\n{"b":2}]\n';
  const framer = createFramer('json-documents', MAX, 0);
  assert.deepEqual(
    framer.push(Buffer.from(text.slice(0, 10))).map((f) => f.offset),
    [1],
  );
  assert.equal(framer.committedOffset, 8);
  // Resuming at the committed offset: the separators and closing bracket left are no record.
  assert.deepEqual(
    frameAll(text.slice(8), 1, MAX, 8).frames.map((f) => [f.offset, f.bytes.toString()]),
    [[10, '{"b":2}']],
  );
});

test('winlogbeat and .json/.ndjson files in auto mode are framed as JSON documents', () => {
  assert.equal(framingFor('winlogbeat', 'guests/vm1/export.txt'), 'json-documents');
  assert.equal(framingFor('auto', 'exports/search-response.json'), 'json-documents');
  assert.equal(framingFor('auto', 'exports/winlogbeat-8.ndjson'), 'json-documents');
  assert.equal(framingFor('auto', 'var/log/kern.log'), 'lines');
});
