import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EcsEvent } from '../../../shared/schema/event.js';
import type { Incident } from '../../../shared/schema/incident.js';
import { collectFiles } from '../../../cli/analyze/collect-files.js';
import { parseCollectedFiles } from '../../../cli/analyze/parse-files.js';
import { incidentDigest } from '../../../cli/demo/converge.js';
import { applyOutput, correlateAll, Correlator, sortIncidents } from '../../../services/correlator/core/index.js';
import type { CorrelatorOptions } from '../../../services/correlator/core/options.js';

// A backfill (`hangwatch ship --once` over collected logs, as the main job does) sends one file after another, so a
// host's records reach the correlator up to the data's whole span out of event-time order. Streaming converges on
// the offline result when the lateness bound covers that span (the main job sets it), and the default bound of a
// few minutes, meant for live tailing, sees those records as late.

const FLEET = fileURLToPath(new URL('../../../samples/fleet/', import.meta.url));
const silent = { advance: () => undefined, done: () => undefined };

async function fleetByFile(): Promise<{ all: EcsEvent[]; files: EcsEvent[][] }> {
  const truth = JSON.parse(readFileSync(`${FLEET}truth.json`, 'utf8')) as { referenceTime: string };
  const parsed = await parseCollectedFiles(await collectFiles([FLEET]), { maxRecordBytes: 16 << 20, validate: false, yearReferenceMs: Date.parse(truth.referenceTime) }, truth.referenceTime, 'localhost', silent);
  const byFile = new Map<string, EcsEvent[]>();
  for (const e of parsed.events) {
    const key = e.log?.file?.path ?? '';
    const list = byFile.get(key) ?? [];
    list.push(e);
    byFile.set(key, list);
  }
  return { all: parsed.events, files: [...byFile.values()] };
}

function streamFileAfterFile(files: readonly EcsEvent[][], options: CorrelatorOptions): { incidents: Incident[]; late: number } {
  const correlator = new Correlator(options);
  const incidents = new Map<string, Incident>();
  for (const file of files) {
    for (const event of file) {
      const queue = [event];
      for (let next = queue.shift(); next; next = queue.shift()) {
        const out = correlator.push(next);
        applyOutput(out, incidents);
        queue.push(...out.rehomed);
      }
    }
  }
  const late = correlator.stats().lateEvents;
  applyOutput(correlator.flush(), incidents);
  return { incidents: sortIncidents([...incidents.values()]), late };
}

const digestsOf = (incidents: readonly Incident[]) => incidents.map((i) => `${i.incident.id} ${incidentDigest(i)}`);

test('a day shipped file after file converges on the offline incidents when the lateness covers the day', async () => {
  const { all, files } = await fleetByFile();
  assert.ok(files.length > 10, 'the fleet has many files per host');
  const offline = correlateAll(all, {});
  assert.ok(offline.incidents.length >= 6);
  for (const order of [files, [...files].reverse()]) {
    const streamed = streamFileAfterFile(order, { latenessMs: 48 * 3_600_000 });
    assert.deepEqual(digestsOf(streamed.incidents), digestsOf(offline.incidents));
  }
});

test('with the live default lateness the same backfill has late records, which is why a backfill needs its span', async () => {
  const { files } = await fleetByFile();
  assert.ok(streamFileAfterFile(files, {}).late > 0);
});
