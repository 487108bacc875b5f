import type { Bugcheck } from '../../../shared/schema/event.js';
import { BUGCHECK_REFERENCE_NAMES } from './bugcheck-names.js';

// One bugcheck shape whatever the source (DESIGN.md section 4): WinDbg, WER 1001 `param1`, Kernel-Power 41
// (decimal BugcheckCode), qemu `panic hyper-v: arg1=...`, dump headers. Code: 0x + 8 lowercase hex digits;
// parameters: 0x + lowercase hex without leading zeros.

/** Symbolic names of the bugchecks that matter for hangs, plus the common ones seen on VMs. */
export const BUGCHECK_NAMES: Readonly<Record<string, string>> = {
  '0x0000000a': 'IRQL_NOT_LESS_OR_EQUAL',
  '0x0000001a': 'MEMORY_MANAGEMENT',
  '0x0000001e': 'KMODE_EXCEPTION_NOT_HANDLED',
  '0x0000003b': 'SYSTEM_SERVICE_EXCEPTION',
  '0x00000050': 'PAGE_FAULT_IN_NONPAGED_AREA',
  '0x0000007e': 'SYSTEM_THREAD_EXCEPTION_NOT_HANDLED',
  '0x0000007f': 'UNEXPECTED_KERNEL_MODE_TRAP',
  '0x0000009f': 'DRIVER_POWER_STATE_FAILURE',
  '0x000000d1': 'DRIVER_IRQL_NOT_LESS_OR_EQUAL',
  '0x000000ef': 'CRITICAL_PROCESS_DIED',
  '0x000000f4': 'CRITICAL_OBJECT_TERMINATION',
  '0x00000101': 'CLOCK_WATCHDOG_TIMEOUT',
  '0x00000124': 'WHEA_UNCORRECTABLE_ERROR',
  '0x00000133': 'DPC_WATCHDOG_VIOLATION',
  '0x00000139': 'KERNEL_SECURITY_CHECK_FAILURE',
  '0x0000013a': 'KERNEL_MODE_HEAP_CORRUPTION',
  '0x00000154': 'UNEXPECTED_STORE_EXCEPTION',
  '0x000001ca': 'SYNTHETIC_WATCHDOG_TIMEOUT',
};

/** Bit 28 marks the `_M` variant of a code (0x1000007e is 0x7e raised through KeBugCheckEx's `_M` path). */
const M_VARIANT = 0x10000000;

/**
 * The symbolic name of a normalized code (`0x000000d1`): the curated table above, else the full reference
 * (bugcheck-names.ts), else `<name>_M` for an `_M` variant of a known code.
 */
export function bugcheckNameOf(code: string): string | undefined {
  const curated = BUGCHECK_NAMES[code];
  if (curated) return curated;
  const value = Number.parseInt(code.slice(2), 16);
  if (!Number.isFinite(value)) return undefined;
  const reference = BUGCHECK_REFERENCE_NAMES[value];
  if (reference) return reference;
  if (value & M_VARIANT) {
    const base = BUGCHECK_REFERENCE_NAMES[value & ~M_VARIANT];
    if (base) return `${base}_M`;
  }
  return undefined;
}

let codesByName: Map<string, number> | undefined;

/**
 * The code of a symbolic name, or of a bucket string that starts with one (`CLOCK_WATCHDOG_TIMEOUT_2_PROC`,
 * `DRIVER_POWER_STATE_FAILURE_...`): the longest known name that is the whole text or followed by `_`.
 */
export function bugcheckCodeOfName(text: string): string | undefined {
  codesByName ??= new Map(Object.entries(BUGCHECK_REFERENCE_NAMES).map(([code, name]) => [name, Number(code)]));
  let best: { name: string; code: number } | undefined;
  for (const [name, code] of codesByName) {
    if (text !== name && !text.startsWith(`${name}_`)) continue;
    if (!best || name.length > best.name.length) best = { name, code };
  }
  return best ? normalizeBugcheckCode(best.code) : undefined;
}

