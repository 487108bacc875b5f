import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EcsEvent } from '../../../shared/schema/event.js';
import type { Incident } from '../../../shared/schema/incident.js';
import { collectFiles } from '../../../cli/analyze/collect-files.js';
import { parseCollectedFiles } from '../../../cli/analyze/parse-files.js';
import { applyOutput, correlateAll, Correlator, sortIncidents } from '../../../services/correlator/core/index.js';
import { generateCorpus, type Truth } from '../../generator/generate.js';
import { DEFAULT_OPTIONS } from '../../generator/types.js';

// Precision and recall of the correlator against what the generator injected (truth.json): the files are read
// and parsed as `hangwatch analyze` does, then correlated. An incident matches a truth hang when it is on the
// same hypervisor and domain, of the same kind, and its time is within the hang's toleranceMs. Clean shutdowns
// in the truth must not become incidents (they would count against precision).

const FLEET = fileURLToPath(new URL('../../../samples/fleet/', import.meta.url));

interface Scores {
  readonly incidents: number;
  readonly hangs: number;
  readonly matched: number;
  readonly topCorrect: number;
  readonly precision: number;
  readonly recall: number;
  readonly topAccuracy: number;
  readonly misses: string[];
}

const silent = { advance: () => undefined, done: () => undefined };

async function parseCorpus(dir: string, truth: Truth): Promise<EcsEvent[]> {
  const files = await collectFiles([dir]);
  const parsed = await parseCollectedFiles(files, { maxRecordBytes: 16 << 20, validate: false, yearReferenceMs: Date.parse(truth.referenceTime) }, truth.referenceTime, 'localhost', silent);
  assert.equal(parsed.deadletters.length, 0, 'the corpus parses without dead letters');
  return parsed.events;
}

function score(incidents: readonly Incident[], truth: Truth): Scores {
  const used = new Set<string>();
  const misses: string[] = [];
  let topCorrect = 0;
  for (const hang of truth.hangs) {
    const at = Date.parse(hang.hangTime);
    const match = incidents.find(
      (i) =>
        !used.has(i.incident.id) &&
        i.libvirt.hypervisor === hang.hypervisor &&
        i.libvirt.domain.name === hang.domain &&
        i.incident.kind === hang.kind &&
        Math.abs(Date.parse(i['@timestamp']) - at) <= hang.toleranceMs,
    );
    if (!match) {
      misses.push(`${hang.id} ${hang.hypervisor}/${hang.domain} ${hang.kind} at ${hang.hangTime}: no incident`);
      continue;
    }
    used.add(match.incident.id);
    const top = match.incident.diagnosis[0]?.code;
    if (top === hang.cause) topCorrect++;
    else misses.push(`${hang.id} ${hang.hypervisor}/${hang.domain}: top diagnosis ${top ?? 'none'}, expected ${hang.cause}`);
  }
  for (const i of incidents) {
    if (!used.has(i.incident.id)) misses.push(`extra incident ${i.libvirt.hypervisor}/${i.libvirt.domain.name} ${i.incident.kind} at ${i['@timestamp']} (${i.incident.diagnosis[0]?.code})`);
  }
  const matched = used.size;
  return {
    incidents: incidents.length,
    hangs: truth.hangs.length,
    matched,
    topCorrect,
    precision: incidents.length === 0 ? 1 : matched / incidents.length,
    recall: truth.hangs.length === 0 ? 1 : matched / truth.hangs.length,
    topAccuracy: truth.hangs.length === 0 ? 1 : topCorrect / truth.hangs.length,
    misses,
  };
}

function report(label: string, s: Scores): void {
  console.log(
    `${label}: ${s.incidents} incidents for ${s.hangs} hangs; precision ${s.matched}/${s.incidents} = ${s.precision.toFixed(2)}, ` +
      `recall ${s.matched}/${s.hangs} = ${s.recall.toFixed(2)}, top diagnosis ${s.topCorrect}/${s.hangs} = ${s.topAccuracy.toFixed(2)}`,
  );
  for (const m of s.misses) console.log(`  ${m}`);
}

/** The streaming Correlator fed per-host in event order (as Kafka partitions would deliver it). */
function streamIncidents(events: readonly EcsEvent[]): Incident[] {
  const correlator = new Correlator({});
  const incidents = new Map<string, Incident>();
  const ordered = [...events].sort((a, b) => (a['@timestamp'] < b['@timestamp'] ? -1 : a['@timestamp'] > b['@timestamp'] ? 1 : 0));
  for (const event of ordered) applyOutput(correlator.push(event), incidents);
  applyOutput(correlator.flush(), incidents);
  return sortIncidents([...incidents.values()]);
}

function summarize(incidents: readonly Incident[]): string[] {
  return incidents.map((i) => `${i.incident.id} ${i['@timestamp']} ${i.incident.kind} ${i.incident.diagnosis[0]?.code}`);
}

test('samples/fleet: every injected hang is one incident of the right kind and time, no extra incidents, top diagnosis right', async () => {
  const truth = JSON.parse(readFileSync(join(FLEET, 'truth.json'), 'utf8')) as Truth;
  const events = await parseCorpus(FLEET, truth);
  const { incidents } = correlateAll(events, {});
  const s = score(incidents, truth);
  report('samples/fleet', s);
  assert.equal(s.recall, 1, s.misses.join('\n'));
  assert.equal(s.precision, 1, s.misses.join('\n'));
  assert.ok(s.topCorrect >= 5, `top diagnosis right for ${s.topCorrect} of ${s.hangs}:\n${s.misses.join('\n')}`);
  assert.deepEqual(summarize(streamIncidents(events)), summarize(incidents), 'the streaming correlator converges to correlateAll');
});

test('a freshly generated fleet (another seed): every injected hang found, no extra incidents', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hangwatch-accuracy-'));
  try {
    const truth = generateCorpus(dir, { ...DEFAULT_OPTIONS, seed: 4242, hosts: 3, vmsPerHost: 4, hangs: 10, cleanShutdowns: 4 });
    const events = await parseCorpus(dir, truth);
    const { incidents } = correlateAll(events, {});
    const s = score(incidents, truth);
    report('seed 4242', s);
    assert.equal(s.recall, 1, s.misses.join('\n'));
    assert.equal(s.precision, 1, s.misses.join('\n'));
    assert.ok(s.topAccuracy >= 0.8, `top diagnosis right for ${s.topCorrect} of ${s.hangs}:\n${s.misses.join('\n')}`);
    assert.deepEqual(summarize(streamIncidents(events)), summarize(incidents), 'the streaming correlator converges to correlateAll');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
