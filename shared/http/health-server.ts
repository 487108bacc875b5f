import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsRegistry } from '../metrics.js';

// /healthz (the process is alive), /readyz (its dependencies answer), /metrics (Prometheus text) on every
// service. Extra routes (the timeline export) can be mounted through `handle`.

export interface HealthServerOptions {
  readonly port: number;
  readonly host?: string;
  readonly metrics: MetricsRegistry;
  readonly ready: () => boolean | Promise<boolean>;
  /** Returns true when it answered the request. */
  readonly handle?: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    void route(options, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function route(options: HealthServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  if (path === '/readyz') {
    const ready = await options.ready();
    res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ready\n' : 'not ready\n');
    return;
  }
  if (path === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(options.metrics.render());
    return;
  }
  if (options.handle && (await options.handle(req, res))) return;
  res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
}
