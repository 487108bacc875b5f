import { HangwatchError } from '../../shared/errors.js';

// The request of Kibana's import API (POST [/s/<space>]/api/saved_objects/_import?overwrite=true, multipart
// form with a `file` part, `kbn-xsrf` header). Pure: the caller supplies the secrets it read from env or files.

export type Credentials =
  | { readonly kind: 'none' }
  | { readonly kind: 'api-key'; readonly apiKey: string }
  | { readonly kind: 'basic'; readonly user: string; readonly password: string };

/** Kibana space ids: lowercase letters, digits, `_` and `-` (Kibana's spaces API rejects anything else). */
const SPACE_ID = /^[a-z0-9_-]+$/;

export function buildImportUrl(baseUrl: string, space?: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new HangwatchError('HW_USAGE', [`--url is not a URL: ${JSON.stringify(baseUrl)}`]);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new HangwatchError('HW_USAGE', [`--url must be http(s): ${JSON.stringify(baseUrl)}`]);
  // DESIGN.md section 3: secrets never from arguments, and a URL is an argument.
  if (url.username || url.password) throw new HangwatchError('HW_USAGE', ['--url must not carry credentials: use --api-key-file, or --user with HANGWATCH_KIBANA_PASSWORD or --password-file']);
  if (space !== undefined && !SPACE_ID.test(space)) throw new HangwatchError('HW_USAGE', [`--space must be a Kibana space id (a-z, 0-9, _ and -): ${JSON.stringify(space)}`]);
  // Keep a base path (Kibana behind a proxy at /kibana); the default space has no /s/ prefix.
  const base = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  const spacePath = space === undefined || space === 'default' ? '' : `/s/${space}`;
  return `${base}${spacePath}/api/saved_objects/_import?overwrite=true`;
}

export function buildImportHeaders(credentials: Credentials): Record<string, string> {
  const headers: Record<string, string> = { 'kbn-xsrf': 'true' };
  if (credentials.kind === 'api-key') headers.authorization = `ApiKey ${credentials.apiKey}`;
  if (credentials.kind === 'basic') headers.authorization = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`, 'utf8').toString('base64')}`;
  return headers;
}

export function buildImportForm(ndjson: string, fileName: string): FormData {
  const form = new FormData();
  form.append('file', new Blob([ndjson], { type: 'application/ndjson' }), fileName);
  return form;
}
