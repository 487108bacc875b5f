import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readArtefactRecords } from '../services/parser/adapters/read-artefact-records.js';
import { decodeChunk } from '../services/parser/core/evtx/chunk.js';
import { parseRecord, SourceStates } from '../services/parser/core/parse-record.js';
import { FORMAT_PARSERS } from '../services/parser/core/registry.js';
import { buildBenchEvtx } from '../test/fixtures/evtx/fixture-events.js';

// EVTX records per second: our reader against libevtx's evtxexport (Debian libevtx-utils, C) on the same file in
// the same run, reported as a ratio. The file holds the fixture events repeated (templates defined once per chunk
// and reused, as in real logs). Three figures for us: chunk decoding to event XML alone (the reader's work),
// the reader through its file adapter, and the whole path to normalized events (parseRecord, validation off).
// evtxexport is timed as a process writing XML to a pipe (its normal use), best of 3.
// Run: node --import tsx bench/evtx.bench.ts [records] [--json]
// --json (for bench/run.ts): one JSON object on stdout instead of the text, with CPU seconds of both sides too
// (ours: process.cpuUsage over the three runs; evtxexport: user + system of its process under /usr/bin/time).

const json = process.argv.includes('--json');
const records = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 50_000);
const dir = mkdtempSync(join(tmpdir(), 'hw-evtx-bench-'));
const path = join(dir, 'bench.evtx');
writeFileSync(path, buildBenchEvtx(records));
const file = readFileSync(path);
const created = '2026-01-01T00:00:00.000Z';

function best(runs: number, fn: () => number | Promise<number>): Promise<{ ms: number; count: number }> {
  return (async () => {
    let bestMs = Infinity;
    let count = 0;
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      count = await fn();
      bestMs = Math.min(bestMs, performance.now() - start);
    }
    return { ms: bestMs, count };
  })();
}

function decodeAll(): number {
  let n = 0;
  for (let at = 4096; at < file.length; at += 65536) n += decodeChunk(file.subarray(at, at + 65536)).items.length;
  return n;
}

async function readAll(parse: boolean): Promise<number> {
  const states = new SourceStates();
  let n = 0;
  for await (const record of readArtefactRecords({ path, host: 'bench', created })) {
    if (parse) n += parseRecord(record, FORMAT_PARSERS, states, { maxRecordBytes: 1 << 20, validate: false }).events.length;
    else n++;
  }
  return n;
}

const rate = (r: { ms: number; count: number }): number => (r.count / r.ms) * 1000;

const cpuOf = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1e6;
let cpu0 = process.cpuUsage();
const decode = await best(3, decodeAll);
const decodeCpu = cpuOf(process.cpuUsage(cpu0)) / 3;
cpu0 = process.cpuUsage();
const reader = await best(3, () => readAll(false));
const readerCpu = cpuOf(process.cpuUsage(cpu0)) / 3;
cpu0 = process.cpuUsage();
const full = await best(3, () => readAll(true));
const fullCpu = cpuOf(process.cpuUsage(cpu0)) / 3;
if (json) {
  const peerCpu = evtxexportCpuSeconds();
  const perCpu = (seconds: number | undefined): number | undefined => (seconds ? Math.round(records / seconds) : undefined);
  const result = {
    records,
    ours: {
      decode: { recordsPerSecond: Math.round(rate(decode)), recordsPerCpuSecond: perCpu(decodeCpu) },
      reader: { recordsPerSecond: Math.round(rate(reader)), recordsPerCpuSecond: perCpu(readerCpu) },
      full: { recordsPerSecond: Math.round(rate(full)), recordsPerCpuSecond: perCpu(fullCpu) },
    },
    peer: peerCpu === undefined ? null : { name: 'evtxexport -f xml (libevtx-utils)', recordsPerCpuSecond: perCpu(peerCpu) },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

/** Best of 3 CPU seconds (user + system) of evtxexport writing XML to /dev/null; undefined when it is absent. */
function evtxexportCpuSeconds(): number | undefined {
  if (spawnSync('evtxexport', ['-V']).status !== 0) return undefined;
  let bestSeconds = Infinity;
  for (let i = 0; i < 3; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', '%U %S', 'sh', '-c', `evtxexport -f xml '${path}' > /dev/null`], { encoding: 'utf8' });
    const m = /([\d.]+) ([\d.]+)\s*$/.exec(r.stderr.trim());
    if (r.status !== 0 || !m) return undefined;
    bestSeconds = Math.min(bestSeconds, Number(m[1]) + Number(m[2]));
  }
  return bestSeconds;
}
process.stdout.write(`file: ${records} records, ${(file.length / 1048576).toFixed(1)} MiB\n`);
process.stdout.write(`hangwatch decodeChunk -> XML:       ${rate(decode).toFixed(0)} records/s\n`);
process.stdout.write(`hangwatch readArtefactRecords:      ${rate(reader).toFixed(0)} records/s\n`);
process.stdout.write(`hangwatch reader + parseRecord:     ${rate(full).toFixed(0)} records/s\n`);
if (spawnSync('evtxexport', ['-V']).status !== 0) {
  process.stdout.write('evtxexport not installed (apt-get install -y libevtx-utils): no peer ratio\n');
} else {
  const peer = await best(3, () => {
    const out = execFileSync('evtxexport', ['-f', 'xml', path], { maxBuffer: 1 << 30, encoding: 'utf8' });
    return (out.match(/<Event xmlns/g) ?? []).length;
  });
  if (peer.count !== records) throw new Error(`evtxexport gave ${peer.count} records, expected ${records}`);
  process.stdout.write(`evtxexport -f xml (libevtx 20181227): ${rate(peer).toFixed(0)} records/s\n`);
  process.stdout.write(`ratio decode/evtxexport: ${(rate(decode) / rate(peer)).toFixed(2)}x, reader/evtxexport: ${(rate(reader) / rate(peer)).toFixed(2)}x, full parse/evtxexport: ${(rate(full) / rate(peer)).toFixed(2)}x\n`);
}
