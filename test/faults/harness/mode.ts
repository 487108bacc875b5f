// Short mode (CI, `npm run test:faults`): smaller volumes, still big enough to mean something; full mode
// (`HANGWATCH_FAULTS_FULL=1 npm run test:faults`): the sizes of issue 11. Every size is printed in the table.

export const FULL = process.env.HANGWATCH_FAULTS_FULL === '1';
export const MODE = FULL ? 'full' : 'short';

/**
 * How much longer the pipeline rows may wait in full mode. A full batch is ~22x a short one (122k records instead of
 * 5.6k), and a correlator killed mid-stream replays everything since its last commit: with the backfill lateness
 * the harness runs it with (3 days), that is the whole batch. Measured in the first full run (load 8-14): the
 * undisturbed batch took 440 s, and the killed correlator had not caught up 420 s after its restart.
 */
export const TIME_SCALE = FULL ? 4 : 1;

export const SIZES = FULL
  ? {
      libvirtdLines: 60_000,
      hugeLineBytes: 50 * 1024 * 1024,
      tinyLines: 1_000_000,
      randomBytes: 20 * 1024 * 1024,
      nestingDepth: 100_000,
      fields: 10_000,
      windbgFrames: 100_000,
      rotations: 50,
      junkBytes: 12 * 1024 * 1024,
      longLineBytes: 12 * 1024 * 1024,
      utf16Bytes: 16 * 1024 * 1024,
      sparseBytes: 3 * 1024 * 1024 * 1024,
      sourceDocuments: 200_000,
    }
  : {
      // 2 hosts x 1.5k padded libvirtd lines + the generated guests' records: ~5.6k records per batch, sent
      // as ~23 Kafka batches of 250 (scenario.ts STREAMING_SHIPPER), so every fault strikes mid-stream.
      libvirtdLines: 1_500,
      hugeLineBytes: 8 * 1024 * 1024,
      tinyLines: 200_000,
      randomBytes: 4 * 1024 * 1024,
      nestingDepth: 100_000,
      fields: 10_000,
      windbgFrames: 100_000,
      rotations: 15,
      // Each past the size that took a minute or more before the scans were made linear (1 MiB of event XML junk,
      // 64 KiB of a kernel line of `/`, 1 MiB of tiny UTF-16 events); the unknown-format file is sparse (no disk).
      junkBytes: 4 * 1024 * 1024,
      longLineBytes: 4 * 1024 * 1024,
      utf16Bytes: 4 * 1024 * 1024,
      sparseBytes: 3 * 1024 * 1024 * 1024,
      sourceDocuments: 50_000,
    };

/** Human form of a size for the table (`8 MiB`, `200k`). */
export function formatSize(n: number, unit: 'bytes' | 'count'): string {
  if (unit === 'bytes') return n >= 1 << 20 ? `${n / (1 << 20)} MiB` : `${Math.round(n / 1024)} KiB`;
  return n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n);
}
