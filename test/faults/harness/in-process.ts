import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Client } from '@elastic/elasticsearch';
import { createLogger, type Logger } from '../../../shared/logger.js';
import { MetricsRegistry } from '../../../shared/metrics.js';
import { RAW_HEADERS } from '../../../shared/topics.js';
import { buildShipperConfig } from '../../../services/shipper/core/file-config.js';
import type { OutRecord } from '../../../services/shipper/core/send-queue.js';
import { defaultSpoolPath, ShipperRuntime } from '../../../services/shipper/adapters/shipper-runtime.js';
import { writeBulk, type WriteCounts } from '../../../services/indexer/adapters/es-bulk-writer.js';
import type { BulkOp } from '../../../services/indexer/core/bulk-plan.js';

// The hostile-input rows whose fault has no command of its own to run under a bound: the shipper's runtime with a
// sender that keeps what it is given (no Kafka), and the indexer's bulk writer against a stand-in Elasticsearch
// that refuses us as a client for a while. Each runs in the test's process, on its real code.

/** A logger that keeps its lines (as objects) for the row's checks. */
export function collectingLogger(): { readonly logger: Logger; readonly lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback): void {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: createLogger({ name: 'faults', level: 'info', destination }), lines };
}

export interface ShippedRecord {
  readonly offset: number;
  readonly text: string;
}

export interface RunningShipper {
  readonly sent: ShippedRecord[];
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/** A shipper runtime over one file input; `once` as `ship --once`, else tailing until stop(). */
export async function startShipperRuntime(stateDir: string, path: string, format: string, once: boolean, read: Record<string, number> = {}): Promise<RunningShipper> {
  const config = buildShipperConfig({ state_dir: stateDir, inputs: [{ type: 'file', path, format }], read: { scan_interval_ms: 20, poll_interval_ms: 20, ...read } }, {}, { hostname: 'hostile-host' });
  const sent: ShippedRecord[] = [];
  const keep = async (records: readonly OutRecord[]): Promise<void> => {
    for (const r of records) sent.push({ offset: Number(r.headers[RAW_HEADERS.offset]), text: r.value.toString('utf8') });
  };
  const runtime = new ShipperRuntime({
    config,
    sender: { reachable: true, send: keep },
    logger: collectingLogger().logger,
    metrics: new MetricsRegistry(),
    once,
    spoolPath: defaultSpoolPath(config.stateDir),
  });
  const { done } = await runtime.start();
  return { sent, done, stop: () => runtime.stop() };
}

/** How the stand-in Elasticsearch answers a bulk request at a moment. */
export type BulkAnswer = 'unauthorized' | 'forbidden-items' | 'accept';

export interface FakeElasticsearch {
  readonly url: string;
  /** Bulk requests answered, by answer. */
  readonly answered: Record<BulkAnswer, number>;
  /** Documents acknowledged, by id (a document acknowledged twice counts twice in `acknowledged`). */
  readonly ids: Set<string>;
  acknowledged: number;
  close(): Promise<void>;
}

/** An HTTP server that speaks enough of Elasticsearch's `_bulk` for the writer; `answer()` decides per request. */
export async function startFakeElasticsearch(answer: () => BulkAnswer): Promise<FakeElasticsearch> {
  const fake: FakeElasticsearch = {
    url: '',
    answered: { unauthorized: 0, 'forbidden-items': 0, accept: 0 },
    ids: new Set(),
    acknowledged: 0,
    close: async () => undefined,
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const reply = (status: number, value: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
        res.end(JSON.stringify(value));
      };
      if (!req.url?.startsWith('/_bulk')) return reply(200, { version: { number: '8.19.0' }, tagline: 'You Know, for Search' });
      const kind = answer();
      fake.answered[kind]++;
      if (kind === 'unauthorized') return reply(401, { error: { type: 'security_exception', reason: 'unable to authenticate with provided credentials' }, status: 401 });
      const actions = body
        .split('\n')
        .filter((l) => l.trim() !== '')
        .filter((_, i) => i % 2 === 0)
        .map((l) => Object.values(JSON.parse(l) as Record<string, { _index: string; _id: string }>)[0] as { _index: string; _id: string });
      const items = actions.map((a) =>
        kind === 'accept'
          ? { index: { _index: a._index, _id: a._id, status: 201, result: 'created' } }
          : { index: { _index: a._index, _id: a._id, status: 403, error: { type: 'security_exception', reason: 'action [indices:data/write/bulk[s]] is unauthorized for API key' } } },
      );
      if (kind === 'accept') {
        for (const a of actions) fake.ids.add(a._id);
        fake.acknowledged += actions.length;
      }
      reply(200, { took: 1, errors: kind !== 'accept', items });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) });
}

/** The indexer's bulk writer on `ops` against `url`; resolves with its counts and whether it reported an outage. */
export async function writeThrough(url: string, ops: readonly BulkOp[], logger: Logger): Promise<{ counts: WriteCounts; outages: boolean[] }> {
  const client = new Client({ node: url });
  const outages: boolean[] = [];
  try {
    const counts = await writeBulk(ops, {
      client,
      logger,
      flushBytes: 5 << 20,
      keepAlive: async () => undefined,
      shouldContinue: () => true,
      now: () => new Date().toISOString(),
      onOutage: (down) => outages.push(down),
    });
    return { counts, outages };
  } finally {
    await client.close();
  }
}
