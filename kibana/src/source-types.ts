import type { SavedObjectType } from './versions.js';

// The readable source of a saved object (kibana/objects/<type>/<id>.json). It differs from Kibana's wire shape
// only where Kibana wants JSON inside strings (fieldFormatMap, searchSourceJSON, panelsJSON, ...) or derived
// data (a dashboard's references): the build writes those, so they cannot drift from the source.

export interface Reference {
  readonly type: string;
  readonly id: string;
  readonly name: string;
}

export interface FieldFormat {
  readonly id: string;
  readonly params?: Record<string, unknown>;
}

export interface RuntimeField {
  readonly type: 'keyword' | 'long' | 'double' | 'date' | 'boolean';
  readonly script: { readonly source: string };
}

export interface DataViewSource {
  readonly type: 'index-pattern';
  readonly id: string;
  readonly attributes: {
    readonly title: string;
    readonly name: string;
    readonly timeFieldName: string;
    readonly runtimeFieldMap: Record<string, RuntimeField>;
    readonly fieldFormatMap: Record<string, FieldFormat>;
    readonly fieldAttrs: Record<string, { customLabel?: string }>;
  };
  readonly references: Reference[];
}

export interface Query {
  readonly language: 'kuery';
  readonly query: string;
}

export interface SearchSource {
  readonly type: 'search';
  readonly id: string;
  readonly attributes: {
    readonly title: string;
    readonly description: string;
    readonly columns: string[];
    readonly sort: [string, 'asc' | 'desc'][];
    readonly searchSource: { readonly query: Query; readonly filter: unknown[] };
  };
  readonly references: Reference[];
}

export interface LensColumn {
  readonly label: string;
  readonly dataType: string;
  readonly isBucketed: boolean;
  readonly operationType: string;
  readonly sourceField?: string;
  readonly filter?: Query;
  readonly params?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

export interface LensLayer {
  readonly columnOrder: string[];
  readonly columns: Record<string, LensColumn>;
}

export interface LensSource {
  readonly type: 'lens';
  readonly id: string;
  readonly attributes: {
    readonly title: string;
    readonly description: string;
    readonly visualizationType: string;
    readonly state: {
      readonly datasourceStates: { readonly formBased: { readonly layers: Record<string, LensLayer> } };
      readonly visualization: Record<string, unknown>;
      readonly query: Query;
      readonly filters: unknown[];
      readonly [key: string]: unknown;
    };
  };
  readonly references: Reference[];
}

export interface PanelSource {
  /** Also the panel index; stable, so a re-import keeps panel state. */
  readonly id: string;
  readonly type: 'lens' | 'search';
  /** The id of the lens or search object shown. */
  readonly ref: string;
  readonly grid: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
}

export interface DashboardSource {
  readonly type: 'dashboard';
  readonly id: string;
  readonly attributes: {
    readonly title: string;
    readonly description: string;
    readonly timeRestore: boolean;
    readonly timeFrom: string;
    readonly timeTo: string;
    readonly refreshInterval: { readonly pause: boolean; readonly value: number };
    readonly options: Record<string, boolean>;
    readonly query: Query;
    readonly panels: PanelSource[];
  };
}

export type ObjectSource = DataViewSource | SearchSource | LensSource | DashboardSource;

/** An object as Kibana's import API takes it: one line of the ndjson. */
export interface SavedObject {
  readonly type: SavedObjectType;
  readonly id: string;
  readonly attributes: Record<string, unknown>;
  readonly references: Reference[];
  readonly coreMigrationVersion: string;
  readonly typeMigrationVersion: string;
  readonly managed: false;
}
