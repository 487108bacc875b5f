import type { CommonConfig } from '../config.js';
import type { Logger } from '../logger.js';

// Credentials that travel in clear text are a configuration an operator should hear about once, at start: SASL
// PLAIN sends the password as is (SCRAM does not, but the records still cross the network unencrypted), and an
// Elasticsearch API key or password over http:// is readable by anyone on the path (a guest on a bridged network
// included). Said as warnings, not refusals: a loopback-only lab setup is legitimate.

export function listTransportWarnings(config: CommonConfig): string[] {
  const warnings: string[] = [];
  const kafkaTls = Boolean(config.KAFKA_SSL || config.KAFKA_SSL_CA_FILE || config.KAFKA_SSL_CERT_FILE);
  if (config.KAFKA_SASL_MECHANISM === 'plain' && !kafkaTls) {
    warnings.push('Kafka SASL PLAIN without TLS: the password crosses the network in clear text; set HANGWATCH_KAFKA_SSL=true (and HANGWATCH_KAFKA_SSL_CA_FILE) or use SCRAM over TLS');
  } else if (config.KAFKA_SASL_MECHANISM !== 'none' && !kafkaTls) {
    warnings.push(`Kafka SASL ${config.KAFKA_SASL_MECHANISM.toUpperCase()} without TLS: records cross the network unencrypted; set HANGWATCH_KAFKA_SSL=true`);
  }
  let esUrl: URL | undefined;
  try {
    esUrl = new URL(config.ES_URL);
  } catch {
    esUrl = undefined;
  }
  if (esUrl?.protocol === 'http:' && (config.ES_API_KEY || config.ES_USERNAME || esUrl.username)) {
    warnings.push('Elasticsearch credentials over plain http://: the API key or password is readable on the network; use an https:// HANGWATCH_ES_URL (and HANGWATCH_ES_CA_FILE)');
  }
  if (esUrl?.username || esUrl?.password) {
    warnings.push('credentials inside HANGWATCH_ES_URL: prefer HANGWATCH_ES_API_KEY or HANGWATCH_ES_USERNAME / HANGWATCH_ES_PASSWORD (they are never logged)');
  }
  return warnings;
}

const warned = new Set<string>();

/** Logs each warning once per process (several clients are built from one config). */
export function warnAboutTransport(config: CommonConfig, logger: Logger): void {
  for (const warning of listTransportWarnings(config)) {
    if (warned.has(warning)) continue;
    warned.add(warning);
    logger.warn(warning);
  }
}
