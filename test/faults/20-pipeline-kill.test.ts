// The whole pipeline (shipper, parser, correlator, indexer, alerter as processes) against the real Kafka and
// Elasticsearch: an undisturbed batch, then each service SIGKILLed while a batch streams through it and
// restarted. Every record ends indexed or dead-lettered exactly once, with the offline analysis' incidents
// and alerts. Run through scripts/with-stack.ts (npm run test:faults).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@elastic/elasticsearch';
import { INDICES } from '../../shared/topics.js';
import { createElasticsearch } from '../../shared/clients/elasticsearch.js';
import { Pipeline, type PipelineService } from './harness/pipeline.js';
import { runFault, until } from './harness/scenario.js';
import { SIZES, formatSize } from './harness/mode.js';

let pipeline: Pipeline;
let es: Client;

before(async () => {
  pipeline = await Pipeline.start({ name: 'kill' });
  es = createElasticsearch(pipeline.common);
});

after(async () => {
  await pipeline?.stop();
  await es?.close();
});

// Batches fed to one alerter go forward in event time (incidents older than its allowed lateness do not count).
const days = ['2017-03-10', '2017-03-12', '2017-03-14', '2017-03-16', '2017-03-18', '2017-03-20'];
const volume = `2 hosts, libvirtd padded to ${formatSize(SIZES.libvirtdLines, 'count')} lines each`;

test('undisturbed batch: the pipeline ends with what the offline analysis finds', { timeout: 600_000 }, async () => {
  await runFault(pipeline, es, { order: '20-00', fault: 'none (baseline)', batch: { seed: 101, day: days[0] as string, libvirtdLines: SIZES.libvirtdLines }, notes: volume });
});

test('hostile records in a batch (generator --hostile): dead letters with reasons in Elasticsearch, the rest indexed', { timeout: 600_000 }, async () => {
  const result = await runFault(pipeline, es, {
    order: '20-06',
    fault: 'hostile records mixed into a batch',
    batch: { seed: 110, day: '2017-03-22', hostile: true },
    notes: 'invalid UTF-8, NUL bytes, 70 KiB line, truncated line, bad level, CRLF, malformed XML, entity bomb',
  });
  assert.ok(result.observation.deadletters > 0, 'the hostile records are dead letters');
  const letters = await es.search<{ error: { code: string; message: string } }>({ index: INDICES.deadletter, size: 100, query: { prefix: { 'log.file.path': `${result.batch.dir}/` } } });
  for (const hit of letters.hits.hits) {
    assert.match(hit._source?.error.code ?? '', /^HW_[A-Z_]+$/, 'each dead letter names its reason');
    assert.ok((hit._source?.error.message ?? '').length > 0);
  }
});

/** How far each service has got: a kill strikes once it has handled some of the batch (mid-stream). */
const PROGRESS: Record<PipelineService, string> = {
  shipper: 'hangwatch_shipper_records_total',
  parser: 'hangwatch_parser_records_received_total',
  correlator: 'hangwatch_correlator_events_received_total',
  indexer: 'hangwatch_indexer_indexed_total',
  alerter: 'hangwatch_alerter_incidents_received_total',
};

const victims: PipelineService[] = ['shipper', 'parser', 'correlator', 'indexer', 'alerter'];
victims.forEach((victim, i) => {
  test(`SIGKILL of the ${victim} mid-stream, then restart`, { timeout: 600_000 }, async () => {
    await runFault(pipeline, es, {
      order: `20-0${i + 1}`,
      fault: `SIGKILL ${victim} mid-stream + restart`,
      batch: { seed: 102 + i, day: days[i + 1] as string, libvirtdLines: SIZES.libvirtdLines },
      notes: volume,
      strike: async ({ pipeline: p }) => {
        const start = await p.metric(victim, PROGRESS[victim]);
        await until(async () => (await p.metric(victim, PROGRESS[victim])) > start, 120_000, `${victim} to make progress`);
        await p.kill(victim, 'SIGKILL');
        await p.restart(victim);
      },
    });
  });
});
