import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildNdjson } from '../../../kibana/build-ndjson.js';
import { importSavedObjects } from '../../../kibana/src/import-saved-objects.js';
import { PARTIAL_FAILURE, startFakeKibana, successAnswer, type RecordedRequest } from './fake-kibana.js';

// `hangwatch kibana import` against a local server that checks the request as Kibana's import API documents
// it: POST [/s/<space>]/api/saved_objects/_import?overwrite=true, kbn-xsrf, multipart `file` part, auth.

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'hangwatch.js');
const NDJSON = buildNdjson().ndjson;
const OBJECT_COUNT = NDJSON.trimEnd().split('\n').length;

function hangwatch(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  // Asynchronous: the fake Kibana runs in this process and must keep answering while the CLI waits.
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'kibana', ...args], { env: { ...process.env, HANGWATCH_KIBANA_PASSWORD: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function assertKibanaRequest(r: RecordedRequest, path: string): void {
  assert.equal(r.method, 'POST');
  assert.equal(r.path, path);
  assert.deepEqual([...r.query], [['overwrite', 'true']]);
  assert.equal(r.headers['kbn-xsrf'], 'true');
  assert.match(String(r.headers['content-type']), /^multipart\/form-data; boundary=/);
  assert.equal(r.parts.length, 1);
  const [part] = r.parts;
  assert.equal(part?.name, 'file');
  assert.equal(part?.filename, 'hangwatch.ndjson');
  assert.equal(part?.body, NDJSON);
}

function tempFile(name: string, content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'hw-kibana-')), name);
  writeFileSync(path, content);
  return path;
}

