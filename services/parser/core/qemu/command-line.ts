import rules from '../../../../grammars/generated/qemu-cmdline.js';
import { runGrammar } from '../../../../grammars/run-grammar.js';
import { normalizeMac } from '../../../../shared/identity.js';
import { readCpuOption, type CpuConfig } from './cpu.js';
import { isCommandHead } from '../../../../shared/qemu-line-shapes.js';
import { keyvalValue, readJsonOption, readKeyval, readSizeMiB } from './option-values.js';

// The qemu command line as libvirt logs it, read into the domain configuration hangwatch needs (DESIGN.md
// section 4 `qemu.*`): the nearley grammar gives env, program and shell words; this module pairs options with
// their values and reads the options that matter for diagnosis.

export const CMDLINE_GRAMMAR = 'qemu-cmdline';

interface GrammarItem {
  readonly option?: string;
  readonly value?: string;
}
/** A list as the grammar builds it: cons cells, last element first (see grammars/qemu-cmdline.ne). */
type Cons<T> = readonly [Cons<T>, T] | null;
interface GrammarResult {
  /** `NAME=value` assignments, unquoted. */
  readonly env: Cons<string>;
  /** Absent when the text starts inside a command line (an option first) or holds only env assignments. */
  readonly program?: string;
  /** The option a headless command line starts with. */
  readonly firstOption?: string;
  readonly items: Cons<GrammarItem>;
}

function flatten<T>(list: Cons<T>): T[] {
  const out: T[] = [];
  for (let node = list; node !== null; node = node[0]) out.push(node[1]);
  return out.reverse();
}

export interface QemuOption {
  readonly name: string;
  readonly value?: string;
}

export interface QemuCommandLine {
  readonly env: Readonly<Record<string, string>>;
  /** The binary; absent when the text is a command line without its head, or only its env assignments. */
  readonly program?: string;
  readonly options: readonly QemuOption[];
  /** Words that follow no option (a disk image given positionally). */
  readonly positional: readonly string[];
  /** A quote was left open: the text was cut inside a word, so the command line goes on past it. */
  readonly cutInQuote: boolean;
}

export interface QemuConfig {
  readonly name?: string;
  readonly uuid?: string;
  readonly machine?: string;
  /** The effective -cpu: QEMU applies the last one (libvirt's <qemu:commandline> appends one). */
  readonly cpu?: CpuConfig;
  /** How many -cpu options the line had (more than one: the effective one overrides). */
  readonly cpuOptions: number;
  readonly smp?: { cpus?: number; sockets?: number; cores?: number; threads?: number; maxcpus?: number };
  readonly memoryMb?: number;
  readonly rtcBase?: string;
  readonly macs: string[];
  readonly spicePort?: number;
  readonly drives: string[];
}

/**
 * Parses a command line (one line, or lines joined by backslash-newline), or what is left of one: without its
 * head, cut after its env assignments, cut inside a quote. Throws ParseFailure when not shell words.
 */
export function parseCommandLine(text: string): QemuCommandLine {
  const trimmed = text.replace(/[\s\\]+$/, '');
  const result = runGrammar<GrammarResult>(CMDLINE_GRAMMAR, rules, trimmed);
  const options: QemuOption[] = [];
  const positional: string[] = [];
  let previousWasOption = false;
  const items = flatten(result.items);
  if (result.firstOption !== undefined) items.unshift({ option: result.firstOption });
  for (const item of items) {
    if (item.option !== undefined) {
      options.push({ name: item.option });
      previousWasOption = true;
      continue;
    }
    const last = options[options.length - 1];
    // A word right after an option is its value; qemu's argument-less options (-S, -no-user-config,
    // -nodefaults, -no-shutdown, -enable-kvm) are always followed by another option in libvirt's lines.
    if (previousWasOption && last && item.value !== undefined) options[options.length - 1] = { name: last.name, value: item.value };
    else if (item.value !== undefined) positional.push(item.value);
    previousWasOption = false;
  }
  const env: Record<string, string> = {};
  for (const assignment of flatten(result.env)) {
    const eq = assignment.indexOf('=');
    env[assignment.slice(0, eq)] = assignment.slice(eq + 1);
  }
  return { env, ...(result.program === undefined ? {} : { program: result.program }), options, positional, cutInQuote: endsInsideQuote(trimmed) };
}

/** Shell quoting state at the end of the text: true when a quote is still open (linear, no backtracking). */
function endsInsideQuote(text: string): boolean {
  let quote = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote === 0x27 /* ' */) {
      if (c === 0x27) quote = 0;
    } else if (quote === 0x22 /* " */) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22) quote = 0;
    } else if (c === 0x5c) i++;
    else if (c === 0x27 || c === 0x22) quote = c;
  }
  return quote !== 0;
}

