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

export type { Logger };
