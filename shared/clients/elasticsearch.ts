import { readFileSync } from 'node:fs';
import { Client, type ClientOptions } from '@elastic/elasticsearch';
import type { CommonConfig } from '../config.js';

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
  if (config.ES_CA_FILE) options.tls = { ca: readFileSync(config.ES_CA_FILE, 'utf8') };
  return options;
}

export function createElasticsearch(config: CommonConfig): Client {
  return new Client(buildEsOptions(config));
}
