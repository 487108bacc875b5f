import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { HangwatchError } from '../../../shared/errors.js';
import type { Logger } from '../../../shared/logger.js';
import type { ArtefactPosition } from '../core/artefact-positions.js';
import { parseShipperState, serializePositions, type JournalPosition, type Position, type ShipperState } from '../core/positions.js';

// positions.json in the state folder, replaced atomically and durably: write a temporary file, fsync it, rename it
// over the old one, fsync the folder (so the rename itself survives a power cut; rename(2) alone does not).

export const POSITIONS_FILE = 'positions.json';

export async function loadPositions(stateDir: string, logger: Logger): Promise<ShipperState> {
  const path = join(stateDir, POSITIONS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { positions: [], artefacts: [], journals: [] };
    throw new HangwatchError('HW_INPUT_UNREADABLE', [path, (error as NodeJS.ErrnoException).code ?? String(error)], { cause: error });
  }
  try {
    return parseShipperState(text, path);
  } catch (error) {
    // Written atomically, so this is damage from outside. Keep it for inspection and start over: every file is
    // read again from its start, and the deterministic event ids make the re-sent records replace, not add.
    const aside = `${path}.damaged-${Date.now()}`;
    await rename(path, aside);
    logger.error({ err: error, kept_as: aside }, 'positions file is damaged; kept aside, files will be read from their start');
    return { positions: [], artefacts: [], journals: [] };
  }
}

export async function savePositions(
  stateDir: string,
  positions: readonly Position[],
  extra: { readonly artefacts?: readonly ArtefactPosition[]; readonly journals?: readonly JournalPosition[] } = {},
): Promise<void> {
  const path = join(stateDir, POSITIONS_FILE);
  const temp = `${path}.tmp`;
  try {
    await mkdir(stateDir, { recursive: true });
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(serializePositions(positions, extra));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    const dir = await open(stateDir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch (error) {
    throw new HangwatchError('HW_STATE_WRITE_FAILED', [path, (error as NodeJS.ErrnoException).code ?? String(error)], { cause: error });
  }
}
