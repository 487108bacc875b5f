// The correlator's pure core: what `hangwatch analyze` and the streaming service share.
export { correlateAll, applyOutput, sortIncidents, type CorrelateAllResult } from './correlate-all.js';
export { Correlator, type CorrelatorOutput, type CorrelatorStats } from './correlator.js';
export { resolveOptions, DEFAULT_OPTIONS, type CorrelatorOptions, type InventoryEntry, type ResolvedOptions } from './options.js';
export { DIAGNOSIS_RULES, diagnose } from './rules/index.js';
export { OffsetLedger } from './offset-ledger.js';
export { exportFacts, importFacts, type FactsSnapshot } from './facts-snapshot.js';
export { GuestPlacements, type MacRecord, type Placement } from './guest-placements.js';
export { measureSkews, skewAt, type SkewMeasurement } from './guest-clock.js';
