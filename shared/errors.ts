// One catalogue of stable, greppable error codes (fastify's lib/errors.js habit). Each says whether a retry
// can help (kafkajs's src/errors.js habit). Messages are templates filled with %s in order.

export const ERROR_CATALOGUE = {
  HW_CONFIG_INVALID: { retriable: false, template: 'invalid configuration:\n%s' },
  HW_INPUT_UNREADABLE: { retriable: false, template: 'cannot read input %s: %s' },
  HW_PARSE_NO_MATCH: { retriable: false, template: 'no grammar accepted the record: %s' },
  HW_PARSE_AMBIGUOUS: { retriable: false, template: 'ambiguous parse (%s results): grammar bug' },
  HW_PARSE_UNKNOWN_FORMAT: { retriable: false, template: 'unknown format: %s' },
  HW_RECORD_TOO_LARGE: { retriable: false, template: 'record of %s bytes exceeds the limit of %s bytes' },
  HW_RECORD_INVALID: { retriable: false, template: 'invalid record: %s' },
  HW_XML_FORBIDDEN: { retriable: false, template: 'XML refused: %s' },
  HW_XML_MALFORMED: { retriable: false, template: 'malformed XML: %s' },
  HW_JSON_MALFORMED: { retriable: false, template: 'malformed JSON: %s' },
  HW_TIME_INVALID: { retriable: false, template: 'invalid time: %s' },
  HW_EVTX_DAMAGED: { retriable: false, template: 'damaged EVTX %s: %s' },
  HW_DUMP_INVALID: { retriable: false, template: 'invalid crash dump: %s' },
  HW_SCHEMA_INVALID: { retriable: false, template: 'event does not match the schema: %s' },
  HW_KAFKA_UNAVAILABLE: { retriable: true, template: 'Kafka unreachable at %s: %s' },
  HW_ES_UNAVAILABLE: { retriable: true, template: 'Elasticsearch unreachable at %s: %s' },
  HW_ES_REJECTED: { retriable: false, template: 'Elasticsearch rejected the document: %s' },
  HW_ES_THROTTLED: { retriable: true, template: 'Elasticsearch throttled the request (429): %s' },
  HW_STACK_PORT_TAKEN: { retriable: false, template: 'port %s is already taken by another process; %s' },
  HW_STACK_START_FAILED: { retriable: false, template: '%s failed to start: %s' },
  HW_STATE_WRITE_FAILED: { retriable: true, template: 'cannot write state to %s: %s' },
  HW_RULE_INVALID: { retriable: false, template: 'invalid rule in %s: %s' },
  HW_WEBHOOK_FAILED: { retriable: true, template: 'webhook %s failed: %s' },
  HW_KIBANA_IMPORT_FAILED: { retriable: false, template: 'Kibana import failed: %s' },
  HW_KIBANA_UNAVAILABLE: { retriable: true, template: 'Kibana unreachable at %s: %s' },
  HW_USAGE: { retriable: false, template: '%s' },
  HW_NOT_FOUND: { retriable: false, template: '%s not found: %s' },
  // A request without the credential a service requires (the timeline's bearer token): the caller must fix it.
  HW_UNAUTHORIZED: { retriable: false, template: 'unauthorized: %s' },
  HW_INTERNAL: { retriable: false, template: 'internal error: %s' },
} as const satisfies Record<string, { retriable: boolean; template: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export class HangwatchError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;

  constructor(code: ErrorCode, args: readonly (string | number)[] = [], options?: { cause?: unknown }) {
    super(formatTemplate(ERROR_CATALOGUE[code].template, args), options);
    this.name = 'HangwatchError';
    this.code = code;
    this.retriable = ERROR_CATALOGUE[code].retriable;
  }
}

function formatTemplate(template: string, args: readonly (string | number)[]): string {
  let i = 0;
  return template.replace(/%s/g, () => (i < args.length ? redactUserinfo(String(args[i++])) : '?'));
}

/**
 * `https://user:password@host` in any argument (an Elasticsearch URL given with its credentials, a client error
 * that repeats it) loses its user info: every message of the catalogue may be printed or logged.
 */
function redactUserinfo(text: string): string {
  return text.replace(/(\/\/)[^/@\s]+@/g, '$1[redacted]@');
}

export function isRetriable(error: unknown): boolean {
  return error instanceof HangwatchError ? error.retriable : false;
}

/** The error code of anything thrown, for dead letters and logs. */
export function codeOf(error: unknown): ErrorCode {
  return error instanceof HangwatchError ? error.code : 'HW_INTERNAL';
}
