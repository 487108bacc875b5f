import type { ConfigOf, ConfigSchema } from '../../shared/config.js';
import { INDICES } from '../../shared/topics.js';

// The timeline service's settings: HANGWATCH_TIMELINE_<NAME> (Elasticsearch connection from COMMON_SCHEMA). Who may
// read an export (TOKEN, TOKEN_IN_URL, ALLOW_ANONYMOUS) is decided by core/export-access.ts.
// `hangwatch timeline --source es` reads the same index settings, so a test can point both at its own indices.

export const TIMELINE_PREFIX = 'TIMELINE';

export const TIMELINE_SCHEMA = {
  HTTP_PORT: { kind: 'int', default: '8790', min: 0, max: 65535, description: 'Port of GET /timeline, /healthz, /readyz, /metrics (0: any free port)' },
  HTTP_HOST: {
    kind: 'string',
    default: '127.0.0.1',
    description: 'Address the HTTP endpoints listen on (0.0.0.0 in containers); an address beyond loopback needs TOKEN (or ALLOW_ANONYMOUS)',
  },
  TOKEN: {
    kind: 'secret',
    description:
      'Bearer token every GET /timeline must carry (Authorization: Bearer), at least 32 of A-Z a-z 0-9 . _ ~ -, or HANGWATCH_TIMELINE_TOKEN_FILE; ' +
      'unset: no authentication, loopback only, a warning at start; /healthz, /readyz and /metrics stay open',
  },
  TOKEN_IN_URL: {
    kind: 'bool',
    default: 'false',
    description: 'Also accept the token as the token query parameter, for links that cannot send a header (the token then shows in browser history, proxy logs and pasted links)',
  },
  ALLOW_ANONYMOUS: { kind: 'bool', default: 'false', description: 'Serve exports without a token on an HTTP_HOST beyond loopback (only behind a proxy that authenticates)' },
  EVENTS_INDEX: { kind: 'string', default: INDICES.eventsPattern, description: 'Events index, alias or pattern to read' },
  INCIDENTS_INDEX: { kind: 'string', default: INDICES.incidents, description: 'Incidents index' },
  ALERTS_INDEX: { kind: 'string', default: INDICES.alerts, description: 'Alerts index' },
  PAGE_SIZE: { kind: 'int', default: '1000', min: 1, max: 10000, description: 'Events per search_after page' },
  PIT_KEEP_ALIVE_S: { kind: 'int', default: '60', min: 5, max: 3600, description: 'Point-in-time keep-alive between pages, seconds' },
  DEFAULT_TZ: { kind: 'string', default: 'UTC', description: 'Zone for times when the request names none (IANA name or offset)' },
} as const satisfies ConfigSchema;

export type TimelineConfig = ConfigOf<typeof TIMELINE_SCHEMA>;
