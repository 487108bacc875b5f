import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A stand-in for Kibana's import endpoint on 127.0.0.1 (random port): it records each request as Kibana's API
// documents it (method, path, query, headers, multipart parts) and answers what the test tells it to.

export interface MultipartPart {
  readonly name?: string;
  readonly filename?: string;
  readonly contentType?: string;
  readonly body: string;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly parts: MultipartPart[];
}

export type Answer = { status: number; body: unknown };

export interface FakeKibana {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeKibana(answer: (request: RecordedRequest, index: number) => Answer): Promise<FakeKibana> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        parts: parseMultipart(String(req.headers['content-type'] ?? ''), Buffer.concat(chunks)),
      };
      requests.push(recorded);
      const { status, body } = answer(recorded, requests.length - 1);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** RFC 7578 multipart/form-data, enough to read the parts a client sent. */
export function parseMultipart(contentType: string, body: Buffer): MultipartPart[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!contentType.startsWith('multipart/form-data') || !boundary) return [];
  const delimiter = `--${boundary[1] ?? boundary[2]}`;
  const text = body.toString('utf8');
  const parts: MultipartPart[] = [];
  for (const chunk of text.split(delimiter).slice(1)) {
    if (chunk.startsWith('--')) break;
    const headerEnd = chunk.indexOf('\r\n\r\n');
    const head = chunk.slice(2, headerEnd);
    const content = chunk.slice(headerEnd + 4, chunk.length - 2); // drop the CRLF before the next delimiter
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(head)?.[1] ?? '';
    const name = /\bname="([^"]*)"/.exec(disposition)?.[1];
    const filename = /\bfilename="([^"]*)"/.exec(disposition)?.[1];
    const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1];
    parts.push({ ...(name === undefined ? {} : { name }), ...(filename === undefined ? {} : { filename }), ...(type === undefined ? {} : { contentType: type }), body: content });
  }
  return parts;
}

/** Kibana's answer when everything was imported (SavedObjectsImportResponse). */
export function successAnswer(ndjson: string): Answer {
  const objects = ndjson.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; id: string; attributes: { title: string } });
  return {
    status: 200,
    body: {
      successCount: objects.length,
      success: true,
      warnings: [],
      successResults: objects.map((o) => ({ type: o.type, id: o.id, meta: { title: o.attributes.title, icon: o.type === 'index-pattern' ? 'indexPatternApp' : 'visualizeApp' }, overwrite: true })),
    },
  };
}

/** A partial failure: one object imported, others refused. */
export const PARTIAL_FAILURE: Answer = {
  status: 200,
  body: {
    successCount: 1,
    success: false,
    warnings: [],
    successResults: [{ type: 'index-pattern', id: 'hangwatch-data-view-alerts', meta: { title: 'hangwatch-alerts', icon: 'indexPatternApp' } }],
    errors: [
      { id: 'hangwatch-data-view-events', type: 'index-pattern', title: 'hangwatch-events-*', meta: { title: 'hangwatch-events-*', icon: 'indexPatternApp' }, error: { type: 'conflict' } },
      { id: 'hangwatch-dashboard-guest-hangs', type: 'dashboard', meta: { title: 'hangwatch: Guest hangs', icon: 'dashboardApp' }, error: { type: 'missing_references', references: [{ type: 'lens', id: 'hangwatch-lens-top-diagnoses' }] } },
    ],
  },
};
