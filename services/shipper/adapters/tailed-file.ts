import { open, type FileHandle } from 'node:fs/promises';
import { FINGERPRINT_BYTES, fingerprintPrefix } from '../core/fingerprint.js';
import type { Framer, Framing } from '../core/framing.js';
import type { InputConfig } from '../core/file-config.js';
import type { TailObservation } from '../core/tail-decision.js';

// One open file being tailed. It keeps its descriptor, so a file renamed or deleted by rotation can still be read
// to its end (what libvirtd and logrotate's default rename leave behind). Only I/O lives here; the decisions are
// in core/tail-decision.ts.

export class TailedFile {
  /** Id of the file record (fingerprint + position) once the file has been identified. */
  recordId: number | undefined;
  fingerprint: string | undefined;
  fpLength = 0;
  framer: Framer | null = null;
  readOffset = 0;
  lastGrowthAt: number;
  reachable = true;
  size = 0;
  mtime = new Date(0).toISOString();
  private lastCheckedSize = -1;

  private constructor(
    private readonly handle: FileHandle,
    public path: string,
    readonly dev: number,
    readonly ino: number,
    readonly input: InputConfig,
    readonly framing: Framing,
    now: number,
  ) {
    this.lastGrowthAt = now;
  }

  static async open(path: string, dev: number, ino: number, input: InputConfig, framing: Framing, now: number): Promise<TailedFile | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch {
      return undefined;
    }
    const info = await handle.stat();
    // The path may have been replaced between the scan and the open: follow the file we actually hold.
    return new TailedFile(handle, path, info.dev, info.ino, input, framing, now).withIdentity(dev, ino);
  }

  private withIdentity(dev: number, ino: number): TailedFile | undefined {
    return dev === this.dev && ino === this.ino ? this : (void this.handle.close().catch(() => undefined), undefined);
  }

  get buffered(): boolean {
    return this.framer !== null && this.readOffset > this.framer.committedOffset;
  }

  async observe(now: number): Promise<TailObservation> {
    const info = await this.handle.stat();
    this.size = info.size;
    this.mtime = info.mtime.toISOString();
    let headMatches: boolean | undefined;
    if (this.fingerprint !== undefined && info.size !== this.lastCheckedSize) {
      // A file rewritten in place (copytruncate, then written past our offset before we looked) keeps its inode
      // and may be longer than our offset: only its first bytes tell.
      const head = await this.readAt(0, this.fpLength);
      headMatches = fingerprintPrefix(head, this.fpLength) === this.fingerprint;
      this.lastCheckedSize = info.size;
    }
    return { size: info.size, reachable: this.reachable, headMatches, now };
  }

  async readHead(): Promise<Buffer> {
    return this.readAt(0, FINGERPRINT_BYTES);
  }

  /** Reads the next chunk at the read offset (at most `into.length` bytes); empty at the end. */
  async readChunk(into: Buffer, now: number): Promise<Buffer> {
    const { bytesRead } = await this.handle.read(into, 0, into.length, this.readOffset);
    if (bytesRead > 0) {
      this.readOffset += bytesRead;
      this.lastGrowthAt = now;
    }
    // No copy: the runtime reads each chunk into a fresh Buffer that line frames may keep views of.
    return into.subarray(0, bytesRead);
  }

  /** Forget the identity (after a truncation): the file is fingerprinted again from 0. */
  reset(now: number): void {
    this.recordId = undefined;
    this.fingerprint = undefined;
    this.fpLength = 0;
    this.framer = null;
    this.readOffset = 0;
    this.lastGrowthAt = now;
    this.lastCheckedSize = -1;
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }

  private async readAt(position: number, length: number): Promise<Buffer> {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await this.handle.read(buf, 0, length, position);
    return buf.subarray(0, bytesRead);
  }
}
