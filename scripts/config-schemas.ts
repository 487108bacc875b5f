import { COMMON_SCHEMA, envName, type ConfigSchema } from '../shared/config.js';
import { ALERTER_SCHEMA } from '../services/alerter/config.js';
import { CORRELATOR_SCHEMA } from '../services/correlator/config.js';
import { INDEXER_SCHEMA } from '../services/indexer/config.js';
import { PARSER_SCHEMA } from '../services/parser/config.js';
import { TIMELINE_SCHEMA } from '../services/timeline/config.js';
import { envNameOf, INPUT_FIELDS, SHIPPER_SETTINGS, type FieldSpec } from '../services/shipper/core/file-config.js';

// Every service's config schema with its env prefix: the source of README's configuration reference and of
// the check that docker-compose.yml sets only variables some service knows.

export interface SchemaEntry {
  readonly title: string;
  readonly prefix: string;
  readonly schema: ConfigSchema;
}

export const CONFIG_SCHEMAS: readonly SchemaEntry[] = [
  { title: 'Common (every service)', prefix: '', schema: COMMON_SCHEMA },
  { title: 'Parser', prefix: 'PARSER', schema: PARSER_SCHEMA },
  { title: 'Correlator', prefix: 'CORRELATOR', schema: CORRELATOR_SCHEMA },
  { title: 'Indexer', prefix: 'INDEXER', schema: INDEXER_SCHEMA },
  { title: 'Alerter', prefix: 'ALERTER', schema: ALERTER_SCHEMA },
  { title: 'Timeline', prefix: 'TIMELINE', schema: TIMELINE_SCHEMA },
];

/** All variable names any service reads (secrets also as `<NAME>_FILE`). */
export function knownVariables(): Set<string> {
  const names = new Set<string>(Object.keys(SHIPPER_SETTINGS).map(envNameOf));
  for (const entry of CONFIG_SCHEMAS) {
    for (const [key, spec] of Object.entries(entry.schema)) {
      const name = envName(entry.prefix, key);
      names.add(name);
      if (spec.kind === 'secret') names.add(`${name}_FILE`);
    }
  }
  return names;
}

/** README's configuration reference, generated (never written by hand twice). */
export function renderConfigReference(): string {
  const out: string[] = [];
  for (const entry of CONFIG_SCHEMAS) {
    out.push(`### ${entry.title}`, '', '| variable | default | meaning |', '|---|---|---|');
    for (const [key, spec] of Object.entries(entry.schema)) {
      const name = envName(entry.prefix, key);
      const def = spec.kind === 'secret' ? '(secret: env or `_FILE`)' : spec.default === undefined || spec.default === '' ? '' : `\`${spec.default}\``;
      const choices = spec.choices ? ` One of: ${spec.choices.join(', ')}.` : '';
      out.push(`| \`${name}\` | ${def} | ${spec.description.replace(/\|/g, '\\|')}.${choices} |`);
    }
    out.push('');
  }
  out.push('### Shipper (configuration file, `hangwatch ship --config FILE`)', '', 'Settings outside `inputs` can be overridden by the environment variable shown.', '');
  out.push(...fieldTable(SHIPPER_SETTINGS, (path) => `\`${path}\` (\`${envNameOf(path)}\`)`));
  out.push('', 'Each entry of `inputs`:', '');
  out.push(...fieldTable(INPUT_FIELDS, (path) => `\`${path}\``));
  out.push('');
  return out.join('\n');
}

function fieldTable(fields: Readonly<Record<string, FieldSpec>>, name: (path: string) => string): string[] {
  const rows = ['| setting | default | meaning |', '|---|---|---|'];
  for (const [path, spec] of Object.entries(fields)) {
    const def = spec.computed ? `(${spec.computed})` : spec.default === undefined ? '' : `\`${Array.isArray(spec.default) ? spec.default.join(', ') : String(spec.default)}\``;
    const choices = spec.choices ? ` One of: ${spec.choices.join(', ')}.` : '';
    rows.push(`| ${name(path)} | ${def} | ${spec.description.replace(/\|/g, '\\|')}.${choices} |`);
  }
  return rows;
}
