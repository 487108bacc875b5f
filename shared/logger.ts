import { createHash } from 'node:crypto';
import { pino, type Logger, type DestinationStream } from 'pino';

// One pino logger per process, children per component or batch (never per event, never from untrusted objects).
// Logs go to stderr: stdout is for data (DESIGN.md section 3, CLI conventions).

export const REDACT_PATHS = [
  'password',
  'apiKey',
  'api_key',
  'secret',
  'token',
  'authorization',
  '*.password',
  '*.apiKey',
  '*.api_key',
  '*.secret',
  '*.token',
  '*.authorization',
  'headers.authorization',
  'headers["x-hangwatch-secret"]',
  'sasl.password',
  'auth.apiKey',
  'auth.password',
];

export interface LoggerOptions {
  readonly name: string;
  readonly level?: string;
  readonly destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? process.env.HANGWATCH_LOG_LEVEL ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: options.name },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ fd: 2, sync: false }),
  );
}

/** Strips credentials from a URL before it is logged or put in an error message. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@\s]+@/, '//[redacted]@');
}

/**
 * A webhook URL as it may appear in a log line or a metric label. Slack, Teams and most chat webhooks carry their
 * token in the path or the query (`https://hooks.slack.com/services/T0/B0/XXXX`), so only the scheme and host are
 * kept, with a short hash of the whole URL to tell two webhooks of one host apart.
 */
export function webhookLabel(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `invalid-url#${createHash('sha256').update(url).digest('hex').slice(0, 8)}`;
  }
  const hidden = parsed.pathname.length > 1 || parsed.search !== '' || parsed.username !== '' || parsed.password !== '';
  return `${parsed.protocol}//${parsed.host}${hidden ? '/…' : ''}#${createHash('sha256').update(url).digest('hex').slice(0, 8)}`;
}

export type { Logger };
