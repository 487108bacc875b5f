// Indexer throughput against a raw `_bulk` loop on the same node, in the same run, and end-to-end latency
// (produce -> searchable) at low volume. Run through the stack:
//   node --import tsx scripts/with-stack.ts node --import tsx bench/indexer.bench.ts [--events 200000]
// The peer: the same documents (event.ingested included) pre-rendered as NDJSON, cut into bodies of the same
// byte size as the indexer's bulk requests, POSTed with fetch by as many workers as the indexer's concurrency.
// Each side writes its own daily index of the same template; everything is deleted afterwards.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Message } from 'kafkajs';
import { COMMON_SCHEMA, loadConfig } from '../shared/config.js';
import { createElasticsearch } from '../shared/clients/elasticsearch.js';
import { createKafka } from '../shared/clients/kafka.js';
import { eventsIndexFor } from '../shared/topics.js';
import { installTemplates } from '../services/indexer/adapters/install-templates.js';
import { ENRICHED_HEADER } from '../services/indexer/core/bulk-plan.js';
import { buildEvent, uniqueDay } from './indexer-events.js';
import { cleanUp, countDocs, createTopic, deleteTopic, produceAll, startInProcessIndexer, waitFor } from './indexer-harness.js';

export interface IndexerBenchOptions {
  readonly events?: number;
  readonly flushBytes?: number;
  readonly concurrency?: number;
  readonly partitions?: number;
  readonly latencySamples?: number;
  /** Events of the re-timing run (a share of them re-emitted enriched); 0 skips it. */
  readonly retimingEvents?: number;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly log?: (line: string) => void;
}

export interface Throughput {
  readonly docs: number;
  readonly seconds: number;
  readonly docsPerSecond: number;
}

export interface IndexerBenchResult {
  readonly events: number;
  readonly flushBytes: number;
  readonly concurrency: number;
  readonly indexer: Throughput;
  readonly rawBulk: Throughput;
  /** indexer docs/s over raw bulk docs/s (goal: >= 0.8). */
  readonly ratio: number;
  readonly latency: { readonly samples: number; readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };
  /** Same indexer with 10% of the records re-emitted enriched (stale-copy lookups), against its plain rate. */
  readonly retiming?: { readonly docs: number; readonly docsPerSecond: number; readonly plainDocsPerSecond: number; readonly ratio: number };
}

