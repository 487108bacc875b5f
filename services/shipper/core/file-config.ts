import { FORMATS, type Format } from '../../../shared/vocabulary.js';
import { TOPICS } from '../../../shared/topics.js';
import { HangwatchError } from '../../../shared/errors.js';

// The shipper's configuration file (YAML or JSON, issue 4): declared as tables of settings so that validation,
// environment overrides (HANGWATCH_SHIPPER_<PATH>) and README's configuration reference come from one place.
// Every problem is collected and reported together, each naming its field (`inputs[2].format`).

export type FieldKind = 'string' | 'int' | 'bool' | 'list';

export interface FieldSpec {
  readonly kind: FieldKind;
  readonly description: string;
  /** Default as it would be written in the file; `undefined` means required or computed (see `computed`). */
  readonly default?: string | number | boolean | readonly string[];
  /** Filled at load time (e.g. the machine's hostname). */
  readonly computed?: string;
  readonly min?: number;
  readonly max?: number;
  readonly choices?: readonly string[];
}

/** Settings outside `inputs`, by dotted path. Env override: HANGWATCH_SHIPPER_ + path uppercased, dots as `_`. */
export const SHIPPER_SETTINGS = {
  host: { kind: 'string', computed: "the machine's hostname", description: 'Hypervisor host name: the Kafka key and hw-host header of every record (inputs may override)' },
  state_dir: { kind: 'string', default: '/var/lib/hangwatch/shipper', description: 'Folder of the durable read positions (positions.json, fsynced) and command spools' },
  status_interval_ms: { kind: 'int', default: 30_000, min: 0, description: 'Interval of the one-line status log (files, lines/s, lag); 0 turns it off' },
  'kafka.topic': { kind: 'string', default: TOPICS.raw, description: 'Topic of raw records' },
  'kafka.compression': { kind: 'string', default: 'gzip', choices: ['none', 'gzip'], description: 'Record batch compression' },
  'kafka.client': {
    kind: 'string',
    default: 'native',
    choices: ['native', 'kafkajs'],
    description: "Produce client: the shipper's own idempotent client (native, several times faster) or kafkajs; with SASL kafkajs is used",
  },
  'kafka.batch_max_records': {
    kind: 'int',
    default: 10_000,
    min: 1,
    description: 'Most records in one batch (acknowledged before the read positions are saved, so the most a crash re-sends); sent as requests of at most kafka.request_max_bytes',
  },
  'kafka.batch_max_bytes': {
    kind: 'int',
    default: 4_194_304,
    min: 1024,
    description:
      'Most bytes (values + headers) in one batch: what is sent and acknowledged before the read positions are saved, so the most a crash re-sends; sent as requests of at most kafka.request_max_bytes',
  },
  'kafka.request_max_bytes': {
    kind: 'int',
    default: 900_000,
    min: 1024,
    description: "Most bytes (values + headers) in one produce request; keep it below the broker's message.max.bytes (1 MiB by default) when compression is none",
  },
  'kafka.max_in_flight_requests': {
    kind: 'int',
    default: 5,
    min: 1,
    max: 5,
    description: "Produce requests of a batch the native client sends before the first is acknowledged (the broker keeps an idempotent producer's order for up to 5)",
  },
  'kafka.request_max_records': {
    kind: 'int',
    default: 1_000,
    min: 1,
    description: 'Most records in one produce request of the kafkajs client: a batch goes as several requests (kafkajs groups a request by partition in quadratic time; 1000 measured fastest)',
  },
  'kafka.linger_ms': { kind: 'int', default: 20, min: 0, description: 'How long a partial batch waits for more records' },
  'kafka.retry_initial_ms': { kind: 'int', default: 500, min: 1, description: 'First wait after a failed send (doubled each time, with jitter)' },
  'kafka.retry_max_ms': { kind: 'int', default: 30_000, min: 1, description: 'Longest wait between send attempts while Kafka is unreachable' },
  'read.poll_interval_ms': { kind: 'int', default: 250, min: 10, description: 'How often idle files are checked for growth, rotation and truncation' },
  'read.scan_interval_ms': { kind: 'int', default: 2_000, min: 10, description: 'How often folders are listed for new files' },
  'read.chunk_bytes': { kind: 'int', default: 1_048_576, min: 4096, description: 'Bytes read from a file at a time' },
  'read.max_record_bytes': {
    kind: 'int',
    default: 524_288,
    min: 1024,
    description: 'Longest record (line, <Event>, WinDbg report); a longer one is cut and shipped as an oversize record that the parser dead-letters',
  },
  'read.oversize_head_bytes': { kind: 'int', default: 65_536, min: 1, description: 'How much of an oversize record is shipped (the dead letter keeps at most 64 KiB)' },
  'read.flush_timeout_ms': {
    kind: 'int',
    default: 5_000,
    min: 0,
    description:
      'A WinDbg report (document framing) is emitted once its file has not grown for this long (again whole if it grows after); ship --once keeps its position before an unfinished last record of a file changed more recently than this',
  },
  'read.rotated_grace_ms': { kind: 'int', default: 5_000, min: 0, description: 'A renamed or deleted file is read until it has not grown for this long, then closed' },
  'read.max_buffered_bytes': { kind: 'int', default: 16_777_216, min: 65_536, description: 'Records read but not yet acknowledged by Kafka; reading pauses above this (backpressure)' },
  'state.save_while_sending': {
    kind: 'bool',
    default: false,
    description:
      'Fsync the read positions of an acknowledged batch while the next batch is sent (faster when fsync is slow; a crash re-sends up to two batches) instead of before it (a crash re-sends at most the unacknowledged batch)',
  },
  'state.forget_after_ms': { kind: 'int', default: 604_800_000, min: 0, description: 'Positions of files no longer present are forgotten after this long' },
  'http.port': { kind: 'int', default: 8785, min: 0, max: 65535, description: 'Port of /healthz, /readyz, /metrics (0: any free port)' },
  'http.host': { kind: 'string', default: '127.0.0.1', description: 'Address the HTTP endpoints listen on' },
} as const satisfies Record<string, FieldSpec>;

