import { readKeyval, readQemuBool } from './option-values.js';

// The -cpu option: `model[,prop...]`, read the way qemu applies it (target/i386/cpu.c x86_cpu_parse_featurestr and
// x86_cpu_expand_features):
// - `key=value` and a bare `key` (= on) are QOM properties, applied in order, the last one of a name winning; their
//   names go through feat2prop (`_` -> `-`), so `tsc_adjust=on` and `tsc-adjust=on` are one setting;
// - the legacy `+feat` / `-feat` forms are applied after all of them, every `+` then every `-`: `-feat` wins over
//   `+feat` and over `feat=on` wherever it stands in the string;
// - Hyper-V enlightenments in their old (`hv_relaxed`, `hv_spinlocks=0x1fff`) and new (`hv-relaxed=on`,
//   `hv-passthrough`) spellings (docs/system/i386/hyperv.rst) go to `hyperv`;
// - properties of the CPU object that are not CPUID feature bits (`migratable`, `host-phys-bits`, `level=13`,
//   `vendor=...`, `x-*`; x86_cpu_properties[]) go to `properties`, not to `flags`.

export interface CpuConfig {
  /** The CPU model (`SandyBridge`, `host`), when given. */
  readonly model?: string;
  /** CPUID feature settings, qemu's property spelling: `vmx` (on), `-vmx` (off). */
  readonly flags: string[];
  /** CPU object properties that are not feature bits: `migratable=on`, `phys-bits=39`, `level=13`. */
  readonly properties: string[];
  /** Hyper-V enlightenments present, without the `hv_`/`hv-` prefix, `-` as `_`, sorted. */
  readonly hyperv: string[];
}

const HV_PREFIX = /^hv[-_]/;

// hv-spinlocks=0xffffffff is qemu's "never notify" default (HYPERV_SPINLOCK_NEVER_NOTIFY): the same as absent.
const SPINLOCKS_NEVER_NOTIFY = 0xffffffff;

// x86_cpu_properties[] and the X86CPU class properties of target/i386/cpu.c that are not CPUID feature bits (a
// feature bit is a boolean named in feature_word_info[]). Any property with a value that is not a boolean is one
// too (`level=13`, `vendor=GenuineIntel`), as are qemu's experimental `x-*` ones.
const CPU_PROPERTIES = new Set([
  'migratable',
  'host-phys-bits',
  'host-phys-bits-limit',
  'phys-bits',
  'guest-phys-bits',
  'fill-mtrr-mask',
  'host-cache-info',
  'l3-cache',
  'legacy-cache',
  'lmce',
  'check',
  'enforce',
  'pmu',
  'lbr-fmt',
  'kvm', // expose_kvm: kvm=off hides the KVM signature
  'kvm-no-smi-migration',
  'kvm-pv-enforce-cpuid',
  'level',
  'xlevel',
  'xlevel2',
  'min-level',
  'min-xlevel',
  'min-xlevel2',
  'full-cpuid-auto-level',
  'family',
  'model',
  'stepping',
  'vendor',
  'model-id',
  'tsc-frequency',
  'tsc-freq',
  'apic-id',
  'ucode-rev',
  'cpuid-0xb',
  'vmware-cpuid-freq',
  'tcg-cpuid',
  'intel-pt-auto-level',
  'start-powered-off',
]);

export function readCpuOption(value: string): CpuConfig {
  const items = readKeyval(value);
  let model: string | undefined;
  // Insertion order is the order qemu applied them; a later setting of a name moves it to the end.
  const settings = new Map<string, string>();
  const set = (name: string, setting: string) => {
    settings.delete(name);
    settings.set(name, setting);
  };
  const plus: string[] = [];
  const minus: string[] = [];
  items.forEach(([key, raw], index) => {
    if (key === undefined) {
      if (index === 0 && raw[0] !== '+' && raw[0] !== '-') model = raw;
      else if (raw[0] === '+') plus.push(raw.slice(1));
      else if (raw[0] === '-') minus.push(raw.slice(1));
      else set(featureToProperty(raw), 'on');
      return;
    }
    set(featureToProperty(key.replace(/^\+/, '')), raw);
  });
  for (const name of plus) set(featureToProperty(name), 'on');
  for (const name of minus) set(featureToProperty(name), 'off');

  const flags: string[] = [];
  const properties: string[] = [];
  const hyperv = new Map<string, boolean>();
  for (const [name, setting] of settings) {
    const bool = readQemuBool(setting);
    if (HV_PREFIX.test(name)) hyperv.set(normalizeEnlightenment(name), isEnlightenmentOn(name, setting));
    else if (bool === undefined || CPU_PROPERTIES.has(name) || name.startsWith('x-')) properties.push(`${name}=${bool === undefined ? setting : bool ? 'on' : 'off'}`);
    else flags.push(bool ? name : `-${name}`);
  }
  return {
    ...(model === undefined ? {} : { model }),
    flags,
    properties,
    hyperv: [...hyperv].filter(([, on]) => on).map(([name]) => name).sort(),
  };
}

/** qemu's feat2prop: property names use `-`, the legacy feature spellings `_`. */
function featureToProperty(name: string): string {
  return name.replace(/_/g, '-');
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
