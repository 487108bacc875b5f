import { HangwatchError } from '../../shared/errors.js';
import { buildImportForm, buildImportHeaders, buildImportUrl, type Credentials } from './import-request.js';
import { describeFailures, interpretImportResponse } from './import-result.js';

// The one I/O of `hangwatch kibana import`: POST the ndjson to Kibana, waiting for it to come up when asked
// (a compose setup job starts with Kibana). Only "not reachable" and 503 ("Kibana server is not ready yet")
// are waited out; any other answer is final.

export interface ImportOptions {
  readonly baseUrl: string;
  readonly space?: string;
  readonly credentials: Credentials;
  readonly ndjson: string;
  readonly fileName?: string;
  /** How long to keep retrying while Kibana is unreachable or not ready; 0: one attempt. */
  readonly waitSeconds?: number;
  readonly requestTimeoutMs?: number;
  readonly onRetry?: (reason: string, delayMs: number) => void;
}

export interface ImportReport {
  readonly url: string;
  readonly successCount: number;
  readonly warnings: string[];
}

export async function importSavedObjects(options: ImportOptions): Promise<ImportReport> {
  const url = buildImportUrl(options.baseUrl, options.space);
  const headers = buildImportHeaders(options.credentials);
  const deadline = performance.now() + (options.waitSeconds ?? 0) * 1000;
  let delayMs = 1000;
  for (;;) {
    const attempt = await postOnce(url, headers, options);
    if (attempt.kind === 'answer') {
      const outcome = interpretImportResponse(attempt.status, attempt.body);
      if (outcome.ok) return { url: withoutQuery(url), successCount: outcome.successCount, warnings: outcome.warnings };
      const lines = describeFailures(outcome.failures).map((l) => `\n  ${l}`).join('');
      throw new HangwatchError('HW_KIBANA_IMPORT_FAILED', [`${outcome.summary}${lines}`]);
    }
    if (performance.now() + delayMs > deadline) throw new HangwatchError('HW_KIBANA_UNAVAILABLE', [withoutQuery(url), attempt.reason]);
    options.onRetry?.(attempt.reason, delayMs);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(delayMs * 2, 10_000);
  }
}

type Attempt = { kind: 'answer'; status: number; body: string } | { kind: 'unavailable'; reason: string };

async function postOnce(url: string, headers: Record<string, string>, options: ImportOptions): Promise<Attempt> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers,
      // A new form per attempt: a body stream is consumed by the first request.
      body: buildImportForm(options.ndjson, options.fileName ?? 'hangwatch.ndjson'),
      signal: AbortSignal.timeout(options.requestTimeoutMs ?? 120_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { kind: 'unavailable', reason: cause?.code ?? cause?.message ?? (error as Error).message };
  }
  const body = await response.text();
  if (response.status === 503) return { kind: 'unavailable', reason: `HTTP 503: ${body.slice(0, 200).trim()}` };
  return { kind: 'answer', status: response.status, body };
}

function withoutQuery(url: string): string {
  return url.replace(/\?.*$/, '');
}