test('imports into the default space with an API key read from a file', async () => {
  const kibana = await startFakeKibana((r) => successAnswer(r.parts[0]?.body ?? ''));
  try {
    const keyFile = tempFile('api-key', 'c2VjcmV0LWtleQ==\n');
    const run = await hangwatch(['import', '--url', `${kibana.url}/`, '--api-key-file', keyFile]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(kibana.requests.length, 1);
    const [request] = kibana.requests;
    assertKibanaRequest(request as RecordedRequest, '/api/saved_objects/_import');
    assert.equal(request?.headers.authorization, 'ApiKey c2VjcmV0LWtleQ==');
    assert.match(run.stderr, new RegExp(`imported ${OBJECT_COUNT} saved objects`));
    assert.equal(run.stdout, '');
    assert.doesNotMatch(run.stderr, /c2VjcmV0/, 'the key is never printed');
  } finally {
    await kibana.close();
  }
});

test('imports into a space behind a base path with basic auth, the password from the environment', async () => {
  const kibana = await startFakeKibana((r) => successAnswer(r.parts[0]?.body ?? ''));
  try {
    const run = await hangwatch(['import', '--url', `${kibana.url}/kibana`, '--space', 'ops-team', '--user', 'elastic'], { HANGWATCH_KIBANA_PASSWORD: 'pa:ss wörd' });
    assert.equal(run.status, 0, run.stderr);
    const [request] = kibana.requests;
    assertKibanaRequest(request as RecordedRequest, '/kibana/s/ops-team/api/saved_objects/_import');
    assert.equal(request?.headers.authorization, `Basic ${Buffer.from('elastic:pa:ss wörd').toString('base64')}`);
  } finally {
    await kibana.close();
  }
});

test('a --password-file wins over nothing and loses its trailing newline', async () => {
  const kibana = await startFakeKibana((r) => successAnswer(r.parts[0]?.body ?? ''));
  try {
    const run = await hangwatch(['import', '--url', kibana.url, '--user', 'hw', '--password-file', tempFile('pw', 's3cret\n')]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(kibana.requests[0]?.headers.authorization, `Basic ${Buffer.from('hw:s3cret').toString('base64')}`);
  } finally {
    await kibana.close();
  }
});

test('success: false is a failure that lists type, id, title and error type of each object', async () => {
  const kibana = await startFakeKibana(() => PARTIAL_FAILURE);
  try {
    const run = await hangwatch(['import', '--url', kibana.url]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /HW_KIBANA_IMPORT_FAILED: Kibana import failed: 2 object\(s\) failed, 1 imported/);
    assert.match(run.stderr, /index-pattern hangwatch-data-view-events "hangwatch-events-\*": conflict/);
    assert.match(run.stderr, /dashboard hangwatch-dashboard-guest-hangs "hangwatch: Guest hangs": missing_references \(missing lens\/hangwatch-lens-top-diagnoses\)/);
    assert.equal(kibana.requests[0]?.headers.authorization, undefined);
  } finally {
    await kibana.close();
  }
});

test('an HTTP error (401) fails with Kibana\'s message', async () => {
  const kibana = await startFakeKibana(() => ({ status: 401, body: { statusCode: 401, error: 'Unauthorized', message: '[security_exception] unable to authenticate user' } }));
  try {
    const run = await hangwatch(['import', '--url', kibana.url, '--user', 'elastic'], { HANGWATCH_KIBANA_PASSWORD: 'wrong' });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /HTTP 401: \[security_exception\] unable to authenticate user/);
    assert.doesNotMatch(run.stderr, /wrong/);
  } finally {
    await kibana.close();
  }
});

test('an unreachable Kibana exits 1 with HW_KIBANA_UNAVAILABLE', async () => {
  const port = await freePort();
  const run = await hangwatch(['import', '--url', `http://127.0.0.1:${port}`]);
  assert.equal(run.status, 1);
  assert.match(run.stderr, new RegExp(`HW_KIBANA_UNAVAILABLE: Kibana unreachable at http://127.0.0.1:${port}/api/saved_objects/_import: ECONNREFUSED`));
});

test('with a wait, a Kibana that is not ready yet (503) is asked again', async () => {
  const kibana = await startFakeKibana((r, i) => (i === 0 ? { status: 503, body: 'Kibana server is not ready yet' } : successAnswer(r.parts[0]?.body ?? '')));
  const retries: string[] = [];
  try {
    const report = await importSavedObjects({ baseUrl: kibana.url, credentials: { kind: 'none' }, ndjson: NDJSON, waitSeconds: 30, onRetry: (reason) => retries.push(reason) });
    assert.equal(report.successCount, OBJECT_COUNT);
    assert.equal(kibana.requests.length, 2);
    assert.deepEqual(retries, ['HTTP 503: Kibana server is not ready yet']);
    for (const r of kibana.requests) assertKibanaRequest(r, '/api/saved_objects/_import');
  } finally {
    await kibana.close();
  }
});

test('without a wait, 503 is final', async () => {
  const kibana = await startFakeKibana(() => ({ status: 503, body: 'Kibana server is not ready yet' }));
  try {
    await assert.rejects(importSavedObjects({ baseUrl: kibana.url, credentials: { kind: 'none' }, ndjson: NDJSON }), { code: 'HW_KIBANA_UNAVAILABLE' });
    assert.equal(kibana.requests.length, 1);
  } finally {
    await kibana.close();
  }
});

test('usage errors exit 2 before any request: secrets only from env or files, valid space ids', async () => {
  const kibana = await startFakeKibana((r) => successAnswer(r.parts[0]?.body ?? ''));
  try {
    const cases: string[][] = [
      ['import'],
      ['import', '--url', kibana.url, '--user', 'elastic'],
      ['import', '--url', kibana.url, '--user', 'elastic', '--api-key-file', '/dev/null'],
      ['import', '--url', kibana.url, '--space', '../api'],
      ['import', '--url', kibana.url.replace('http://', 'http://elastic:pw@')],
      ['import', '--url', kibana.url, '--password', 'x'],
      ['import', '--url', kibana.url, '--timeline-url', 'javascript:alert(1)'],
      ['export'],
    ];
    for (const args of cases) {
      const run = await hangwatch(args);
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    }
    assert.equal(kibana.requests.length, 0);
  } finally {
    await kibana.close();
  }
});

test('an unreadable key file exits 1 without a request', async () => {
  const run = await hangwatch(['import', '--url', 'http://127.0.0.1:9', '--api-key-file', '/nonexistent/key']);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /HW_INPUT_UNREADABLE/);
});

test('kibana build --out - writes the ndjson to stdout; --timeline-url changes the incident links', async () => {
  const plain = await hangwatch(['build', '--out', '-']);
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal(plain.stdout, NDJSON);
  const moved = await hangwatch(['build', '--out', '-', '--timeline-url', 'https://tl.example']);
  assert.match(moved.stdout, /https:\/\/tl\.example\/timeline\?incident=\{\{value\}\}&format=html/);
  assert.doesNotMatch(moved.stdout, /localhost:8790/);
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
