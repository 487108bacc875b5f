// The correlator's pure core: what `hangwatch analyze` and the streaming service share.
export { correlateAll, applyOutput, sortIncidents, type CorrelateAllResult } from './correlate-all.js';
export { Correlator, type CorrelatorOutput, type CorrelatorStats } from './correlator.js';
export { resolveOptions, DEFAULT_OPTIONS, type CorrelatorOptions, type InventoryEntry, type ResolvedOptions } from './options.js';
export { DIAGNOSIS_RULES, diagnose } from './rules/index.js';
