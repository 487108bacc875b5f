// The environment of a program the shipper runs (journalctl for a journald input, a `command` input's program).
// The shipper's own environment holds its secrets (HANGWATCH_KAFKA_SASL_PASSWORD, HANGWATCH_ES_API_KEY, webhook
// URLs) and none of them is the child's business: a child gets only what locates programs and sets the locale
// and zone, plus what the input sets. Pure: the parent environment is passed in.

const INHERITED = new Set(['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR', 'XDG_RUNTIME_DIR']);

export function buildChildEnv(parent: Readonly<Record<string, string | undefined>>, set: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined) continue;
    if (INHERITED.has(name) || name.startsWith('LC_')) env[name] = value;
  }
  return { ...env, ...set };
}
