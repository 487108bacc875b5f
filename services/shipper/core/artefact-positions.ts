import { detectFormatByPath } from '../../parser/core/detect-format.js';
import type { InputConfig } from './file-config.js';

// Guest artefacts (issue 10): EVTX files and crash dumps are not tailed byte by byte. Each version of such a file
// (its fingerprint, size and modification time) is read whole by the parser's readArtefactRecords and shipped once;
// its position counts the records Kafka acknowledged, so a restart skips those and ships the rest. A changed
// file (an EVTX the guest still writes, a dump rewritten) is a new version and is read again in full: sound EVTX
// records keep their ids across versions (DESIGN.md section 4: computer + channel + record id), so the re-sent
// ones replace what is indexed instead of adding to it. The modification time is part of the version because a
// live EVTX rewrites records inside its current chunk without touching its size or (until it is flushed) its header.

export interface ArtefactPosition {
  /** Fingerprint of the first bytes (the one readArtefactRecords puts on the records). */
  readonly fingerprint: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** Last path it was seen under (for logs; a copy with the same version is the same artefact). */
  readonly path: string;
  /** Records Kafka acknowledged, in the reader's order. */
  readonly records: number;
  /** Every record of this version was acknowledged. */
  readonly done: boolean;
  readonly seenAt: number;
}

export function artefactVersionKey(v: { readonly fingerprint: string; readonly size: number; readonly mtimeMs: number }): string {
  return `${v.fingerprint}:${v.size}:${Math.trunc(v.mtimeMs)}`;
}

/** The artefact format of a file an input found, or undefined for a text log (tailed as before). */
export function artefactFormatOf(input: Pick<InputConfig, 'format'>, path: string): 'evtx' | 'dump' | undefined {
  if (input.format === 'evtx' || input.format === 'dump') return input.format;
  if (input.format !== 'auto') return undefined;
  const byPath = detectFormatByPath(path);
  return byPath === 'evtx' || byPath === 'dump' ? byPath : undefined;
}

export interface ArtefactSighting {
  readonly size: number;
  readonly mtimeMs: number;
  /** When this size and modification time were first seen (ms). */
  readonly since: number;
}

/**
 * Whether a file has stopped changing, so reading it now gives a whole version: in --once mode always; otherwise
 * once it has not been modified for `settleMs` (by its mtime, or by our own sightings when its clock is off).
 */
export function isArtefactSettled(seen: ArtefactSighting, now: number, settleMs: number, final: boolean): boolean {
  return final || now - seen.mtimeMs >= settleMs || now - seen.since >= settleMs;
}

export function isArtefactPosition(v: unknown): v is ArtefactPosition {
  const p = v as Partial<ArtefactPosition> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.fingerprint === 'string' &&
    Number.isSafeInteger(p.size) &&
    typeof p.mtimeMs === 'number' &&
    typeof p.path === 'string' &&
    Number.isSafeInteger(p.records) &&
    (p.records as number) >= 0 &&
    typeof p.done === 'boolean' &&
    typeof p.seenAt === 'number'
  );
}
