import { createHash, timingSafeEqual } from 'node:crypto';

// Who may read an export. A timeline holds every event of a guest and its host, so GET /timeline is behind a
// bearer token whenever the service listens beyond loopback. The token travels in the Authorization header; the
// `token` query parameter is accepted only when the operator turned it on, because links (alerts, Kibana) cannot
// send a header but a token in a URL lands in browser history, proxy logs and wherever the link is pasted.
// /healthz, /readyz and /metrics are not exports and stay open (probes and Prometheus scrape without one).

export const TOKEN_QUERY_PARAM = 'token';

/** 32 characters of the alphabet below are 190 bits or more: out of reach of guessing over HTTP. */
export const MIN_TOKEN_LENGTH = 32;

/** URL-unreserved characters: the token goes unchanged into a header, a query string or a shell command. */
const TOKEN_ALPHABET = /^[A-Za-z0-9._~-]+$/;

/** `Bearer <token>`: HTTP auth schemes are case-insensitive, then one or more spaces, then the token. */
const BEARER_HEADER = /^bearer +(\S+) *$/i;

export type TokenVerdict = 'accepted' | 'missing' | 'wrong' | 'not-bearer' | 'query-disabled';

/** What a request presented: its Authorization header and its `token` query parameter, either may be absent. */
export interface PresentedToken {
  readonly authorization?: string | undefined;
  readonly query?: string | undefined;
}

export interface TokenCheckOptions {
  /** Accept the token as the `token` query parameter too (HANGWATCH_TIMELINE_TOKEN_IN_URL). */
  readonly acceptQuery: boolean;
}

/** Why a configured token cannot be used, or undefined when it can. Never repeats the token. */
export function tokenProblem(token: string): string | undefined {
  if (token.length < MIN_TOKEN_LENGTH) return `the token has ${token.length} characters; at least ${MIN_TOKEN_LENGTH} are needed (e.g. openssl rand -hex 32)`;
  if (!TOKEN_ALPHABET.test(token)) return 'the token may hold only A-Z a-z 0-9 . _ ~ - (e.g. openssl rand -hex 32)';
  return undefined;
}

/**
 * The check every export request goes through. Both sides are hashed to SHA-256 before the constant-time
 * comparison: timingSafeEqual needs equal lengths, and comparing digests reveals neither the token's length
 * nor how much of a guess was right. The header wins when both are given: a client is meant to use one method
 * only, and the header is the one that does not leak.
 */
export function createTokenCheck(token: string, options: TokenCheckOptions): (presented: PresentedToken) => TokenVerdict {
  const expected = digest(token);
  return (presented) => {
    if (presented.authorization !== undefined && presented.authorization !== '') {
      const match = BEARER_HEADER.exec(presented.authorization);
      if (!match) return 'not-bearer';
      return timingSafeEqual(digest(match[1]!), expected) ? 'accepted' : 'wrong';
    }
    if (presented.query !== undefined && presented.query !== '') {
      if (!options.acceptQuery) return 'query-disabled';
      return timingSafeEqual(digest(presented.query), expected) ? 'accepted' : 'wrong';
    }
    return 'missing';
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The response text for a refused request: says what to send, never what was expected. */
export function describeRefusal(verdict: Exclude<TokenVerdict, 'accepted'>): string {
  switch (verdict) {
    case 'missing':
      return 'this export needs the timeline token: send Authorization: Bearer <token>';
    case 'not-bearer':
      return 'the Authorization header must be Bearer <token>';
    case 'query-disabled':
      return 'the token query parameter is turned off on this service (HANGWATCH_TIMELINE_TOKEN_IN_URL); send Authorization: Bearer <token>';
    case 'wrong':
      return 'the timeline token is not valid';
  }
}

export interface ExposureSettings {
  /** The token, or undefined when none is configured. */
  readonly token: string | undefined;
  /** True when HANGWATCH_TIMELINE_TOKEN_FILE names a file (an empty file is then a mistake, not a choice). */
  readonly tokenFileNamed: boolean;
  readonly tokenInUrl: boolean;
  readonly allowAnonymous: boolean;
  readonly httpHost: string;
}

export interface ExposureReport {
  /** Stop the service: configuration problems, reported together. */
  readonly problems: readonly string[];
  /** Start, and say so at start. */
  readonly warnings: readonly string[];
}

/**
 * Whether the service may start with these settings. Without a token it serves loopback only, unless the
 * operator says a proxy in front authenticates (ALLOW_ANONYMOUS); either way it warns at start.
 */
export function checkExposure(settings: ExposureSettings): ExposureReport {
  const problems: string[] = [];
  const warnings: string[] = [];
  if (settings.token !== undefined) {
    const problem = tokenProblem(settings.token);
    if (problem) problems.push(`HANGWATCH_TIMELINE_TOKEN: ${problem}`);
    return { problems, warnings };
  }
  if (settings.tokenFileNamed) problems.push('HANGWATCH_TIMELINE_TOKEN_FILE: the file is empty; write the token into it (e.g. openssl rand -hex 32)');
  if (settings.tokenInUrl) problems.push('HANGWATCH_TIMELINE_TOKEN_IN_URL=true needs a token (HANGWATCH_TIMELINE_TOKEN_FILE)');
  if (isLoopbackHost(settings.httpHost)) {
    warnings.push(`no timeline token: GET /timeline answers anyone who can connect to ${settings.httpHost}; set HANGWATCH_TIMELINE_TOKEN_FILE`);
  } else if (settings.allowAnonymous) {
    warnings.push(`no timeline token and HTTP_HOST ${settings.httpHost}: exports are open to the network (HANGWATCH_TIMELINE_ALLOW_ANONYMOUS=true); only safe behind a proxy that authenticates`);
  } else {
    problems.push(
      `HANGWATCH_TIMELINE_HTTP_HOST=${settings.httpHost} without a token would serve every timeline to the network: set HANGWATCH_TIMELINE_TOKEN_FILE, ` +
        'or listen on 127.0.0.1, or set HANGWATCH_TIMELINE_ALLOW_ANONYMOUS=true behind a proxy that authenticates',
    );
  }
  return { problems, warnings };
}

/** Addresses only this machine can reach: the IPv4 and IPv6 loopback, by address or by name. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h) || /^::ffff:127(?:\.\d{1,3}){3}$/.test(h);
}
