import type { ConnectionOptions } from 'node:tls';
import { Client, type ClientOptions } from '@elastic/elasticsearch';
import type { CommonConfig } from '../config.js';
import { HangwatchError } from '../errors.js';
import { readPemFile } from './pem.js';
import type { Logger } from '../logger.js';
import { warnAboutTransport } from './transport-warnings.js';

// Elasticsearch client factory. The client's major version equals the server's (8.x, DESIGN.md section 8).

export function buildEsOptions(config: CommonConfig): ClientOptions {
  const options: ClientOptions = {
    node: config.ES_URL,
    requestTimeout: 30_000,
    maxRetries: 0, // retries are decided by our own policy (indexer core), not hidden in the transport
    compression: false,
  };
  if (config.ES_API_KEY) options.auth = { apiKey: config.ES_API_KEY };
  else if (config.ES_USERNAME) options.auth = { username: config.ES_USERNAME, password: config.ES_PASSWORD ?? '' };
  if (Boolean(config.ES_CERT_FILE) !== Boolean(config.ES_KEY_FILE)) {
    throw new HangwatchError('HW_CONFIG_INVALID', ['  - HANGWATCH_ES_CERT_FILE and HANGWATCH_ES_KEY_FILE go together (mutual TLS needs both)']);
  }
  const tls: ConnectionOptions = {};
  if (config.ES_CA_FILE) tls.ca = readPemFile('HANGWATCH_ES_CA_FILE', config.ES_CA_FILE);
  if (config.ES_CERT_FILE) tls.cert = readPemFile('HANGWATCH_ES_CERT_FILE', config.ES_CERT_FILE);
  if (config.ES_KEY_FILE) tls.key = readPemFile('HANGWATCH_ES_KEY_FILE', config.ES_KEY_FILE);
  if (Object.keys(tls).length > 0) options.tls = tls;
  return options;
}

export function createElasticsearch(config: CommonConfig, logger?: Logger): Client {
  if (logger) warnAboutTransport(config, logger);
  return new Client(buildEsOptions(config));
}
