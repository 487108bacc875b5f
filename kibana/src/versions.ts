// Which Kibana the objects are written for. Kibana migrates saved objects forward on import, never backward,
// so every object carries the version of the shape it is written in, and that is the lowest we support:
// Kibana 8.8 (the first with `typeMigrationVersion`; Lens's 8.6.0 migration renamed its datasource to
// `formBased`, the shape used here). 9.x imports 8.x objects (same or next major) and migrates them.
// The per-type versions follow Kibana's own 8.8 sample data (src/plugins/home/.../ecommerce/saved_objects.ts).

export const CORE_MIGRATION_VERSION = '8.8.0';

export const TYPE_MIGRATION_VERSIONS = {
  'index-pattern': '7.11.0',
  search: '7.9.3',
  lens: '8.6.0',
  dashboard: '8.7.0',
} as const;

export type SavedObjectType = keyof typeof TYPE_MIGRATION_VERSIONS;

/** The `version` of each dashboard panel: the Kibana that wrote the panel's embeddable input. */
export const PANEL_VERSION = '8.8.0';

/** Where the timeline service listens by default (services/timeline/config.ts HTTP_PORT 8790). */
export const DEFAULT_TIMELINE_BASE_URL = 'http://localhost:8790';
