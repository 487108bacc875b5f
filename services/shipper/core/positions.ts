import { HangwatchError } from '../../../shared/errors.js';
import { isArtefactPosition, type ArtefactPosition } from './artefact-positions.js';

// Durable read positions (issue 4): one entry per file, identified by content (fingerprint of its first bytes, the
// same one event ids use) plus device and inode. The inode finds a renamed file; the fingerprint tells an inode
// reused by a new file (or a file rewritten in place) from the old one, and finds a file copied elsewhere
// (copytruncate's copy, a restored backup). Pure: the adapter reads and writes the file (fsynced).

export interface Position {
  readonly fingerprint: string;
  /** How many leading bytes the fingerprint covers, so it can be recomputed on any copy of the file. */
  readonly fpLength: number;
  readonly dev: number;
  readonly ino: number;
  readonly path: string;
  /** Every byte before this was acknowledged by Kafka. */
  readonly offset: number;
  /** Last time the file was seen (ms since the epoch), for forgetting files that are gone. */
  readonly seenAt: number;
}

export const POSITIONS_VERSION = 1;

/** A journald input's durable read position: the cursor of the last entry Kafka acknowledged. */
export interface JournalPosition {
  /** The input's name and journal file ('' for the system journal): a changed input starts over. */
  readonly input: string;
  readonly file: string;
  readonly cursor: string;
  readonly seenAt: number;
}

/** Everything the state file holds: tailed files by byte offset, guest artefacts by records done, journal cursors. */
export interface ShipperState {
  readonly positions: readonly Position[];
  readonly artefacts: readonly ArtefactPosition[];
  readonly journals: readonly JournalPosition[];
}

export function serializePositions(positions: readonly Position[], extra: { readonly artefacts?: readonly ArtefactPosition[]; readonly journals?: readonly JournalPosition[] } = {}): string {
  const sorted = [...positions].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.ino - b.ino));
  // `artefacts` and `journals` are additions to version 1: an older shipper ignores them (and ships those again).
  const doc: Record<string, unknown> = { version: POSITIONS_VERSION, positions: sorted };
  if (extra.artefacts && extra.artefacts.length > 0) doc.artefacts = extra.artefacts;
  if (extra.journals && extra.journals.length > 0) doc.journals = extra.journals;
  return `${JSON.stringify(doc, null, 1)}\n`;
}

export function parseShipperState(text: string, where: string): ShipperState {
  const positions = parsePositions(text, where);
  const doc = JSON.parse(text) as { artefacts?: unknown; journals?: unknown };
  return {
    positions,
    artefacts: Array.isArray(doc.artefacts) ? doc.artefacts.filter(isArtefactPosition) : [],
    journals: Array.isArray(doc.journals) ? doc.journals.filter(isJournalPosition) : [],
  };
}

function isJournalPosition(v: unknown): v is JournalPosition {
  const p = v as Partial<JournalPosition> | null;
  return typeof p === 'object' && p !== null && typeof p.input === 'string' && typeof p.file === 'string' && typeof p.cursor === 'string' && p.cursor !== '' && typeof p.seenAt === 'number';
}

export function parsePositions(text: string, where: string): Position[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new HangwatchError('HW_INPUT_UNREADABLE', [where, `not JSON (${(error as Error).message})`], { cause: error });
  }
  const list = (doc as { version?: unknown; positions?: unknown } | null)?.positions;
  if ((doc as { version?: unknown } | null)?.version !== POSITIONS_VERSION || !Array.isArray(list)) {
    throw new HangwatchError('HW_INPUT_UNREADABLE', [where, `not a version ${POSITIONS_VERSION} positions file`]);
  }
  return list.filter(isPosition);
}

function isPosition(v: unknown): v is Position {
  const p = v as Partial<Position> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.fingerprint === 'string' &&
    Number.isSafeInteger(p.fpLength) &&
    Number.isSafeInteger(p.dev) &&
    Number.isSafeInteger(p.ino) &&
    typeof p.path === 'string' &&
    Number.isSafeInteger(p.offset) &&
    (p.offset as number) >= 0 &&
    typeof p.seenAt === 'number'
  );
}

export interface Candidate {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  /** Fingerprint of the candidate's first `length` bytes, undefined when it is shorter. */
  readonly fingerprintOf: (length: number) => string | undefined;
}

export interface PositionMatch {
  readonly position: Position;
  /** `inode`: the same file (maybe renamed); `content`: a copy or a moved file with the same first bytes. */
  readonly how: 'inode' | 'content';
  /** Where to start reading: the saved offset, or 0 when the file is now shorter (truncated while we were away). */
  readonly startAt: number;
}

/** Finds the saved position of a newly seen file. `taken` positions already belong to an open file. */
export function matchPosition(positions: readonly Position[], file: Candidate, taken: ReadonlySet<Position>): PositionMatch | undefined {
  let byContent: Position | undefined;
  for (const p of positions) {
    if (taken.has(p)) continue;
    if (file.fingerprintOf(p.fpLength) !== p.fingerprint) continue;
    if (p.dev === file.dev && p.ino === file.ino) return { position: p, how: 'inode', startAt: p.offset <= file.size ? p.offset : 0 };
    byContent ??= p;
  }
  if (byContent) return { position: byContent, how: 'content', startAt: byContent.offset <= file.size ? byContent.offset : 0 };
  return undefined;
}

/** Drops positions of files gone for longer than `forgetAfterMs` (positions of open files are kept fresh). */
export function prunePositions(positions: readonly Position[], now: number, forgetAfterMs: number): Position[] {
  return positions.filter((p) => now - p.seenAt <= forgetAfterMs);
}
