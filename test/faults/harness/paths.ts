import { join } from 'node:path';

// Where the fault suite runs from and writes to.

export const REPO = join(import.meta.dirname, '..', '..', '..');
/** Scratch space of the suite's runs (generated batches, shipper state, service logs). */
export const WORK = join(REPO, '.hangwatch', 'faults');
/** The table of results (out/faults-table.md) and the rows each test file contributes to it. */
export const OUT = join(REPO, 'out');
export const ROWS_DIR = join(WORK, 'rows');
