// Kernel crash dump headers (MEMORY.DMP, Minidump\*.dmp written by the kernel): DUMP_HEADER32 (`PAGE` `DUMP`)
// and DUMP_HEADER64 (`PAGE` `DU64`). Offsets from Microsoft's win32metadata DUMP_HEADER32/DUMP_HEADER64 as
// projected in holy-tao/AhkWin32Projection (Windows/Win32/System/Diagnostics/Debug/DUMP_HEADER64.ahk: DumpType
// 3992 = 0xf98, SystemTime 4008 = 0xfa8, SystemUpTime 4144 = 0x1030), cross-checked with Volatility's
// crash_vtypes `_DMP_HEADER` (32-bit: MachineImageType 0x20, BugCheckCode 0x28) and rizin's dmp_specs.h
// (DumpType values 1..7). The kernel fills unset fields with the word `PAGE`, so a field reading as
// 0x45474150 (or `PAGEPAGE`) is absent. User-mode minidumps (`MDMP`) are not kernel dumps.

export class DumpHeaderError extends Error {
  override readonly name = 'DumpHeaderError';
}

export interface DumpHeader {
  readonly signature: 'PAGEDUMP' | 'PAGEDU64';
  readonly bits: 32 | 64;
  readonly majorVersion: number;
  readonly minorVersion: number;
  readonly machineImageType: number;
  readonly processors: number;
  readonly bugcheckCode: number;
  readonly bugcheckParameters: readonly [bigint, bigint, bigint, bigint];
  readonly dumpType?: number;
  /** FILETIME of the crash (UTC), when set. */
  readonly systemTime?: bigint;
  /** Time since boot in 100 ns units, when set. */
  readonly systemUpTime?: bigint;
}

interface Layout {
  readonly bits: 32 | 64;
  readonly machine: number;
  readonly processors: number;
  readonly bugcheck: number;
  readonly parameters: readonly [number, number, number, number];
  readonly dumpType: number;
  readonly systemTime: number;
  readonly systemUpTime: number;
  /** Bytes needed to read every field above. */
  readonly needed: number;
}

const LAYOUT_32: Layout = {
  bits: 32,
  machine: 0x20,
  processors: 0x24,
  bugcheck: 0x28,
  parameters: [0x2c, 0x30, 0x34, 0x38],
  dumpType: 0xf88,
  systemUpTime: 0xfb8,
  systemTime: 0xfc0,
  needed: 0xfc8,
};

const LAYOUT_64: Layout = {
  bits: 64,
  machine: 0x30,
  processors: 0x34,
  bugcheck: 0x38,
  parameters: [0x40, 0x48, 0x50, 0x58],
  dumpType: 0xf98,
  systemTime: 0xfa8,
  systemUpTime: 0x1030,
  needed: 0x1038,
};

/** How many bytes a reader must fetch to decode any kernel dump header (DUMP_HEADER64 is 0x2000 bytes). */
export const DUMP_HEADER_READ_BYTES = 8192;

const PAGE32 = 0x45474150; // 'PAGE' read as a little-endian ULONG
const PAGE64 = 0x4547415045474150n;

export const DUMP_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'full',
  2: 'kernel',
  3: 'header',
  4: 'triage',
  5: 'bitmap-full',
  6: 'bitmap-kernel',
  7: 'automatic',
};

export const MACHINE_NAMES: Readonly<Record<number, string>> = { 0x14c: 'x86', 0x8664: 'x64', 0x1c4: 'arm', 0xaa64: 'arm64' };

function ascii(bytes: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < Math.min(to, bytes.length); i++) {
    const b = bytes[i] as number;
    s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  }
  return s;
}

function optional32(v: DataView, at: number): number | undefined {
  const n = v.getUint32(at, true);
  return n === PAGE32 ? undefined : n;
}

function optional64(v: DataView, at: number): bigint | undefined {
  const n = v.getBigUint64(at, true);
  return n === PAGE64 || n === 0n ? undefined : n;
}

/**
 * A guest writes its own dump, so a header is a claim: random bytes after a valid signature once became an
 * incident in the year 48080. Windows writes MajorVersion 0xF (free build) or 0xC (checked build), a machine type
 * it runs on, and between 1 and 2048 processors (the most a Windows kernel supports); anything else is not a dump
 * Windows wrote. The time is checked where the read time is known (formats/dump.ts).
 */
function assertPlausibleHeader(v: DataView, layout: typeof LAYOUT_64 | typeof LAYOUT_32): void {
  const major = v.getUint32(8, true);
  if (major !== 0xf && major !== 0xc) throw new DumpHeaderError(`implausible MajorVersion 0x${major.toString(16)} (Windows writes 0xf or 0xc)`);
  const machine = v.getUint32(layout.machine, true);
  if (MACHINE_NAMES[machine] === undefined) throw new DumpHeaderError(`implausible MachineImageType 0x${machine.toString(16)} (not x86, x64, arm or arm64)`);
  const processors = v.getUint32(layout.processors, true);
  if (processors < 1 || processors > 2048) throw new DumpHeaderError(`implausible NumberProcessors ${processors}`);
}

/** Decodes a kernel dump header from the file's first bytes; throws DumpHeaderError saying what is wrong. */
export function readDumpHeader(bytes: Uint8Array): DumpHeader {
  if (bytes.length < 8) throw new DumpHeaderError(`file too short for a dump signature: ${bytes.length} bytes`);
  const signature = ascii(bytes, 0, 8);
  if (signature.startsWith('MDMP')) throw new DumpHeaderError('a user-mode minidump (MDMP), not a kernel crash dump');
  if (signature !== 'PAGEDUMP' && signature !== 'PAGEDU64') throw new DumpHeaderError(`unknown signature "${signature}" (expected PAGEDUMP or PAGEDU64)`);
  const layout = signature === 'PAGEDU64' ? LAYOUT_64 : LAYOUT_32;
  if (bytes.length < layout.needed) {
    throw new DumpHeaderError(`truncated ${layout.bits}-bit dump header: ${bytes.length} of ${layout.needed} bytes`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const param = (at: number): bigint => (layout.bits === 64 ? v.getBigUint64(at, true) : BigInt(v.getUint32(at, true)));
  const dumpType = optional32(v, layout.dumpType);
  const systemTime = optional64(v, layout.systemTime);
  const systemUpTime = optional64(v, layout.systemUpTime);
  assertPlausibleHeader(v, layout);
  return {
    signature,
    bits: layout.bits,
    majorVersion: v.getUint32(8, true),
    minorVersion: v.getUint32(12, true),
    machineImageType: v.getUint32(layout.machine, true),
    processors: v.getUint32(layout.processors, true),
    bugcheckCode: v.getUint32(layout.bugcheck, true),
    bugcheckParameters: [param(layout.parameters[0]), param(layout.parameters[1]), param(layout.parameters[2]), param(layout.parameters[3])],
    ...(dumpType === undefined ? {} : { dumpType }),
    ...(systemTime === undefined ? {} : { systemTime }),
    ...(systemUpTime === undefined ? {} : { systemUpTime }),
  };
}

export { LAYOUT_32 as DUMP_HEADER32_LAYOUT, LAYOUT_64 as DUMP_HEADER64_LAYOUT };
