import { readKeyval, readQemuBool } from './option-values.js';

// The -cpu option: `model[,prop...]` where a prop is `+flag` / `-flag` (legacy), `flag=on|off`, `key=value`,
// or a Hyper-V enlightenment in its old (`hv_relaxed`, `hv_spinlocks=0x1fff`) or new (`hv-relaxed=on`,
// `hv-passthrough`) spelling (qemu target/i386/cpu.c x86_cpu_parse_featurestr; docs/system/i386/hyperv.rst).
// Later props override earlier ones within one -cpu, as qemu applies them in order.

export interface CpuConfig {
  /** The CPU model (`SandyBridge`, `host`), when given. */
  readonly model?: string;
  /** Non-Hyper-V props, normalized: `vmx` (on), `-vmx` (off), `key=value` otherwise. */
  readonly flags: string[];
  /** Hyper-V enlightenments present, without the `hv_`/`hv-` prefix, `-` as `_`, sorted. */
  readonly hyperv: string[];
}

const HV_PREFIX = /^hv[-_]/;

// hv-spinlocks=0xffffffff is qemu's "never notify" default (HYPERV_SPINLOCK_NEVER_NOTIFY): the same as absent.
const SPINLOCKS_NEVER_NOTIFY = 0xffffffff;

export function readCpuOption(value: string): CpuConfig {
  const items = readKeyval(value);
  let model: string | undefined;
  const flags = new Map<string, string>();
  const hyperv = new Map<string, boolean>();
  items.forEach(([key, raw], index) => {
    let name: string;
    let setting: string;
    if (key === undefined) {
      if (index === 0 && raw[0] !== '+' && raw[0] !== '-') {
        model = raw;
        return;
      }
      if (raw[0] === '+' || raw[0] === '-') {
        name = raw.slice(1);
        setting = raw[0] === '+' ? 'on' : 'off';
      } else {
        name = raw;
        setting = 'on';
      }
    } else {
      name = key.replace(/^\+/, '');
      setting = raw;
    }
    if (HV_PREFIX.test(name)) {
      hyperv.set(normalizeEnlightenment(name), isEnlightenmentOn(name, setting));
      return;
    }
    flags.delete(name); // a later setting moves to the end, in the order qemu applied it
    flags.set(name, setting);
  });
  return {
    ...(model === undefined ? {} : { model }),
    flags: [...flags].map(([name, setting]) => formatFlag(name, setting)),
    hyperv: [...hyperv].filter(([, on]) => on).map(([name]) => name).sort(),
  };
}

/** `hv_vendor_id` / `hv-vendor-id` -> `vendor_id`. */
export function normalizeEnlightenment(name: string): string {
  return name.replace(HV_PREFIX, '').toLowerCase().replace(/-/g, '_');
}

function isEnlightenmentOn(name: string, setting: string): boolean {
  const bool = readQemuBool(setting);
  if (bool !== undefined) return bool;
  if (normalizeEnlightenment(name) === 'spinlocks') {
    const retries = Number(setting);
    return !(Number.isFinite(retries) && retries >= SPINLOCKS_NEVER_NOTIFY);
  }
  return true; // a value (vendor_id=xeon, spinlocks=0x1fff) turns it on
}

function formatFlag(name: string, setting: string): string {
  const bool = readQemuBool(setting);
  if (bool === true) return name;
  if (bool === false) return `-${name}`;
  return `${name}=${setting}`;
}
