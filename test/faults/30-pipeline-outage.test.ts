// Outages around the pipeline while a batch streams: the Kafka broker stopped for 20 s, a log rotation storm
// under the shipper, the shipper's state folder on a full disk (a 64 KiB tmpfs), a slow Elasticsearch (bulk
// rejections, 429) and Elasticsearch stopped for 30 s. Every record ends indexed or dead-lettered exactly
// once, with the offline analysis' incidents and alerts. The stack's services always come back, even when a
// test fails; Elasticsearch is restarted twice in all (into a small write queue for the slow test, then back
// to its normal settings by the outage test that follows it), each restart taking a minute on a loaded machine.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { createElasticsearch } from '../../shared/clients/elasticsearch.js';
import { Pipeline } from './harness/pipeline.js';
import { runFault, until } from './harness/scenario.js';
import { SIZES, TIME_SCALE, formatSize } from './harness/mode.js';
import { outage, startStack, stopStackService } from './harness/stack-control.js';
import { countRecords } from './harness/corpus.js';
import { planRotationStorm, type RotationPlan } from './harness/rotation.js';

let pipeline: Pipeline;
let es: Client;
/** Elasticsearch runs with the slow test's small write queue: restored by the outage test, or by after(). */
let smallWriteQueue = false;

before(async () => {
  // Concurrent, smaller bulk requests: the slow Elasticsearch test needs them to meet 429s; harmless to the others.
  pipeline = await Pipeline.start({ name: 'outage', env: { HANGWATCH_INDEXER_CONCURRENCY: '4', HANGWATCH_INDEXER_FLUSH_BYTES: '262144' } });
  es = createElasticsearch(pipeline.common);
});

after(async () => {
  loading = false;
  await pipeline?.stop();
  await es?.indices.delete({ index: scratch, ignore_unavailable: true }).catch(() => undefined);
  await es?.close();
  if (smallWriteQueue) {
    await stopStackService('elasticsearch');
    await startStack();
  }
});

/** Where in the stream a fault struck, for the table: what the service handled of this batch (since `start`). */
async function progress(p: Pipeline, service: 'parser' | 'indexer', metric: string, start: number, records: number): Promise<string> {
  const what = service === 'indexer' ? 'documents (events, their enriched copies, incidents)' : 'records';
  return `struck after the ${service} had handled ${(await p.metric(service, metric)) - start} ${what}; the batch has ${records} records`;
}

const volume = `2 hosts, libvirtd padded to ${formatSize(SIZES.libvirtdLines, 'count')} lines each`;

test('Kafka broker stopped for 20 s mid-stream', { timeout: 720_000 * TIME_SCALE }, async () => {
  await runFault(pipeline, es, {
    order: '30-01',
    fault: 'Kafka broker stopped 20 s',
    batch: { seed: 201, day: '2017-04-01', libvirtdLines: SIZES.libvirtdLines },
    notes: volume,
    timeoutMs: 480_000 * TIME_SCALE,
    strike: async ({ pipeline: p, batch }) => {
      const start = await p.metric('parser', 'hangwatch_parser_records_received_total');
      await until(async () => (await p.metric('parser', 'hangwatch_parser_records_received_total')) > start, 120_000, 'the parser to start on the batch');
      const at = await progress(p, 'parser', 'hangwatch_parser_records_received_total', start, countRecords(batch.expected));
      await outage('kafka', 20_000);
      return at;
    },
  });
});

test('log rotation storm under the shipper (rename and copytruncate, alternating)', { timeout: 600_000 * TIME_SCALE }, async () => {
  let plan: RotationPlan | undefined;
  await runFault(pipeline, es, {
    order: '30-03',
    fault: `log rotation storm (${SIZES.rotations} rotations, 300 ms apart)`,
    batch: { seed: 203, day: '2017-04-05', libvirtdLines: SIZES.libvirtdLines },
    notes: `${volume}; libvirtd.log rotated per host, rename/copytruncate alternating`,
    prepare: async (batch) => {
      plan = await planRotationStorm(batch, SIZES.rotations);
      return plan.batch;
    },
    strike: async () => {
      await plan?.storm(300);
    },
  });
});

