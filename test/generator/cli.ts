import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { HangwatchError } from '../../shared/errors.js';
import { parseInstant } from '../../shared/time.js';
import { generateCorpus } from './generate.js';
import { GUEST_LOCALES, type GuestLocale } from './time-format.js';
import { DEFAULT_OPTIONS, HANG_CAUSES, type GeneratorOptions, type HangCause, type HangRequest } from './types.js';

// node --import tsx test/generator/cli.ts --out DIR --seed 42 --hosts 3 --vms 4 --day 2017-03-15 [--hangs N]
// Writes the corpus and truth.json under DIR; a one-line summary goes to stderr (data only in files).

const HELP = `usage: node --import tsx test/generator/cli.ts --out DIR [options]
  --seed N                 PRNG seed (default ${DEFAULT_OPTIONS.seed})
  --hosts N --vms N        hypervisors, VMs per hypervisor (default ${DEFAULT_OPTIONS.hosts} x ${DEFAULT_OPTIONS.vmsPerHost})
  --day YYYY-MM-DD         window = that UTC day (default 2017-03-15); or --start ISO --duration-h N
  --hangs N                N hangs, causes in turn: ${HANG_CAUSES.join(', ')}
  --hang CAUSE[:HOST/VM][@ISO]   an explicit hang (repeatable; replaces --hangs)
  --clean-shutdowns N      clean shutdowns that must not become incidents (default ${DEFAULT_OPTIONS.cleanShutdowns})
  --noise-per-hour N       background libvirtd lines per host-hour (default ${DEFAULT_OPTIONS.noisePerHour})
  --guest-zone Z --host-zone Z   IANA zone or offset (default ${DEFAULT_OPTIONS.guestZone} / ${DEFAULT_OPTIONS.hostZone})
  --guest-locales L,L      of ${GUEST_LOCALES.join(', ')} (default ${DEFAULT_OPTIONS.guestLocales.join(',')})
  --libvirtd-lines N       pad each host's libvirtd.log to N lines (streamed; for benchmarks)
  --iostat-interval-s N    (default ${DEFAULT_OPTIONS.iostatIntervalS}) --iostat-time iso|en-US
  --guest-newline crlf|lf  line ends of guest artefacts (default crlf, as Windows writes them)
  --hostile                mix malformed records in (listed in truth.json "hostile")`;

function parseHang(text: string): HangRequest {
  const m = /^([a-z-]+)(?::([^/@]+)\/([^@]+))?(?:@(.+))?$/.exec(text);
  const cause = m?.[1] as HangCause | undefined;
  if (!m || !cause || !HANG_CAUSES.includes(cause)) throw new HangwatchError('HW_USAGE', [`bad --hang ${JSON.stringify(text)}: CAUSE[:HOST/VM][@ISO], causes: ${HANG_CAUSES.join(', ')}`]);
  const request: HangRequest = { cause };
  if (m[2] && m[3]) {
    request.hypervisor = m[2];
    request.domain = m[3];
  }
  if (m[4]) request.at = parseInstant(m[4]);
  return request;
}

function toInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new HangwatchError('HW_USAGE', [`--${name} must be an integer, got ${JSON.stringify(value)}`]);
  return n;
}

export function parseGeneratorArgs(argv: string[]): { out: string; options: GeneratorOptions } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        out: { type: 'string' },
        seed: { type: 'string' },
        hosts: { type: 'string' },
        vms: { type: 'string' },
        day: { type: 'string' },
        start: { type: 'string' },
        'duration-h': { type: 'string' },
        hangs: { type: 'string' },
        hang: { type: 'string', multiple: true },
        'clean-shutdowns': { type: 'string' },
        'noise-per-hour': { type: 'string' },
        'guest-zone': { type: 'string' },
        'host-zone': { type: 'string' },
        'guest-locales': { type: 'string' },
        'libvirtd-lines': { type: 'string' },
        'iostat-interval-s': { type: 'string' },
        'iostat-time': { type: 'string' },
        'guest-newline': { type: 'string' },
        hostile: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new HangwatchError('HW_USAGE', [`${(error as Error).message}\n\n${HELP}`]);
  }
  const v = parsed.values;
  if (v.help || !v.out) throw new HangwatchError('HW_USAGE', [HELP]);
  const d = DEFAULT_OPTIONS;
  const startMs = v.start ? parseInstant(v.start) : v.day ? parseInstant(`${v.day}T00:00:00Z`) : d.startMs;
  const locales = (v['guest-locales'] ?? d.guestLocales.join(',')).split(',') as GuestLocale[];
  const badLocale = locales.find((l) => !GUEST_LOCALES.includes(l));
  if (badLocale) throw new HangwatchError('HW_USAGE', [`unknown guest locale ${badLocale}: use ${GUEST_LOCALES.join(', ')}`]);
  const iostatTime = v['iostat-time'] ?? d.iostatTimeFormat;
  if (iostatTime !== 'iso' && iostatTime !== 'en-US') throw new HangwatchError('HW_USAGE', ['--iostat-time must be iso or en-US']);
  const newline = v['guest-newline'] ?? 'crlf';
  if (newline !== 'crlf' && newline !== 'lf') throw new HangwatchError('HW_USAGE', ['--guest-newline must be crlf or lf']);
  const options: GeneratorOptions = {
    seed: toInt('seed', v.seed, d.seed),
    hosts: toInt('hosts', v.hosts, d.hosts),
    vmsPerHost: toInt('vms', v.vms, d.vmsPerHost),
    startMs,
    durationMs: toInt('duration-h', v['duration-h'], d.durationMs / 3_600_000) * 3_600_000,
    noisePerHour: toInt('noise-per-hour', v['noise-per-hour'], d.noisePerHour),
    guestZone: v['guest-zone'] ?? d.guestZone,
    hostZone: v['host-zone'] ?? d.hostZone,
    guestLocales: locales,
    hangs: v.hang ? v.hang.map(parseHang) : toInt('hangs', v.hangs, d.hangs as number),
    cleanShutdowns: toInt('clean-shutdowns', v['clean-shutdowns'], d.cleanShutdowns),
    iostatIntervalS: toInt('iostat-interval-s', v['iostat-interval-s'], d.iostatIntervalS),
    iostatTimeFormat: iostatTime,
    guestNewline: newline === 'crlf' ? '\r\n' : '\n',
    hostile: v.hostile === true,
  };
  if (v['libvirtd-lines'] !== undefined) options.libvirtdLines = toInt('libvirtd-lines', v['libvirtd-lines'], 0);
  return { out: v.out, options };
}

function main(): void {
  try {
    const { out, options } = parseGeneratorArgs(process.argv.slice(2));
    const truth = generateCorpus(out, options);
    const bytes = truth.files.reduce((sum, f) => sum + f.bytes, 0);
    process.stderr.write(`wrote ${truth.files.length} files (${bytes} bytes), ${truth.hangs.length} hangs, ${truth.cleanShutdowns.length} clean shutdowns to ${out}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof HangwatchError ? error.message : String((error as Error).stack ?? error)}\n`);
    process.exitCode = error instanceof HangwatchError && error.code === 'HW_USAGE' ? 2 : 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
