// What Kibana's import API answered, for a person (Kibana's SavedObjectsImportResponse:
// src/core/packages/saved-objects/common/src/saved_objects_imports.ts). HTTP 200 with `success: false` is a
// partial failure: the objects listed in `errors` were not imported, the others were.

export interface ImportFailure {
  readonly type: string;
  readonly id: string;
  readonly title?: string;
  readonly errorType: string;
  readonly detail?: string;
}

export type ImportOutcome =
  | { readonly ok: true; readonly successCount: number; readonly warnings: string[] }
  | { readonly ok: false; readonly successCount: number; readonly failures: ImportFailure[]; readonly warnings: string[]; readonly summary: string };

interface ResponseBody {
  success?: unknown;
  successCount?: unknown;
  errors?: unknown;
  warnings?: unknown;
  message?: unknown;
  error?: unknown;
}

export function interpretImportResponse(status: number, bodyText: string): ImportOutcome {
  let body: ResponseBody | undefined;
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as ResponseBody;
  } catch {
    body = undefined;
  }
  if (status < 200 || status >= 300 || !body) {
    const reason = body && typeof body.message === 'string' ? body.message : bodyText.slice(0, 500).trim() || '(empty body)';
    return { ok: false, successCount: 0, failures: [], warnings: [], summary: `HTTP ${status}: ${reason}` };
  }
  const successCount = typeof body.successCount === 'number' ? body.successCount : 0;
  const warnings = Array.isArray(body.warnings) ? body.warnings.map(describeWarning) : [];
  if (body.success === true) return { ok: true, successCount, warnings };
  const failures = Array.isArray(body.errors) ? body.errors.map(readFailure) : [];
  const summary = body.success === false
    ? `${failures.length} object(s) failed, ${successCount} imported`
    : `unexpected answer (no "success" field): ${bodyText.slice(0, 200)}`;
  return { ok: false, successCount, failures, warnings, summary };
}

function readFailure(item: unknown): ImportFailure {
  const o = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
  const meta = (o.meta && typeof o.meta === 'object' ? o.meta : {}) as Record<string, unknown>;
  const error = (o.error && typeof o.error === 'object' ? o.error : {}) as Record<string, unknown>;
  // `title` moved into `meta` in 7.x; older answers still carry it at the top.
  const title = typeof meta.title === 'string' ? meta.title : typeof o.title === 'string' ? o.title : undefined;
  return {
    type: String(o.type ?? '?'),
    id: String(o.id ?? '?'),
    ...(title === undefined ? {} : { title }),
    errorType: String(error.type ?? 'unknown'),
    ...(describeErrorDetail(error) ?? {}),
  };
}

function describeErrorDetail(error: Record<string, unknown>): { detail: string } | undefined {
  if (error.type === 'missing_references' && Array.isArray(error.references)) {
    const refs = error.references.map((r) => { const x = r as Record<string, unknown>; return `${String(x.type)}/${String(x.id)}`; });
    return { detail: `missing ${refs.join(', ')}` };
  }
  if (error.type === 'unknown' && typeof error.message === 'string') return { detail: error.message };
  if (error.type === 'conflict' && typeof error.destinationId === 'string') return { detail: `destination ${error.destinationId}` };
  return undefined;
}

function describeWarning(w: unknown): string {
  const o = (w && typeof w === 'object' ? w : {}) as Record<string, unknown>;
  return typeof o.message === 'string' ? o.message : JSON.stringify(w);
}

/** One line per failed object: `type id "title": error.type (detail)`. */
export function describeFailures(failures: readonly ImportFailure[]): string[] {
  return failures.map((f) => `${f.type} ${f.id}${f.title === undefined ? '' : ` ${JSON.stringify(f.title)}`}: ${f.errorType}${f.detail ? ` (${f.detail})` : ''}`);
}
