import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type ConnectionOptions } from 'node:tls';
import { test } from 'node:test';
import { COMMON_SCHEMA, loadConfig } from '../../../shared/config.js';
import { buildEsOptions } from '../../../shared/clients/elasticsearch.js';
import { buildKafkaConfig } from '../../../shared/clients/kafka.js';
import { HangwatchError } from '../../../shared/errors.js';

// The TLS file settings reach the clients (a real handshake with a private CA and a client certificate), and
// wrong combinations or unreadable files are configuration errors that name the variable, never the content.

const dir = mkdtempSync(join(tmpdir(), 'hw-tls-'));
const path = (name: string): string => join(dir, name);

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

// A private CA, a server certificate for 127.0.0.1 and a client certificate, both signed by it.
openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=hangwatch-test-ca', '-keyout', path('ca.key'), '-out', path('ca.pem'));
for (const who of ['server', 'client']) {
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${who}`, '-keyout', path(`${who}.key`), '-out', path(`${who}.csr`));
  writeFileSync(path(`${who}.ext`), who === 'server' ? 'subjectAltName=IP:127.0.0.1\n' : 'extendedKeyUsage=clientAuth\n');
  openssl('x509', '-req', '-in', path(`${who}.csr`), '-CA', path('ca.pem'), '-CAkey', path('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', path(`${who}.ext`), '-out', path(`${who}.pem`));
}

const common = (env: Record<string, string>) => loadConfig('', COMMON_SCHEMA, env);

/** Handshakes with a server that requires a client certificate signed by the CA; resolves the error or null. */
async function handshake(options: ConnectionOptions): Promise<Error | null> {
  const server = createServer({
    key: readFileSync(path('server.key')),
    cert: readFileSync(path('server.pem')),
    ca: readFileSync(path('ca.pem')),
    requestCert: true,
    rejectUnauthorized: true,
  }, (socket) => socket.end('ok'));
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    return await new Promise<Error | null>((resolve) => {
      const socket = connect({ ...options, host: '127.0.0.1', port, servername: undefined }, () => undefined);
      socket.on('data', () => {
        socket.end();
        resolve(null);
      });
      socket.on('error', (error) => resolve(error));
    });
  } finally {
    await new Promise((r) => server.close(r));
  }
}

test('Kafka TLS: CA, client certificate and key files give a verified mutual TLS handshake', async () => {
  const config = buildKafkaConfig(
    common({ HANGWATCH_KAFKA_SSL_CA_FILE: path('ca.pem'), HANGWATCH_KAFKA_SSL_CERT_FILE: path('client.pem'), HANGWATCH_KAFKA_SSL_KEY_FILE: path('client.key') }),
    'test',
  );
  assert.equal(typeof config.ssl, 'object', 'the files turn TLS on without HANGWATCH_KAFKA_SSL');
  assert.equal(await handshake(config.ssl as ConnectionOptions), null);
  // Without the CA the server's certificate is not trusted; without the client certificate the server refuses.
  const noCa = buildKafkaConfig(common({ HANGWATCH_KAFKA_SSL_CERT_FILE: path('client.pem'), HANGWATCH_KAFKA_SSL_KEY_FILE: path('client.key') }), 'test');
  assert.match(String(await handshake(noCa.ssl as ConnectionOptions)), /self.signed|unable to (get|verify)/i);
  const noCert = buildKafkaConfig(common({ HANGWATCH_KAFKA_SSL_CA_FILE: path('ca.pem') }), 'test');
  assert.notEqual(await handshake(noCert.ssl as ConnectionOptions), null);
});

test('Kafka TLS: off by default, `true` with HANGWATCH_KAFKA_SSL alone', () => {
  assert.equal(buildKafkaConfig(common({}), 'test').ssl, undefined);
  assert.equal(buildKafkaConfig(common({ HANGWATCH_KAFKA_SSL: 'true' }), 'test').ssl, true);
});

test('Elasticsearch TLS: CA, client certificate and key files give a verified mutual TLS handshake', async () => {
  const options = buildEsOptions(common({ HANGWATCH_ES_URL: 'https://127.0.0.1:9200', HANGWATCH_ES_CA_FILE: path('ca.pem'), HANGWATCH_ES_CERT_FILE: path('client.pem'), HANGWATCH_ES_KEY_FILE: path('client.key') }));
  assert.equal(await handshake(options.tls as ConnectionOptions), null);
});

test('TLS settings: half a key pair, a missing file or a non-PEM file is a configuration error naming the variable only', () => {
  const secret = 'not-a-pem-but-a-secret-4f1c';
  writeFileSync(path('wrong.txt'), secret);
  const cases: Array<[() => unknown, RegExp]> = [
    [() => buildKafkaConfig(common({ HANGWATCH_KAFKA_SSL_CERT_FILE: path('client.pem') }), 't'), /HANGWATCH_KAFKA_SSL_KEY_FILE go together/],
    [() => buildEsOptions(common({ HANGWATCH_ES_KEY_FILE: path('client.key') })), /HANGWATCH_ES_CERT_FILE and HANGWATCH_ES_KEY_FILE/],
    [() => buildKafkaConfig(common({ HANGWATCH_KAFKA_SSL_CA_FILE: path('missing.pem') }), 't'), /HANGWATCH_KAFKA_SSL_CA_FILE=.*missing\.pem: cannot read it \(ENOENT\)/],
    [() => buildEsOptions(common({ HANGWATCH_ES_CA_FILE: path('wrong.txt') })), /HANGWATCH_ES_CA_FILE=.*not a PEM file/],
  ];
  for (const [build, message] of cases) {
    assert.throws(build, (error: unknown) => {
      assert.ok(error instanceof HangwatchError);
      assert.equal(error.code, 'HW_CONFIG_INVALID');
      assert.match(error.message, message);
      assert.ok(!error.message.includes(secret), 'the file content is not in the message');
      return true;
    });
  }
});