function throughput(docs: number, ms: number): Throughput {
  return { docs, seconds: Math.round(ms) / 1000, docsPerSecond: Math.round((docs / ms) * 1000) };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export async function runIndexerBench(options: IndexerBenchOptions = {}): Promise<IndexerBenchResult> {
  const n = options.events ?? 200_000;
  const flushBytes = options.flushBytes ?? 5 * 1024 * 1024;
  const concurrency = options.concurrency ?? 2;
  const partitions = options.partitions ?? concurrency;
  const log = options.log ?? ((line: string) => process.stderr.write(`indexer-bench: ${line}\n`));
  const common = loadConfig('', COMMON_SCHEMA, options.env ?? process.env);
  const run = randomUUID().slice(0, 8);
  const kafka = createKafka(common, `bench-indexer-${run}`);
  const es = createElasticsearch(common);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const topics: string[] = [];
  const indices: string[] = [];
  const dayOf = (salt: string): string => {
    const day = uniqueDay(run, salt);
    indices.push(eventsIndexFor(`${day}T00:00:00.000Z`));
    return day;
  };
  const ownTopic = async (name: string, parts: number): Promise<string> => {
    const topic = `hw-bench-indexer-${name}-${run}`;
    await createTopic(kafka, topic, parts);
    topics.push(topic);
    return topic;
  };
  await installTemplates(es);
  await producer.connect();
  try {
    // 1. The indexer: produce first (not timed), then time from the first indexed batch to the last.
    const indexerDay = dayOf('indexer');
    const topic = await ownTopic('volume', partitions);
    log(`producing ${n} events to ${topic}`);
    await produceAll(producer, topic, Array.from({ length: n }, (_, i) => toMessage(buildEvent({ run, day: indexerDay }, i))));
    const indexerRate = await timeIndexer({ kafka, es, topic, groupId: `hw-bench-indexer-${run}`, flushBytes, concurrency, n });
    if ((await countDocs(es, eventsIndexFor(`${indexerDay}T00:00:00.000Z`))) !== n) throw new Error('the indexer did not write every event');
    log(`indexer: ${indexerRate.docsPerSecond} docs/s`);

    // 2. The raw _bulk loop on the same documents (own day, same template), same body size and concurrency.
    const rawDay = dayOf('raw');
    const ingested = new Date().toISOString();
    const bodies = renderBodies(n, (i) => buildEvent({ run, day: rawDay }, i), ingested, flushBytes);
    const rawStart = performance.now();
    await postBodies(common.ES_URL, bodies, concurrency);
    const rawRate = throughput(n, performance.now() - rawStart);
    if ((await countDocs(es, eventsIndexFor(`${rawDay}T00:00:00.000Z`))) !== n) throw new Error('the raw bulk loop did not write every event');
    log(`raw _bulk: ${rawRate.docsPerSecond} docs/s (${bodies.length} bodies)`);

    // 3. Re-timing: 10% of records re-emitted enriched with another day; only batches holding them search.
    let retiming: IndexerBenchResult['retiming'];
    const retimingEvents = options.retimingEvents ?? 50_000;
    if (retimingEvents > 0) {
      const day = dayOf('retime');
      const before = new Date(Date.parse(`${day}T00:00:00.000Z`) - 86_400_000).toISOString().slice(0, 10);
      indices.push(eventsIndexFor(`${before}T00:00:00.000Z`));
      const plainTopic = await ownTopic('plain', partitions);
      const retimeTopic = await ownTopic('retime', partitions);
      const plain: Message[] = [];
      const mixed: Message[] = [];
      for (let i = 0; i < retimingEvents; i++) {
        const e = buildEvent({ run: `${run}-p`, day }, i);
        plain.push(toMessage(e));
        if (i % 10 === 9) {
          const earlier = buildEvent({ run: `${run}-r`, day }, i - 5);
          mixed.push({ ...toMessage({ ...earlier, '@timestamp': `${before}T23:00:00.000Z` }), headers: { [ENRICHED_HEADER]: '1' } });
        } else mixed.push(toMessage(buildEvent({ run: `${run}-r`, day }, i)));
      }
      await produceAll(producer, plainTopic, plain);
      await produceAll(producer, retimeTopic, mixed);
      const plainRate = await timeIndexer({ kafka, es, topic: plainTopic, groupId: `hw-bench-indexer-plain-${run}`, flushBytes, concurrency, n: retimingEvents });
      const mixedRate = await timeIndexer({ kafka, es, topic: retimeTopic, groupId: `hw-bench-indexer-retime-${run}`, flushBytes, concurrency, n: retimingEvents });
      retiming = { docs: retimingEvents, docsPerSecond: mixedRate.docsPerSecond, plainDocsPerSecond: plainRate.docsPerSecond, ratio: round2(mixedRate.docsPerSecond / plainRate.docsPerSecond) };
      log(`re-timing: ${mixedRate.docsPerSecond} docs/s with 10% re-emitted vs ${plainRate.docsPerSecond} docs/s plain`);
    }

    // 4. Latency at low volume: one event at a time, produce -> found by a search.
    const latencyTopic = await ownTopic('latency', 1);
    const latencyDay = dayOf('latency');
    const samples = options.latencySamples ?? 40;
    const indexer = await startInProcessIndexer({ kafka, es, topic: latencyTopic, kind: 'events', groupId: `hw-bench-indexer-latency-${run}`, flushBytes, concurrency });
    const latencies: number[] = [];
    try {
      await waitFor(() => indexer.ready(), 60_000, 'the latency indexer to join its group');
      const index = eventsIndexFor(`${latencyDay}T00:00:00.000Z`);
      // Sample -1 warms up: it creates the day's index, which is not the indexer's latency.
      for (let i = -1; i < samples; i++) {
        const event = i < 0 ? buildEvent({ run: `${run}-warm`, day: latencyDay }, 0) : buildEvent({ run: `${run}-lat`, day: latencyDay }, i);
        const start = performance.now();
        await producer.send({ topic: latencyTopic, acks: -1, messages: [toMessage(event)] });
        const searchable = async (): Promise<boolean> => {
          try {
            const r = await es.search({ index, query: { ids: { values: [event.event.id] } }, size: 0, ignore_unavailable: true, allow_no_indices: true });
            return totalOf(r.hits.total) === 1;
          } catch {
            return false; // the day's index is being created: its shard is not started yet
          }
        };
        await waitFor(searchable, 30_000, 'a low-volume event to be searchable', 20);
        if (i >= 0) latencies.push(performance.now() - start);
        await new Promise((r) => setTimeout(r, 100 + (i % 7) * 37));
      }
    } finally {
      await indexer.stop();
    }
    latencies.sort((a, b) => a - b);
    const latency = { samples, p50Ms: Math.round(percentile(latencies, 50)), p99Ms: Math.round(percentile(latencies, 99)), maxMs: Math.round(latencies[latencies.length - 1] ?? 0) };
    log(`latency produce -> searchable: p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms over ${samples} events`);

    const result: IndexerBenchResult = { events: n, flushBytes, concurrency, indexer: indexerRate, rawBulk: rawRate, ratio: round2(indexerRate.docsPerSecond / rawRate.docsPerSecond), latency, ...(retiming ? { retiming } : {}) };
    return result;
  } finally {
    await producer.disconnect();
    for (const topic of topics) {
      await cleanUp(es, indices, topic);
      await deleteTopic(kafka, topic);
    }
    await es.close();
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function totalOf(total: number | { value: number } | undefined): number {
  return typeof total === 'number' ? total : (total?.value ?? 0);
}

function toMessage(event: ReturnType<typeof buildEvent>): Message {
  return { key: event.libvirt?.hypervisor ?? '', value: JSON.stringify(event) };
}

interface TimedRun {
  readonly kafka: ReturnType<typeof createKafka>;
  readonly es: ReturnType<typeof createElasticsearch>;
  readonly topic: string;
  readonly groupId: string;
  readonly flushBytes: number;
  readonly concurrency: number;
  readonly n: number;
}

/** From the first acknowledged batch to the last (the group join is not the indexer's speed). */
async function timeIndexer(r: TimedRun): Promise<Throughput> {
  const indexer = await startInProcessIndexer({ kafka: r.kafka, es: r.es, topic: r.topic, kind: 'events', groupId: r.groupId, flushBytes: r.flushBytes, concurrency: r.concurrency });
  try {
    await waitFor(() => indexer.totals().received > 0, 120_000, 'the first batch', 5);
    const start = performance.now();
    const first = indexer.totals().received;
    await waitFor(() => indexer.totals().received >= r.n, 600_000, 'every event to be indexed', 5);
    return throughput(r.n - first, performance.now() - start);
  } finally {
    await indexer.stop();
  }
}

/** NDJSON bodies of about flushBytes each: what the indexer would send for these events. */
function renderBodies(n: number, eventAt: (i: number) => ReturnType<typeof buildEvent>, ingested: string, flushBytes: number): string[] {
  const bodies: string[] = [];
  let parts: string[] = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const e = eventAt(i);
    e.event.ingested = ingested;
    const text = `${JSON.stringify({ index: { _index: eventsIndexFor(e['@timestamp']), _id: e.event.id } })}\n${JSON.stringify(e)}\n`;
    if (parts.length > 0 && bytes + text.length > flushBytes) {
      bodies.push(parts.join(''));
      parts = [];
      bytes = 0;
    }
    parts.push(text);
    bytes += text.length;
  }
  if (parts.length > 0) bodies.push(parts.join(''));
  return bodies;
}

async function postBodies(esUrl: string, bodies: readonly string[], workers: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const response = await fetch(`${esUrl.replace(/\/$/, '')}/_bulk`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
      const json = (await response.json()) as { errors?: boolean };
      if (!response.ok || json.errors) throw new Error(`raw bulk failed: HTTP ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}

function argValue(argv: readonly string[], name: string): number | undefined {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? Number(argv[i + 1]) : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const events = argValue(argv, '--events');
  const retimingEvents = argValue(argv, '--retiming-events');
  runIndexerBench({ ...(events ? { events } : {}), ...(retimingEvents !== undefined ? { retimingEvents } : {}) }).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      process.stderr.write(`indexer-bench: indexer ${result.indexer.docsPerSecond} docs/s = ${Math.round(result.ratio * 100)}% of raw _bulk ${result.rawBulk.docsPerSecond} docs/s (goal >= 80%); latency p50 ${result.latency.p50Ms} ms, p99 ${result.latency.p99Ms} ms\n`);
    },
    (error: unknown) => {
      process.stderr.write(`indexer-bench failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