export const INPUT_TYPES = ['file', 'folder', 'command', 'metrics', 'journald'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

/** Fields of one entry of `inputs`. */
export const INPUT_FIELDS = {
  type: {
    kind: 'string',
    choices: INPUT_TYPES,
    description:
      '`file` (one path; `*` allowed in its last part), `folder` (files below it, new ones picked up while running), `command` (its output is spooled to a file and shipped), `metrics` (host CPU samples: virsh domstats and /proc, format domstats) or `journald` (journalctl -o json, resumed by cursor)',
  },
  name: { kind: 'string', computed: 'the path, or the command', description: 'Name in logs and metrics' },
  path: { kind: 'string', description: 'File or folder (type file / folder); journald: a journal file to read (journalctl --file) instead of the system journal' },
  include: { kind: 'list', default: ['*'], description: 'Folder: file name patterns to ship (`*` and `?`), matched against the name relative to the folder' },
  exclude: {
    kind: 'list',
    default: ['*.gz', '*.xz', '*.zst', '*.bz2'],
    description:
      'Folder: file name patterns to skip (compressed files by default). *.evtx and *.dmp files are guest artefacts: each version is read whole (EVTX records as event XML, a dump as its header) and shipped once',
  },
  recursive: { kind: 'bool', default: false, description: 'Folder: also ship files in sub-folders (guests/<domain>/...)' },
  command: { kind: 'list', description: 'Command: program and arguments, e.g. [iostat, -x, -t, "10"]' },
  restart_delay_ms: { kind: 'int', default: 10_000, min: 0, description: 'Command: wait before running it again after it exits' },
  spool_max_bytes: { kind: 'int', default: 67_108_864, min: 4096, description: 'Command: the spool file is rotated (renamed to .1) beyond this size' },
  interval_ms: { kind: 'int', default: 10_000, min: 1_000, description: 'Metrics: sampling interval (virsh domstats and /proc/pressure/cpu, /proc/stat, /proc/loadavg)' },
  virsh: {
    kind: 'list',
    default: ['virsh', '-c', 'qemu:///system', 'domstats', '--vcpu', '--cpu-total', '--raw'],
    description: 'Metrics: the virsh command line that prints domstats (--raw counters)',
  },
  units: { kind: 'list', default: ['libvirtd', 'virtqemud', 'virtlogd'], description: 'Journald: systemd units to ship (format libvirtd)' },
  kernel: { kind: 'bool', default: true, description: 'Journald: also ship kernel messages (_TRANSPORT=kernel, format kernel)' },
  journalctl: { kind: 'list', default: ['journalctl'], description: 'Journald: the journalctl program (and leading arguments)' },
  format: { kind: 'string', default: 'auto', choices: [...FORMATS, 'auto'], description: 'Format of the records (hw-format header), or auto: the parser decides by path and content' },
  host: { kind: 'string', computed: 'the top-level host', description: 'Hypervisor host of this input' },
} as const satisfies Record<string, FieldSpec>;

export interface InputConfig {
  readonly name: string;
  readonly type: InputType;
  readonly path: string;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly recursive: boolean;
  readonly command: readonly string[];
  readonly restartDelayMs: number;
  readonly spoolMaxBytes: number;
  readonly format: Format | 'auto';
  readonly host: string;
  readonly intervalMs: number;
  readonly virsh: readonly string[];
  readonly units: readonly string[];
  readonly kernel: boolean;
  readonly journalctl: readonly string[];
}

export interface ShipperConfig {
  readonly host: string;
  readonly stateDir: string;
  readonly statusIntervalMs: number;
  readonly kafka: {
    readonly topic: string;
    readonly compression: 'none' | 'gzip';
    readonly client: 'native' | 'kafkajs';
    readonly batchMaxRecords: number;
    readonly batchMaxBytes: number;
    readonly requestMaxBytes: number;
    readonly maxInFlightRequests: number;
    readonly requestMaxRecords: number;
    readonly lingerMs: number;
    readonly retryInitialMs: number;
    readonly retryMaxMs: number;
  };
  readonly read: {
    readonly pollIntervalMs: number;
    readonly scanIntervalMs: number;
    readonly chunkBytes: number;
    readonly maxRecordBytes: number;
    readonly oversizeHeadBytes: number;
    readonly flushTimeoutMs: number;
    readonly rotatedGraceMs: number;
    readonly maxBufferedBytes: number;
  };
  readonly state: { readonly forgetAfterMs: number; readonly saveWhileSending: boolean };
  readonly http: { readonly port: number; readonly host: string };
  readonly inputs: readonly InputConfig[];
}

export const ENV_PREFIX = 'HANGWATCH_SHIPPER_';

export function envNameOf(path: string): string {
  return ENV_PREFIX + path.toUpperCase().replace(/\./g, '_');
}

interface Ctx {
  readonly problems: string[];
}

/**
 * Validates a parsed configuration document, applying HANGWATCH_SHIPPER_* overrides (env wins over the file).
 * Throws HW_CONFIG_INVALID listing every problem.
 */
export function buildShipperConfig(doc: unknown, env: Readonly<Record<string, string | undefined>>, defaults: { readonly hostname: string }): ShipperConfig {
  const ctx: Ctx = { problems: [] };
  const root = isRecord(doc) ? doc : doc === null || doc === undefined ? {} : (ctx.problems.push('the document must be a mapping (key: value)'), {});
  checkUnknownKeys(ctx, root, '', ['host', 'state_dir', 'status_interval_ms', 'kafka', 'read', 'state', 'http', 'inputs']);
  for (const group of ['kafka', 'read', 'state', 'http']) {
    const value = root[group];
    if (value === undefined) continue;
    if (!isRecord(value)) ctx.problems.push(`${group} must be a mapping`);
    else
      checkUnknownKeys(
        ctx,
        value,
        `${group}.`,
        Object.keys(SHIPPER_SETTINGS)
          .filter((k) => k.startsWith(`${group}.`))
          .map((k) => k.slice(group.length + 1)),
      );
  }
  const setting = <K extends keyof typeof SHIPPER_SETTINGS>(path: K): unknown => {
    const spec: FieldSpec = SHIPPER_SETTINGS[path];
    const envValue = env[envNameOf(path)];
    if (envValue !== undefined && envValue !== '') return convertEnv(ctx, envNameOf(path), envValue, spec);
    const raw = lookup(root, path);
    if (raw === undefined || raw === null) return spec.default;
    return checkValue(ctx, path, raw, spec);
  };
  const host = (setting('host') as string | undefined) ?? defaults.hostname;
  const config: ShipperConfig = {
    host,
    stateDir: setting('state_dir') as string,
    statusIntervalMs: setting('status_interval_ms') as number,
    kafka: {
      topic: setting('kafka.topic') as string,
      compression: setting('kafka.compression') as 'none' | 'gzip',
      client: setting('kafka.client') as 'native' | 'kafkajs',
      batchMaxRecords: setting('kafka.batch_max_records') as number,
      batchMaxBytes: setting('kafka.batch_max_bytes') as number,
      requestMaxBytes: setting('kafka.request_max_bytes') as number,
      maxInFlightRequests: setting('kafka.max_in_flight_requests') as number,
      requestMaxRecords: setting('kafka.request_max_records') as number,
      lingerMs: setting('kafka.linger_ms') as number,
      retryInitialMs: setting('kafka.retry_initial_ms') as number,
      retryMaxMs: setting('kafka.retry_max_ms') as number,
    },
    read: {
      pollIntervalMs: setting('read.poll_interval_ms') as number,
      scanIntervalMs: setting('read.scan_interval_ms') as number,
      chunkBytes: setting('read.chunk_bytes') as number,
      maxRecordBytes: setting('read.max_record_bytes') as number,
      oversizeHeadBytes: setting('read.oversize_head_bytes') as number,
      flushTimeoutMs: setting('read.flush_timeout_ms') as number,
      rotatedGraceMs: setting('read.rotated_grace_ms') as number,
      maxBufferedBytes: setting('read.max_buffered_bytes') as number,
    },
    state: { forgetAfterMs: setting('state.forget_after_ms') as number, saveWhileSending: setting('state.save_while_sending') as boolean },
    http: { port: setting('http.port') as number, host: setting('http.host') as string },
    inputs: buildInputs(ctx, root.inputs, host),
  };
  if (config.kafka.retryMaxMs < config.kafka.retryInitialMs) ctx.problems.push('kafka.retry_max_ms must not be below kafka.retry_initial_ms');
  if (config.read.maxBufferedBytes < config.kafka.batchMaxBytes) ctx.problems.push('read.max_buffered_bytes must be at least kafka.batch_max_bytes');
  if (config.read.oversizeHeadBytes > config.read.maxRecordBytes) ctx.problems.push('read.oversize_head_bytes must not exceed read.max_record_bytes');
  if (ctx.problems.length > 0) throw new HangwatchError('HW_CONFIG_INVALID', [ctx.problems.map((p) => `  - ${p}`).join('\n')]);
  return config;
}

function buildInputs(ctx: Ctx, raw: unknown, host: string): InputConfig[] {
  if (raw === undefined || raw === null) {
    ctx.problems.push('inputs is required: a list of inputs (type: file | folder | command)');
    return [];
  }
  if (!Array.isArray(raw)) {
    ctx.problems.push('inputs must be a list');
    return [];
  }
  if (raw.length === 0) ctx.problems.push('inputs must name at least one input');
  const names = new Set<string>();
  return raw.map((entry: unknown, i): InputConfig => {
    const at = `inputs[${i}]`;
    const item = isRecord(entry) ? entry : (ctx.problems.push(`${at} must be a mapping`), {});
    checkUnknownKeys(ctx, item, `${at}.`, Object.keys(INPUT_FIELDS));
    const field = (key: keyof typeof INPUT_FIELDS): unknown => {
      const spec: FieldSpec = INPUT_FIELDS[key];
      const value = item[key];
      if (value === undefined || value === null) return spec.default;
      return checkValue(ctx, `${at}.${key}`, value, spec);
    };
    const type = field('type') as InputType | undefined;
    if (type === undefined) ctx.problems.push(`${at}.type is required: one of ${INPUT_TYPES.join(', ')}`);
    const path = (field('path') as string | undefined) ?? '';
    const command = (field('command') as readonly string[] | undefined) ?? [];
    if ((type === 'file' || type === 'folder') && path === '') ctx.problems.push(`${at}.path is required for a ${type} input`);
    if (path !== '' && !path.startsWith('/')) ctx.problems.push(`${at}.path must be absolute (got ${JSON.stringify(path)})`);
    if (type === 'file' && /[*?]/.test(path.split('/').slice(0, -1).join('/'))) ctx.problems.push(`${at}.path may use * and ? only in its last part`);
    if (type === 'command' && command.length === 0) ctx.problems.push(`${at}.command is required for a command input (program and arguments)`);
    const format = field('format') as Format | 'auto';
    if (type === 'metrics' && format !== 'auto' && format !== 'domstats') ctx.problems.push(`${at}.format of a metrics input is domstats (got ${JSON.stringify(format)})`);
    const virsh = field('virsh') as readonly string[];
    if (type === 'metrics' && virsh.length === 0) ctx.problems.push(`${at}.virsh must name the program`);
    const units = field('units') as readonly string[];
    const kernel = field('kernel') as boolean;
    if (type === 'journald' && units.length === 0 && !kernel) ctx.problems.push(`${at} ships nothing: give units or kernel: true`);
    if (type === 'journald' && format !== 'auto') ctx.problems.push(`${at}.format of a journald input comes from each entry's unit; leave it out`);
    const journalctl = field('journalctl') as readonly string[];
    const name = (field('name') as string | undefined) ?? (type === 'command' ? command.join(' ') : type === 'metrics' ? 'host-metrics' : type === 'journald' ? `journald${path ? `:${path}` : ''}` : path);
    if (names.has(name)) ctx.problems.push(`${at}.name ${JSON.stringify(name)} is used by another input`);
    names.add(name);
    return {
      name,
      type: type ?? 'file',
      path,
      include: field('include') as readonly string[],
      exclude: field('exclude') as readonly string[],
      recursive: field('recursive') as boolean,
      command,
      restartDelayMs: field('restart_delay_ms') as number,
      spoolMaxBytes: field('spool_max_bytes') as number,
      format: type === 'metrics' ? 'domstats' : format,
      host: (field('host') as string | undefined) ?? host,
      intervalMs: field('interval_ms') as number,
      virsh,
      units,
      kernel,
      journalctl,
    };
  });
}

function checkValue(ctx: Ctx, path: string, raw: unknown, spec: FieldSpec): unknown {
  switch (spec.kind) {
    case 'int': {
      if (typeof raw !== 'number' || !Number.isSafeInteger(raw)) {
        ctx.problems.push(`${path} must be a whole number (got ${JSON.stringify(raw)})`);
        return spec.default;
      }
      checkRange(ctx, path, raw, spec);
      return raw;
    }
    case 'bool':
      if (typeof raw !== 'boolean') {
        ctx.problems.push(`${path} must be true or false (got ${JSON.stringify(raw)})`);
        return spec.default;
      }
      return raw;
    case 'list':
      if (!Array.isArray(raw) || raw.some((v) => typeof v !== 'string' && typeof v !== 'number')) {
        ctx.problems.push(`${path} must be a list of strings`);
        return spec.default;
      }
      return Object.freeze(raw.map(String));
    case 'string':
      if (typeof raw !== 'string' || raw === '') {
        ctx.problems.push(`${path} must be a non-empty string (got ${JSON.stringify(raw)})`);
        return spec.default;
      }
      if (spec.choices && !spec.choices.includes(raw)) ctx.problems.push(`${path} must be one of ${spec.choices.join(', ')} (got ${JSON.stringify(raw)})`);
      return raw;
  }
}

function convertEnv(ctx: Ctx, name: string, raw: string, spec: FieldSpec): unknown {
  if (spec.kind === 'int') {
    if (!/^-?\d+$/.test(raw.trim())) {
      ctx.problems.push(`${name}=${JSON.stringify(raw)} is not a whole number`);
      return spec.default;
    }
    const n = Number.parseInt(raw, 10);
    checkRange(ctx, name, n, spec);
    return n;
  }
  if (spec.kind === 'bool') {
    const v = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    ctx.problems.push(`${name}=${JSON.stringify(raw)} is not a boolean (true/false)`);
    return spec.default;
  }
  if (spec.choices && !spec.choices.includes(raw)) ctx.problems.push(`${name}=${JSON.stringify(raw)} must be one of ${spec.choices.join(', ')}`);
  return raw;
}

function checkRange(ctx: Ctx, path: string, n: number, spec: FieldSpec): void {
  if (spec.min !== undefined && n < spec.min) ctx.problems.push(`${path}=${n} is below the minimum ${spec.min}`);
  if (spec.max !== undefined && n > spec.max) ctx.problems.push(`${path}=${n} is above the maximum ${spec.max}`);
}

function checkUnknownKeys(ctx: Ctx, obj: Record<string, unknown>, prefix: string, known: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) ctx.problems.push(`${prefix}${key} is not a known setting (known: ${known.join(', ')})`);
  }
}

function lookup(root: Record<string, unknown>, path: string): unknown {
  let at: unknown = root;
  for (const part of path.split('.')) {
    if (!isRecord(at)) return undefined;
    at = at[part];
  }
  return at;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
