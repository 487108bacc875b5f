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

/** Strings under dynamic objects (winlog.event_data.*, bugcheck arguments) become keywords, not text. */
const DYNAMIC_TEMPLATES = [
  { strings_as_keyword: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: 1024 } } },
];

function settingsOf(s: TemplateSettings): EsMapping {
  return {
    number_of_shards: s.shards,
    number_of_replicas: s.replicas,
    ...(s.refreshIntervalMs ? { refresh_interval: `${s.refreshIntervalMs}ms` } : {}),
    'mapping.total_fields.limit': 2000,
  };
}

export function eventsMapping(): EsMapping {
  return {
    dynamic: true,
    dynamic_templates: DYNAMIC_TEMPLATES,
    ...mappingFromSchema(EcsEventSchema, {
      fields: {
        message: MESSAGE,
        'event.original': ORIGINAL,
        'winlog.event_data': KEYWORD_OBJECT,
        'windows.bugcheck.arguments': KEYWORD_OBJECT,
      },
    }),
  };
}

export function incidentsMapping(): EsMapping {
  return {
    dynamic: true,
    dynamic_templates: DYNAMIC_TEMPLATES,
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
  return { dynamic: true, dynamic_templates: DYNAMIC_TEMPLATES, ...mappingFromSchema(AlertSchema, { fields: { message: MESSAGE } }) };
}

export function deadletterMapping(): EsMapping {
  return {
    dynamic: true,
    dynamic_templates: DYNAMIC_TEMPLATES,
    ...mappingFromSchema(DeadLetterSchema, { fields: { 'event.original': ORIGINAL, 'error.message': MESSAGE } }),
  };
}

export interface IndexTemplate {
  readonly name: string;
  readonly body: EsMapping;
}

export function buildIndexTemplates(settings: TemplateSettings): IndexTemplate[] {
  const base = settingsOf(settings);
  return [
    {
      name: TEMPLATE_NAMES.events,
      body: {
        index_patterns: [INDICES.eventsPattern],
        priority: 200,
        template: { settings: base, mappings: eventsMapping(), aliases: { [INDICES.eventsAlias]: {} } },
        _meta: { managed_by: 'hangwatch', schema: 'event' },
      },
    },
    { name: TEMPLATE_NAMES.incidents, body: { index_patterns: [INDICES.incidents], priority: 200, template: { settings: base, mappings: incidentsMapping() }, _meta: { managed_by: 'hangwatch' } } },
    { name: TEMPLATE_NAMES.alerts, body: { index_patterns: [INDICES.alerts], priority: 200, template: { settings: base, mappings: alertsMapping() }, _meta: { managed_by: 'hangwatch' } } },
    { name: TEMPLATE_NAMES.deadletter, body: { index_patterns: [INDICES.deadletter], priority: 200, template: { settings: base, mappings: deadletterMapping() }, _meta: { managed_by: 'hangwatch' } } },
  ];
}