export function readQemuConfig(cmd: QemuCommandLine): QemuConfig {
  let name: string | undefined;
  let uuid: string | undefined;
  let machine: string | undefined;
  let cpu: CpuConfig | undefined;
  let cpuOptions = 0;
  let smp: QemuConfig['smp'];
  let memoryMb: number | undefined;
  let rtcBase: string | undefined;
  let spicePort: number | undefined;
  // Sets keep first-seen order and stay linear on command lines with thousands of drives.
  const macs = new Set<string>();
  const drives = new Set<string>();
  const addMac = (mac: unknown) => {
    if (typeof mac === 'string' && mac !== '') macs.add(normalizeMac(mac));
  };
  const addDrive = (file: unknown) => {
    if (typeof file === 'string' && file !== '') drives.add(file);
  };
  for (const { name: option, value } of cmd.options) {
    if (value === undefined) continue;
    switch (option) {
      case 'name':
        name = keyvalValue(readKeyval(value), 'guest', true) ?? name;
        break;
      case 'uuid':
        uuid = value.toLowerCase();
        break;
      case 'machine':
      case 'M':
        machine = keyvalValue(readKeyval(value), 'type', true) ?? machine;
        break;
      case 'cpu':
        cpu = readCpuOption(value);
        cpuOptions++;
        break;
      case 'smp':
        smp = readSmp(value);
        break;
      case 'm': {
        const size = keyvalValue(readKeyval(value), 'size', true);
        const mb = size === undefined ? undefined : readSizeMiB(size);
        if (mb !== undefined) memoryMb = mb;
        break;
      }
      case 'rtc':
        rtcBase = keyvalValue(readKeyval(value), 'base') ?? rtcBase;
        break;
      case 'spice': {
        const port = Number(keyvalValue(readKeyval(value), 'port'));
        if (Number.isInteger(port) && port > 0) spicePort = port;
        break;
      }
      case 'device':
      case 'net': {
        const json = readJsonOption(value);
        if (json) addMac(json.mac);
        else {
          const items = readKeyval(value);
          addMac(keyvalValue(items, 'mac'));
          addMac(keyvalValue(items, 'macaddr'));
        }
        break;
      }
      case 'drive':
        addDrive(keyvalValue(readKeyval(value), 'file'));
        break;
      case 'blockdev': {
        const json = readJsonOption(value);
        if (json) collectFilenames(json, addDrive, 0);
        else addDrive(keyvalValue(readKeyval(value), 'filename'));
        break;
      }
      case 'hda':
      case 'hdb':
      case 'hdc':
      case 'hdd':
      case 'cdrom':
        addDrive(value);
        break;
    }
  }
  return {
    ...(name === undefined ? {} : { name }),
    ...(uuid === undefined ? {} : { uuid }),
    ...(machine === undefined ? {} : { machine }),
    ...(cpu === undefined ? {} : { cpu }),
    cpuOptions,
    ...(smp === undefined ? {} : { smp }),
    ...(memoryMb === undefined ? {} : { memoryMb }),
    ...(rtcBase === undefined ? {} : { rtcBase }),
    macs: [...macs],
    ...(spicePort === undefined ? {} : { spicePort }),
    drives: [...drives],
  };
}

/** `2,sockets=1,cores=2,threads=1` or `cpus=2,maxcpus=4,...` (qemu hw/core/machine-smp.c). */
function readSmp(value: string): NonNullable<QemuConfig['smp']> {
  const out: Record<string, number> = {};
  for (const [key, raw] of readKeyval(value)) {
    const k = key ?? 'cpus';
    if (k !== 'cpus' && k !== 'sockets' && k !== 'cores' && k !== 'threads' && k !== 'maxcpus') continue;
    const n = Number(raw);
    if (Number.isInteger(n) && n >= 0) out[k] = n;
  }
  return out;
}

/** A -blockdev JSON node's file names: `filename` of protocol nodes, nested `file` objects included. */
function collectFilenames(node: Record<string, unknown>, add: (file: unknown) => void, depth: number): void {
  if (depth > 8) return;
  add(node.filename);
  for (const value of Object.values(node)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) collectFilenames(value as Record<string, unknown>, add, depth + 1);
  }
}

/**
 * Is this line a whole qemu command line? Env assignments (`LC_ALL=C PATH=...`), then the binary
 * (`/usr/bin/kvm-spice`, `qemu-system-x86_64`, `/usr/libexec/qemu-kvm`), then an option. Looks at the head only:
 * linear on 1 MB lines.
 */
export function isCommandLine(text: string): boolean {
  return isCommandHead(text);
}
