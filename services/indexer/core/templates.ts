import { EcsEventSchema } from '../../../shared/schema/event.js';
import { IncidentSchema } from '../../../shared/schema/incident.js';
import { AlertSchema } from '../../../shared/schema/alert.js';
import { DeadLetterSchema } from '../../../shared/schema/deadletter.js';
import { INDICES } from '../../../shared/topics.js';
import { mappingFromSchema, type EsMapping } from './mapping-from-schema.js';

// Composable index templates (DESIGN.md section 8: plain indices + composable templates; no data streams or
// ILM on the local node). Mappings come from the runtime schemas, with the overrides ECS asks for.

export interface TemplateSettings {
  readonly shards: number;
  readonly replicas: number;
  readonly refreshIntervalMs?: number;
}

export const TEMPLATE_NAMES = {
  events: 'hangwatch-events',
  incidents: 'hangwatch-incidents',
  alerts: 'hangwatch-alerts',
  deadletter: 'hangwatch-deadletter',
} as const;

const MESSAGE: EsMapping = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 1024 } } };
/** ECS: event.original is stored in _source but neither indexed nor aggregatable. */
const ORIGINAL: EsMapping = { type: 'keyword', index: false, doc_values: false };
const KEYWORD_OBJECT: EsMapping = { type: 'object', dynamic: true };
const IP: EsMapping = { type: 'ip' };
const KEYWORD: EsMapping = { type: 'keyword', ignore_above: 1024 };

/** ECS ip fields: none is produced by our grammars yet, but Winlogbeat and peer shippers send `host.ip`. */
const ECS_IP_FIELDS = ['host.ip', 'source.ip', 'destination.ip', 'client.ip', 'server.ip', 'related.ip'];

/**
 * Fields nobody declared. Order matters (first match wins): Winlogbeat's event_data values and decoded bugcheck
 * arguments are keywords whatever JSON type they arrive as (a number in one record and a string in the next must
 * not reject the second); any other `*.ip` is an ip (ECS); every other string is a keyword, not analysed text.
 */
const DYNAMIC_TEMPLATES = [
  { winlog_event_data_as_keyword: { path_match: 'winlog.event_data.*', match_mapping_type: '*', mapping: KEYWORD } },
  { bugcheck_arguments_as_keyword: { path_match: 'windows.bugcheck.arguments.*', match_mapping_type: '*', mapping: KEYWORD } },
  { ecs_ip: { match: 'ip', match_mapping_type: 'string', mapping: IP } },
  { strings_as_keyword: { match_mapping_type: 'string', mapping: KEYWORD } },
];

/** Date detection off: a string that happens to look like a date must not fix a field's type for a whole day. */
const DYNAMIC_BASE = { dynamic: true, date_detection: false, dynamic_templates: DYNAMIC_TEMPLATES };

/** Adds mappings at dotted paths (creating intermediate objects), for fields the schemas do not declare. */
function withFields(mapping: EsMapping, fields: Readonly<Record<string, EsMapping>>): EsMapping {
  for (const [path, leaf] of Object.entries(fields)) {
    const parts = path.split('.');
    let node = mapping as { properties?: Record<string, EsMapping> };
    for (const part of parts.slice(0, -1)) {
      node.properties ??= {};
      node = (node.properties[part] ??= { properties: {} }) as { properties?: Record<string, EsMapping> };
    }
    node.properties ??= {};
    node.properties[parts[parts.length - 1]!] ??= leaf;
  }
  return mapping;
}

function settingsOf(s: TemplateSettings): EsMapping {
  return {
    number_of_shards: s.shards,
    number_of_replicas: s.replicas,
    ...(s.refreshIntervalMs !== undefined ? { refresh_interval: `${s.refreshIntervalMs}ms` } : {}),
    'mapping.total_fields.limit': 2000,
  };
}

export function eventsMapping(): EsMapping {
  const generated = mappingFromSchema(EcsEventSchema, {
    fields: {
      message: MESSAGE,
      'event.original': ORIGINAL,
      'winlog.event_data': KEYWORD_OBJECT,
      'windows.bugcheck.arguments': KEYWORD_OBJECT,
    },
  });
  return { ...DYNAMIC_BASE, ...withFields(generated, Object.fromEntries(ECS_IP_FIELDS.map((f) => [f, IP]))) };
}

export function incidentsMapping(): EsMapping {
  return {
    ...DYNAMIC_BASE,
    ...mappingFromSchema(IncidentSchema, {
      fields: {
        message: MESSAGE,
        'incident.evidence': { type: 'object', properties: { ...(mappingFromSchema(IncidentSchema.shape.incident.shape.evidence.element).properties as object), message: MESSAGE } },
        'windows.bugcheck.arguments': KEYWORD_OBJECT,
        'incident.diagnosis': { type: 'object', properties: { code: { type: 'keyword' }, confidence: { type: 'float' }, summary: MESSAGE, remediation: { type: 'text' } } },
      },
    }),
  };
}

export function alertsMapping(): EsMapping {
  return { ...DYNAMIC_BASE, ...mappingFromSchema(AlertSchema, { fields: { message: MESSAGE } }) };
}

export function deadletterMapping(): EsMapping {
  return {
    ...DYNAMIC_BASE,
    ...mappingFromSchema(DeadLetterSchema, { fields: { 'event.original': ORIGINAL, 'error.message': MESSAGE } }),
  };
}

export interface IndexTemplate {
  readonly name: string;
  readonly body: EsMapping;
}

export interface TemplateSet {
  /** Component templates, PUT before the index templates that are composed of them. */
  readonly components: IndexTemplate[];
  readonly indexTemplates: IndexTemplate[];
}

/** The shared settings live in one component template, so shards and replicas are set in one place. */
export const SETTINGS_COMPONENT = 'hangwatch-settings';

export function buildTemplateSet(settings: TemplateSettings): TemplateSet {
  return {
    components: [{ name: SETTINGS_COMPONENT, body: { template: { settings: settingsOf(settings) }, _meta: { managed_by: 'hangwatch' } } }],
    indexTemplates: buildIndexTemplates(),
  };
}

function indexTemplate(name: string, pattern: string, mappings: EsMapping, extra: EsMapping = {}): IndexTemplate {
  return {
    name,
    body: {
      index_patterns: [pattern],
      priority: 200,
      composed_of: [SETTINGS_COMPONENT],
      template: { mappings, ...extra },
      _meta: { managed_by: 'hangwatch' },
    },
  };
}

/** Index templates: mappings (and the events alias) here; shards, replicas and refresh from the component. */
export function buildIndexTemplates(): IndexTemplate[] {
  return [
    indexTemplate(TEMPLATE_NAMES.events, INDICES.eventsPattern, eventsMapping(), { aliases: { [INDICES.eventsAlias]: {} } }),
    indexTemplate(TEMPLATE_NAMES.incidents, INDICES.incidents, incidentsMapping()),
    indexTemplate(TEMPLATE_NAMES.alerts, INDICES.alerts, alertsMapping()),
    indexTemplate(TEMPLATE_NAMES.deadletter, INDICES.deadletter, deadletterMapping()),
  ];
}