/** Normalizes a code given as hex text (`101`, `0x101`, `0x00000101`), a decimal number (257) or bigint. */
export function normalizeBugcheckCode(code: string | number | bigint, radix: 10 | 16 = 16): string | undefined {
  let value: bigint;
  try {
    if (typeof code === 'string') {
      const t = code.trim().toLowerCase();
      if (t === '') return undefined;
      if (t.startsWith('0x')) value = BigInt(t);
      else if (radix === 10) value = BigInt(t);
      else value = BigInt(`0x${t}`);
    } else value = BigInt(code);
  } catch {
    return undefined;
  }
  if (value < 0n || value > 0xffffffffn) return undefined;
  return `0x${value.toString(16).padStart(8, '0')}`;
}

/** `00000061` -> `0x61`, `0x0000000000000000` -> `0x0`, `ffffa38a\`12345678` (WinDbg 64-bit) -> `0xffffa38a12345678`. */
export function normalizeBugcheckParameter(text: string | number | bigint): string | undefined {
  let value: bigint;
  try {
    if (typeof text === 'string') {
      const t = text.trim().toLowerCase().replace(/`/g, '');
      if (t === '') return undefined;
      value = t.startsWith('0x') ? BigInt(t) : BigInt(`0x${t}`);
    } else value = BigInt(text);
  } catch {
    return undefined;
  }
  if (value < 0n) value = BigInt.asUintN(64, value);
  return `0x${value.toString(16)}`;
}

/**
 * Decodes the arguments of the watchdog bugchecks (Microsoft's bug check reference):
 * 0x101 CLOCK_WATCHDOG_TIMEOUT: arg1 timeout interval in nominal clock ticks, arg2 0, arg3 PRCB address of the
 *   hung processor, arg4 index of the hung processor (on Windows 7 the seed shows 1 = the secondary processor).
 * 0x133 DPC_WATCHDOG_VIOLATION: arg1 0 = single DPC exceeded its time (arg2 count, arg3 allotment),
 *   1 = cumulative DPC time exceeded (arg2 count, arg3 allotment), 2 = ... (arg4 reserved / nt!DPC_WATCHDOG_GLOBAL_TRIAGE_BLOCK).
 */
export function decodeBugcheckArguments(code: string, parameters: readonly string[]): Record<string, string | number> | undefined {
  const p = parameters.map((x) => BigInt(x));
  if (code === '0x00000101' && p.length === 4) {
    return { timeout_ticks: Number(p[0]), prcb: parameters[2] as string, processor: Number(p[3]) };
  }
  if (code === '0x00000133' && p.length === 4) {
    const variant = Number(p[0]);
    const kind = variant === 0 ? 'single-dpc' : variant === 1 ? 'cumulative-dpc' : 'other';
    const out: Record<string, string | number> = { violation: kind };
    if (variant === 0 || variant === 1) {
      out.time_count_ticks = Number(p[1]);
      out.time_limit_ticks = Number(p[2]);
    }
    return out;
  }
  return undefined;
}

/** Builds `windows.bugcheck` from whatever a source gives. Returns undefined when the code is not a bugcheck. */
export function buildBugcheck(code: string | number | bigint, parameters: ReadonlyArray<string | number | bigint> = [], codeRadix: 10 | 16 = 16, name?: string): Bugcheck | undefined {
  const normalized = normalizeBugcheckCode(code, codeRadix);
  if (!normalized || normalized === '0x00000000') return undefined;
  const bugcheck: Bugcheck = { code: normalized };
  const symbolic = name ?? bugcheckNameOf(normalized);
  if (symbolic) bugcheck.name = symbolic;
  if (parameters.length === 4) {
    const params = parameters.map((x) => normalizeBugcheckParameter(x));
    if (params.every((x): x is string => x !== undefined)) {
      bugcheck.parameters = params;
      const args = decodeBugcheckArguments(normalized, params);
      if (args) bugcheck.arguments = args;
    }
  }
  return bugcheck;
}
