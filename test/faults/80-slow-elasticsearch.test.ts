// A slow Elasticsearch: restarted with a write queue of 2 (HANGWATCH_STACK_ES_WRITE_QUEUE_SIZE) and kept busy
// by concurrent bulk writes to a scratch index, so the indexer's bulk requests meet 429 rejections. The
// indexer retries them (only them); every record still ends indexed exactly once. The shared Elasticsearch is
// restarted with its normal settings afterwards, even when the test fails: this file runs last.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@elastic/elasticsearch';
import { createElasticsearch } from '../../shared/clients/elasticsearch.js';
import { Pipeline } from './harness/pipeline.js';
import { runFault, until } from './harness/scenario.js';
import { SIZES, formatSize } from './harness/mode.js';
import { startStack, stopStackService } from './harness/stack-control.js';

let pipeline: Pipeline | undefined;
let es: Client | undefined;
const scratch = `hw-faults-load-${Date.now().toString(36)}`;
let loading = false;
let rejected = 0;

before(async () => {
  await stopStackService('elasticsearch');
  await startStack({ HANGWATCH_STACK_ES_WRITE_QUEUE_SIZE: '2' });
  pipeline = await Pipeline.start({ name: 'slow-es', env: { HANGWATCH_INDEXER_CONCURRENCY: '4', HANGWATCH_INDEXER_FLUSH_BYTES: '262144' } });
  es = createElasticsearch(pipeline.common);
});

after(async () => {
  loading = false;
  await pipeline?.stop();
  await es?.indices.delete({ index: scratch, ignore_unavailable: true }).catch(() => undefined);
  await es?.close();
  await stopStackService('elasticsearch');
  await startStack();
});

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

test('slow Elasticsearch (bulk rejections, 429): retried until every record is indexed once', { timeout: 600_000 }, async () => {
  const p = pipeline as Pipeline;
  const client = es as Client;
  await client.indices.create({ index: scratch, settings: { number_of_shards: 3, number_of_replicas: 0 } });
  loading = true;
  // Enough writers to keep the queue full, few enough that requests are refused (429) rather than timed out.
  const loader = load(client, 4);
  try {
    await runFault(p, client, {
      order: '80-01',
      fault: 'slow Elasticsearch: write queue 2 + competing bulk load (429s)',
      batch: { seed: 801, day: '2017-06-01', libvirtdLines: SIZES.libvirtdLines },
      notes: `2 hosts, libvirtd padded to ${formatSize(SIZES.libvirtdLines, 'count')} lines each; the load stops once the indexer has retried`,
      timeoutMs: 300_000,
      strike: async ({ pipeline: pp }) => {
        // The fault is real only if the indexer met rejections; then the load stops and recovery is measured.
        await until(async () => (await pp.metric('indexer', 'hangwatch_indexer_retried_total')) > 0, 120_000, 'the indexer to be throttled (429) and retry').catch(() => undefined);
        loading = false;
        await loader;
      },
    });
  } finally {
    loading = false;
    await loader;
  }
  assert.ok((await p.metric('indexer', 'hangwatch_indexer_retried_total')) > 0, 'bulk items were rejected and retried');
  assert.ok(rejected > 0, 'the competing load met rejections too');
});
