import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { WebhookSender } from '../../../services/alerter/adapters/webhook-sender.js';
import { MetricsRegistry } from '../../../shared/metrics.js';
import type { Alert } from '../../../shared/schema/alert.js';
import { webhookLabel } from '../../../shared/logger.js';

// Real HTTP on 127.0.0.1 (no mocks): a receiver that always fails must not hold up a healthy one.

function alert(n: number): Alert {
  const ts = new Date(Date.UTC(2017, 2, 15, 0, n)).toISOString();
  return {
    '@timestamp': ts,
    event: { kind: 'alert' },
    rule: { id: 'r', name: 'R' },
    alert: { id: `id${n}`, key: 'k', state: 'open', count: 2, first_seen: ts, last_seen: ts, incidents: ['a', 'b'] },
    message: 'm',
  };
}

async function listen(handler: (status: { hits: number; bodies: string[] }) => number): Promise<{ server: Server; url: string; seen: { hits: number; bodies: string[]; secrets: string[] } }> {
  const seen = { hits: 0, bodies: [] as string[], secrets: [] as string[] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.hits++;
      seen.secrets.push(String(req.headers['x-hangwatch-secret']));
      const status = handler(seen);
      if (status < 300) seen.bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://user:pw@127.0.0.1:${(server.address() as AddressInfo).port}/hook`, seen };
}

test('a failing webhook neither blocks a healthy one nor grows without bound; overflow is counted and logged once per interval', async () => {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, done) => void (lines.push(String(chunk)), done()) }));
  const metrics = new MetricsRegistry();
  const bad = await listen(() => 500);
  const good = await listen(() => 204);
  let releaseBad: () => void = () => {};
  const stuck = new Promise<void>((resolve) => (releaseBad = resolve));
  const common = { secret: 'top-secret-value', timeoutMs: 2000, backoffInitialMs: 1, backoffMaxMs: 1, overflowReportIntervalMs: 60_000, logger, metrics };
  const badSender = new WebhookSender({ ...common, url: bad.url, retries: 3, queueMax: 2, sleep: () => stuck });
  const goodSender = new WebhookSender({ ...common, url: good.url, retries: 3, queueMax: 10 });
  try {
    for (let n = 1; n <= 5; n++) {
      badSender.enqueue(alert(n));
      goodSender.enqueue(alert(n));
    }
    await goodSender.drain(5000);
    assert.deepEqual(good.seen.bodies.map((b) => (JSON.parse(b) as Alert).alert.id), ['id1', 'id2', 'id3', 'id4', 'id5']);
    assert.equal(bad.seen.hits, 1); // alert 1 waits for its retry; 2..5 queue behind it, bounded at 2
    const label = webhookLabel(bad.url);
    assert.doesNotMatch(label, /pw|\/hook/, 'no credential or path in the metric label');
    assert.equal(metrics.value('hangwatch_alerter_webhook_dropped_total', { webhook: label }), 2);
    releaseBad();
    await badSender.drain(5000);
    assert.equal(metrics.value('hangwatch_alerter_webhook_failures_total', { webhook: label }), 3); // 1, 4, 5 never accepted
    assert.equal(bad.seen.hits, 3 * 4); // three alerts, each tried once and retried 3 times
    assert.equal(metrics.value('hangwatch_alerter_webhook_delivered_total', { webhook: webhookLabel(good.url) }), 5);
    const overflowLogs = lines.filter((l) => l.includes('webhook queue full'));
    assert.equal(overflowLogs.length, 2); // the first drop, then the rest of the interval reported at drain
    assert.deepEqual(overflowLogs.map((l) => (JSON.parse(l) as { dropped: number }).dropped), [1, 1]);
    assert.deepEqual([...new Set([...bad.seen.secrets, ...good.seen.secrets])], ['top-secret-value']);
    assert.equal(lines.some((l) => l.includes('top-secret-value') || l.includes('user:pw')), false);
  } finally {
    releaseBad();
    await new Promise<void>((resolve) => bad.server.close(() => resolve()));
    await new Promise<void>((resolve) => good.server.close(() => resolve()));
  }
});

test('a 4xx refusal is not retried', async () => {
  const metrics = new MetricsRegistry();
  const refusing = await listen(() => 400);
  const sender = new WebhookSender({ url: refusing.url, secret: undefined, timeoutMs: 2000, retries: 5, backoffInitialMs: 1, backoffMaxMs: 1, queueMax: 10, overflowReportIntervalMs: 60_000, logger: pino({ level: 'silent' }), metrics });
  try {
    sender.enqueue(alert(1));
    await sender.drain(5000);
    assert.equal(refusing.seen.hits, 1);
    assert.deepEqual(refusing.seen.secrets, ['undefined']); // no secret configured: no header
  } finally {
    await new Promise<void>((resolve) => refusing.server.close(() => resolve()));
  }
});