test("shipper's state folder on a full disk: a clear error, then recovery", { timeout: 600_000 * TIME_SCALE }, async () => {
  const stateDir = join(pipeline.dir, 'full-disk-state');
  await mkdir(stateDir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', stateDir]);
  const filler = join(stateDir, 'filler');
  let held = '';
  let live = '';
  try {
    await runFault(pipeline, es, {
      order: '30-04',
      fault: "shipper state folder on a full disk (64 KiB tmpfs)",
      batch: { seed: 204, day: '2017-04-07', libvirtdLines: SIZES.libvirtdLines },
      notes: `${volume}; disk filled after the first positions, freed once the error was logged`,
      shipperStateDir: stateDir,
      // One file is held back and appears while the disk is full: the shipper must go on shipping it and say
      // why it cannot save its positions.
      prepare: async (batch) => {
        held = join(pipeline.dir, 'held-libvirtd.log');
        live = join(batch.hosts[1]?.dir ?? '', 'var', 'log', 'libvirt', 'libvirtd.log');
        await rename(live, held);
        return batch;
      },
      strike: async ({ pipeline: p }) => {
        await until(async () => (await p.metric('shipper', 'hangwatch_shipper_records_total')) > 0, 60_000, 'the shipper to ship');
        await fillDisk(filler);
        await rename(held, live);
        await until(async () => (await readFile(p.proc('shipper').logFile, 'utf8')).includes('HW_STATE_WRITE_FAILED'), 60_000, 'the shipper to report the full disk');
        const log = await readFile(p.proc('shipper').logFile, 'utf8');
        const line = log.split('\n').find((l) => l.includes('HW_STATE_WRITE_FAILED')) ?? '';
        assert.match(line, /ENOSPC/, 'the error names the cause');
        assert.ok(line.includes(stateDir), 'the error names the folder');
        assert.equal(p.proc('shipper').exited, false, 'the shipper keeps running');
        await rm(filler);
      },
    });
    // After recovery the positions are saved again: a restarted shipper resumes at the end, sending nothing.
    const positions = JSON.parse(await readFile(join(stateDir, 'positions.json'), 'utf8')) as unknown;
    assert.ok(positions, 'positions were saved after the disk was freed');
  } finally {
    execFileSync('umount', [stateDir]);
  }
});

// A slow Elasticsearch: restarted with a write queue of 2 (HANGWATCH_STACK_ES_WRITE_QUEUE_SIZE) and kept busy by
// concurrent bulk writes to a scratch index, so the indexer's bulk requests meet 429 rejections. The indexer
// retries them (only them); every record still ends indexed exactly once.
const scratch = `hw-faults-load-${Date.now().toString(36)}`;
let loading = false;
let rejected = 0;

/** Bulk writers competing for the write queue until told to stop. */
async function load(client: Client, writers: number): Promise<void> {
  const body = Array.from({ length: 100 }, (_, i) => [{ index: { _index: scratch } }, { n: i, text: 'load '.repeat(20) }]).flat();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (loading) {
        try {
          const r = await client.bulk({ operations: body });
          if (r.errors) rejected += r.items.filter((it) => it.index?.status === 429).length;
        } catch {
          rejected++;
        }
      }
    }),
  );
}

test('slow Elasticsearch (bulk rejections, 429): retried until every record is indexed once', { timeout: 600_000 * TIME_SCALE }, async () => {
  smallWriteQueue = true;
  await stopStackService('elasticsearch');
  await startStack({ HANGWATCH_STACK_ES_WRITE_QUEUE_SIZE: '2' });
  await es.indices.create({ index: scratch, settings: { number_of_shards: 3, number_of_replicas: 0 } });
  const retriedBefore = await pipeline.metric('indexer', 'hangwatch_indexer_retried_total');
  loading = true;
  // Enough writers to keep the queue full, few enough that requests are refused (429) rather than timed out.
  const loader = load(es, 4);
  try {
    await runFault(pipeline, es, {
      order: '30-05',
      fault: 'slow Elasticsearch: write queue 2 + competing bulk load (429s)',
      batch: { seed: 801, day: '2017-04-09', libvirtdLines: SIZES.libvirtdLines },
      notes: `${volume}; the load stops once the indexer has retried`,
      timeoutMs: 300_000 * TIME_SCALE,
      strike: async ({ pipeline: p }) => {
        // The fault is real only if the indexer met rejections; then the load stops and recovery is measured.
        await until(async () => (await p.metric('indexer', 'hangwatch_indexer_retried_total')) > retriedBefore, 120_000, 'the indexer to be throttled (429) and retry').catch(() => undefined);
        loading = false;
        await loader;
        return `${(await p.metric('indexer', 'hangwatch_indexer_retried_total')) - retriedBefore} bulk items retried, ${rejected} load items refused`;
      },
    });
  } finally {
    loading = false;
    await loader;
  }
  assert.ok((await pipeline.metric('indexer', 'hangwatch_indexer_retried_total')) > retriedBefore, 'bulk items were rejected and retried');
  assert.ok(rejected > 0, 'the competing load met rejections too');
  await es.indices.delete({ index: scratch, ignore_unavailable: true });
});

test('Elasticsearch stopped for 30 s mid-stream', { timeout: 720_000 * TIME_SCALE }, async () => {
  await runFault(pipeline, es, {
    order: '30-06',
    fault: 'Elasticsearch stopped 30 s',
    batch: { seed: 202, day: '2017-04-03', libvirtdLines: SIZES.libvirtdLines },
    notes: volume,
    timeoutMs: 480_000 * TIME_SCALE,
    strike: async ({ pipeline: p, batch }) => {
      const start = await p.metric('indexer', 'hangwatch_indexer_indexed_total');
      await until(async () => (await p.metric('indexer', 'hangwatch_indexer_indexed_total')) > start, 120_000, 'the indexer to start on the batch');
      const at = await progress(p, 'indexer', 'hangwatch_indexer_indexed_total', start, countRecords(batch.expected));
      // Back with its normal settings (the slow test before left it with a write queue of 2).
      await outage('elasticsearch', 30_000);
      smallWriteQueue = false;
      return at;
    },
  });
});

/** Writes until the file system refuses (ENOSPC). */
async function fillDisk(path: string): Promise<void> {
  const block = Buffer.alloc(4096, 0x78);
  let data = Buffer.alloc(0);
  for (;;) {
    try {
      data = Buffer.concat([data, block]);
      await writeFile(path, data);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return;
      throw error;
    }
  }
}
