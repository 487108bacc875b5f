import type { ConfigSchema } from '../../shared/config.js';
import type { CorrelatorOptions, InventoryEntry } from './core/options.js';
import { DEFAULT_OPTIONS } from './core/options.js';
import { HangwatchError } from '../../shared/errors.js';

// HANGWATCH_CORRELATOR_* settings (units in names). Common Kafka/ES/log settings come from COMMON_SCHEMA.
export const CORRELATOR_SCHEMA = {
  GROUP_ID: { kind: 'string', default: 'hangwatch-correlator', description: 'Kafka consumer group of the correlator replicas' },
  HTTP_PORT: { kind: 'int', default: '8782', min: 0, max: 65535, description: 'Port of /healthz, /readyz, /metrics' },
  HTTP_HOST: { kind: 'string', default: '127.0.0.1', description: 'Address the HTTP endpoints listen on (0.0.0.0 in containers)' },
  LATENESS_MS: { kind: 'int', default: String(DEFAULT_OPTIONS.latenessMs), min: 0, description: 'How late (event time) a record may arrive and still be joined live' },
  WINDOW_BEFORE_MS: { kind: 'int', default: String(DEFAULT_OPTIONS.windowBeforeMs), min: 0, description: 'Evidence window before the hang' },
  WINDOW_AFTER_MS: { kind: 'int', default: String(DEFAULT_OPTIONS.windowAfterMs), min: 0, description: 'Evidence window after the hang' },
  MERGE_WINDOW_MS: { kind: 'int', default: String(DEFAULT_OPTIONS.mergeWindowMs), min: 0, description: 'Signals of one domain this close in hang time are one incident' },
  LAST_SIGN_OF_LIFE_LOOKBACK_MS: { kind: 'int', default: String(DEFAULT_OPTIONS.lastSignOfLifeLookbackMs), min: 0, description: 'How far back a 41/6008 looks for the last sign of life before the reboot' },
  THREAD_NEIGHBOUR_MS: { kind: 'int', default: String(DEFAULT_OPTIONS.threadNeighbourMs), min: 0, description: 'Same-thread libvirtd neighbour distance for attributing lines that name no VM' },
  IO_AWAIT_MS_THRESHOLD: { kind: 'int', default: String(DEFAULT_OPTIONS.ioAwaitMsThreshold), min: 0, description: 'iostat await (ms) from which a sample is an I/O stall' },
  IO_UTIL_PCT_THRESHOLD: { kind: 'int', default: String(DEFAULT_OPTIONS.ioUtilPctThreshold), min: 0, max: 100, description: 'iostat %util from which a sample is an I/O stall' },
  CLOCK_BOOT_ALLOWANCE_MS: { kind: 'int', default: String(DEFAULT_OPTIONS.bootAllowanceMs), min: 0, description: 'Guest clock skew: how long after qemu starts a guest may write its boot record (6005/6009)' },
  CLOCK_SKEW_MAX_MS: { kind: 'int', default: String(DEFAULT_OPTIONS.skewMaxMs), min: 0, description: 'Guest clock skew: the largest measured (a boot farther than this from every qemu start measures nothing)' },
  CLOCK_SKEW_CORRECT_MS: { kind: 'int', default: String(DEFAULT_OPTIONS.skewCorrectMs), min: 0, description: 'Guest record times are corrected by a measured skew at least this large (above CLOCK_SKEW_MAX_MS: never)' },
  UNPLACED_HOLD_MS: { kind: 'int', default: String(DEFAULT_OPTIONS.unplacedHoldMs), min: 0, description: 'How long (event time) guest records that came with no hypervisor wait for their MAC to be placed' },
  INVENTORY_JSON: { kind: 'string', default: '', description: 'Inventory: JSON array of {domain, hypervisor?, computerName?, mac?} (explicit config wins)' },
  GUEST_ZONES: { kind: 'list', default: '', description: 'Configured guest zones: `hypervisor/domain=Zone` or `domain=Zone`, comma-separated' },
  HOST_ZONES: { kind: 'list', default: '', description: 'Configured hypervisor zones `host=Zone` (guests with -rtc base=localtime take them)' },
  SNAPSHOT_FACTS: { kind: 'bool', default: 'true', description: 'Write learned facts to the identity topic before committing offsets (needed for exact restarts)' },
} as const satisfies ConfigSchema;

interface CorrelatorSettings {
  readonly LATENESS_MS: number;
  readonly WINDOW_BEFORE_MS: number;
  readonly WINDOW_AFTER_MS: number;
  readonly MERGE_WINDOW_MS: number;
  readonly LAST_SIGN_OF_LIFE_LOOKBACK_MS: number;
  readonly THREAD_NEIGHBOUR_MS: number;
  readonly IO_AWAIT_MS_THRESHOLD: number;
  readonly IO_UTIL_PCT_THRESHOLD: number;
  readonly CLOCK_BOOT_ALLOWANCE_MS: number;
  readonly CLOCK_SKEW_MAX_MS: number;
  readonly CLOCK_SKEW_CORRECT_MS: number;
  readonly UNPLACED_HOLD_MS: number;
  readonly INVENTORY_JSON: string;
  readonly GUEST_ZONES: readonly string[];
  readonly HOST_ZONES: readonly string[];
}

/** The core's options from the service settings; bad inventory or zone lists fail here, at start. */
export function buildCorrelatorOptions(config: CorrelatorSettings): CorrelatorOptions {
  return {
    latenessMs: config.LATENESS_MS,
    windowBeforeMs: config.WINDOW_BEFORE_MS,
    windowAfterMs: config.WINDOW_AFTER_MS,
    mergeWindowMs: config.MERGE_WINDOW_MS,
    lastSignOfLifeLookbackMs: config.LAST_SIGN_OF_LIFE_LOOKBACK_MS,
    threadNeighbourMs: config.THREAD_NEIGHBOUR_MS,
    ioAwaitMsThreshold: config.IO_AWAIT_MS_THRESHOLD,
    ioUtilPctThreshold: config.IO_UTIL_PCT_THRESHOLD,
    bootAllowanceMs: config.CLOCK_BOOT_ALLOWANCE_MS,
    skewMaxMs: config.CLOCK_SKEW_MAX_MS,
    skewCorrectMs: config.CLOCK_SKEW_CORRECT_MS,
    unplacedHoldMs: config.UNPLACED_HOLD_MS,
    inventory: parseInventory(config.INVENTORY_JSON),
    guestZones: parsePairs(config.GUEST_ZONES, 'HANGWATCH_CORRELATOR_GUEST_ZONES'),
    hostZones: parsePairs(config.HOST_ZONES, 'HANGWATCH_CORRELATOR_HOST_ZONES'),
  };
}

function parseInventory(text: string): InventoryEntry[] {
  if (!text.trim()) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HangwatchError('HW_CONFIG_INVALID', [`  - HANGWATCH_CORRELATOR_INVENTORY_JSON is not JSON: ${(error as Error).message}`]);
  }
  const ok = (e: unknown): e is InventoryEntry => {
    if (!e || typeof e !== 'object') return false;
    const r = e as Record<string, unknown>;
    return typeof r.domain === 'string' && ['hypervisor', 'computerName', 'mac'].every((k) => r[k] === undefined || typeof r[k] === 'string');
  };
  if (!Array.isArray(value) || !value.every(ok)) {
    throw new HangwatchError('HW_CONFIG_INVALID', ['  - HANGWATCH_CORRELATOR_INVENTORY_JSON must be an array of {domain, hypervisor?, computerName?, mac?}']);
  }
  return value;
}

function parsePairs(items: readonly string[], name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const at = item.lastIndexOf('=');
    if (at <= 0) throw new HangwatchError('HW_CONFIG_INVALID', [`  - ${name}: ${JSON.stringify(item)} is not key=Zone`]);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}
